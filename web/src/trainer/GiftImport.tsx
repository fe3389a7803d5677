// Import a quiz written in Moodle's GIFT format: pasted, or read from a file.
import { useState } from 'react'
import { api, ApiError } from '../api'
import type { Quiz } from '../api-types/Quiz'
import { useI18n } from '../i18n'
import { navigate } from '../router'
import { Alert } from '../ui/Alert'
import { Dialog } from '../ui/Dialog'
import { Field } from '../ui/Field'

export function GiftImport({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t, lang } = useI18n()
  const [title, setTitle] = useState('')
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [imported, setImported] = useState<Quiz | null>(null)

  const run = async () => {
    setError(null)
    try {
      const quiz = await api.importGift(text, title.trim() || t('gift.defaultTitle'), lang)
      if (quiz.warnings?.length) setImported(quiz)
      else navigate(`/quizzes/${quiz.id}`)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'))
    }
  }

  return (
    <Dialog open={open} title={t('gift.title')} onClose={onClose} wide>
      {imported ? (
        <>
          <Alert tone="success">{t('gift.done', { count: imported.questions.length })}</Alert>
          <p>{t('gift.skipped')}</p>
          <ul className="warnings">
            {imported.warnings?.map((w) => (
              <li key={`${w.line}-${w.message}`}>{t('gift.line', { line: w.line, message: w.message })}</li>
            ))}
          </ul>
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={() => navigate(`/quizzes/${imported.id}`)}>
              {t('gift.open')}
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="dialog-message">{t('gift.intro')}</p>
          {error && <Alert>{error}</Alert>}
          <Field label={t('editor.title')}>
            <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </Field>
          <Field label={t('gift.text')}>
            <textarea className="mono" rows={10} value={text} onChange={(e) => setText(e.target.value)} />
          </Field>
          <label className="button file-button">
            {t('gift.file')}
            <input
              type="file"
              accept=".gift,.txt,text/plain"
              className="sr-only"
              onChange={async (e) => {
                const file = e.target.files?.[0]
                if (!file) return
                setText(await file.text())
                // `quiz.gift.txt` (as Moodle exports save) is titled `quiz`.
                if (!title) setTitle(file.name.replace(/(\.gift)?(\.txt)?$/i, '') || file.name)
              }}
            />
          </label>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="button" className="button primary" onClick={run} disabled={!text.trim()}>
              {t('gift.import')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  )
}
