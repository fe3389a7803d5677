// Launch: a room on the capsule, with the quiz to run (the one made for it by default).
import { useEffect, useState } from 'react'
import { api, ApiError } from '../api'
import type { Capsule } from '../api-types/Capsule'
import { useI18n } from '../i18n'
import { navigate } from '../router'
import { Alert } from '../ui/Alert'
import { Dialog } from '../ui/Dialog'
import { Field } from '../ui/Field'
import { useLoad } from '../ui/useLoad'

export function LaunchDialog({ capsule, onClose }: { capsule: Capsule | null; onClose(): void }) {
  const { t } = useI18n()
  const quizzes = useLoad(api.quizzes, [capsule?.id])
  const [quizId, setQuizId] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    setError(null)
    setQuizId(quizzes.data?.find((q) => q.capsule_id === capsule?.id)?.id ?? '')
  }, [capsule, quizzes.data])

  const launch = async () => {
    if (!capsule) return
    setBusy(true)
    try {
      const room = await api.launch({ capsule_id: capsule.id, quiz_id: quizId || null })
      navigate(`/live/${room.id}`)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'))
      setBusy(false)
    }
  }

  return (
    <Dialog open={capsule !== null} title={t('launch.title')} onClose={onClose}>
      <p className="dialog-message">{t('launch.intro', { title: capsule?.title ?? '' })}</p>
      {error && <Alert>{error}</Alert>}
      <Field label={t('launch.quiz')} hint={t('launch.quizHint')}>
        <select value={quizId} onChange={(e) => setQuizId(e.target.value)}>
          <option value="">{t('launch.noQuiz')}</option>
          {quizzes.data?.map((q) => (
            <option key={q.id} value={q.id}>
              {q.title}
            </option>
          ))}
        </select>
      </Field>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button primary" onClick={launch} disabled={busy}>
          {t('launch.go')}
        </button>
      </div>
    </Dialog>
  )
}
