// Running a word cloud: ask a question, watch the words come, hide the ones the class should
// not see, show the cloud to the class (phones and audience screen) or stop, end it.
import { useState, type FormEvent } from 'react'
import { useI18n } from '../i18n'
import type { CloudState } from '../live/room'
import { WordCloud } from '../live/WordCloud'
import type { ClientMessage } from '../protocol/ClientMessage'
import { Field } from '../ui/Field'

const MAX_WORDS = Array.from({ length: 10 }, (_, i) => i + 1)

interface CloudControlsProps {
  cloud: CloudState | null
  send(message: ClientMessage): Promise<boolean>
}

export function CloudControls({ cloud, send }: CloudControlsProps) {
  const { t } = useI18n()
  if (!cloud) return <CloudStartForm onStart={(prompt, max) => send({ type: 'cloud_start', prompt, max_words: max })} />
  return (
    <div className="cloud-controls">
      <h3 className="eyebrow">{t('cloud.title')}</h3>
      <p className="cloud-prompt">{cloud.prompt}</p>
      <div className="cloud-status">
        <span className={cloud.shown ? 'pill pill-shown' : 'pill'}>
          {cloud.shown ? t('cloud.shown') : t('cloud.notShown')}
        </span>
        <span className="muted small" aria-live="polite">
          {t('cloud.stats', { count: cloud.contributors, distinct: cloud.distinct })}
        </span>
      </div>
      <div className="cloud-buttons">
        <button
          type="button"
          className={cloud.shown ? 'button' : 'button primary'}
          onClick={() => send({ type: 'cloud_show', shown: !cloud.shown })}
        >
          {cloud.shown ? t('cloud.stopShowing') : t('cloud.show')}
        </button>
        <button type="button" className="button danger-outline" onClick={() => send({ type: 'cloud_end' })}>
          {t('cloud.end')}
        </button>
      </div>
      {cloud.words.length === 0 ? (
        <p className="muted">{t('cloud.empty')}</p>
      ) : (
        <>
          <p className="muted small">{t('cloud.hideHint')}</p>
          <WordCloud
            words={cloud.words}
            label={t('cloud.words')}
            counts
            className="word-cloud-trainer"
            onToggle={(word) => send({ type: 'cloud_hide', word: word.text, hidden: !word.hidden })}
          />
        </>
      )}
    </div>
  )
}

function CloudStartForm({ onStart }: { onStart(prompt: string, maxWords: number): Promise<boolean> }) {
  const { t } = useI18n()
  const [prompt, setPrompt] = useState('')
  const [maxWords, setMaxWords] = useState(3)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (prompt.trim() && (await onStart(prompt.trim(), maxWords))) setPrompt('')
  }
  return (
    <form className="cloud-start" onSubmit={submit}>
      <h3 className="eyebrow">{t('cloud.title')}</h3>
      <Field label={t('cloud.prompt')}>
        <input
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          maxLength={300}
          placeholder={t('cloud.promptPlaceholder')}
          required
        />
      </Field>
      <Field label={t('cloud.maxWords')}>
        <select value={maxWords} onChange={(e) => setMaxWords(Number(e.target.value))}>
          {MAX_WORDS.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" className="button primary" disabled={!prompt.trim()}>
        {t('cloud.start')}
      </button>
      <p className="muted small">{t('cloud.startHint')}</p>
    </form>
  )
}
