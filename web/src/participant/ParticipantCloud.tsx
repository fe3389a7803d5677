// A word cloud on a participant's phone: the question, a word to send (a few each), the words
// already sent, and the cloud itself once the trainer shows it (never the words they hid).
import { useId, useState, type FormEvent } from 'react'
import { useI18n, type Translate } from '../i18n'
import { liveErrorText } from '../live/errors'
import type { CloudState, RoomEvent } from '../live/room'
import type { LiveError } from '../live/socket'
import { WordCloud } from '../live/WordCloud'
import type { ClientMessage } from '../protocol/ClientMessage'
import { ErrorCode } from '../protocol/ErrorCode'

interface ParticipantCloudProps {
  cloud: CloudState
  request(message: ClientMessage): Promise<LiveError | null>
  dispatch(event: RoomEvent): void
}

export function ParticipantCloud({ cloud, request, dispatch }: ParticipantCloudProps) {
  const { t } = useI18n()
  const titleId = useId()
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const left = cloud.max_words - cloud.yours.length

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const word = text.trim()
    if (!word || sending) return
    setSending(true)
    setError(null)
    const refused = await request({ type: 'cloud_send', text: word })
    setSending(false)
    if (refused) return setError(wordError(t, refused))
    dispatch({ type: 'cloud_word_sent', cloud_id: cloud.cloud_id, text: word })
    setText('')
  }

  const shownWords = cloud.words.filter((w) => !w.hidden)
  return (
    <section className="card cloud-card" aria-labelledby={titleId}>
      <p className="eyebrow">{t('cloud.title')}</p>
      <h2 id={titleId} className="cloud-prompt">
        {cloud.prompt}
      </h2>
      {left > 0 ? (
        <form className="cloud-form" onSubmit={submit}>
          <input
            value={text}
            onChange={(e) => {
              setText(e.target.value)
              setError(null)
            }}
            maxLength={50}
            aria-label={t('cloud.yourWord')}
            placeholder={t('cloud.yourWord')}
            aria-invalid={error !== null}
            aria-describedby={`${titleId}-count`}
            enterKeyHint="send"
          />
          <button type="submit" className="button primary" disabled={!text.trim() || sending}>
            {t('cloud.send')}
          </button>
        </form>
      ) : (
        <p className="cloud-done">{t('cloud.allSent')}</p>
      )}
      {error && (
        <p className="danger-text cloud-error" role="alert">
          {error}
        </p>
      )}
      <p className="muted small" id={`${titleId}-count`}>
        {t('cloud.sentCount', { count: cloud.yours.length, max: cloud.max_words })}
      </p>
      {cloud.yours.length > 0 && (
        <ul className="your-words" aria-label={t('cloud.yours')}>
          {cloud.yours.map((word) => (
            <li key={word}>{word}</li>
          ))}
        </ul>
      )}
      {cloud.shown ? (
        shownWords.length > 0 ? (
          <WordCloud words={shownWords} label={t('cloud.words')} />
        ) : (
          <p className="muted">{t('cloud.empty')}</p>
        )
      ) : (
        <p className="muted small">{t('cloud.waitShown')}</p>
      )}
    </section>
  )
}

/** Why a word was refused, in words: the server says `bad_message` for a word sent twice. */
function wordError(t: Translate, error: LiveError): string {
  if (error.code === ErrorCode.bad_message) return t('cloud.already')
  return liveErrorText(t, error.code, error.message)
}
