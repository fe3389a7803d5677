// The room's chat: the last messages, a box to write, and (for the trainer) deletion.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useI18n } from '../i18n'
import type { ChatLine } from '../protocol/ChatLine'

interface ChatPanelProps {
  lines: ChatLine[]
  /** Whether this viewer may write now (chat on, or the trainer). */
  canWrite: boolean
  onSend(text: string): Promise<boolean>
  onDelete?(line: ChatLine): void
}

export function ChatPanel({ lines, canWrite, onSend, onDelete }: ChatPanelProps) {
  const { t, time } = useI18n()
  const [text, setText] = useState('')
  const list = useRef<HTMLDivElement>(null)

  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight })
  }, [lines.length])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!text.trim()) return
    if (await onSend(text.trim())) setText('')
  }

  return (
    <div className="chat">
      <div ref={list} className="chat-lines" role="log" aria-label={t('chat.messages')}>
        {lines.length === 0 && <p className="muted chat-empty">{t('chat.empty')}</p>}
        <ol>
          {lines.map((line) => (
            <li key={line.id} className="chat-line">
              <div className="chat-meta">
                <strong>{line.author_name}</strong>
                <time dateTime={line.at}>{time(line.at)}</time>
                {onDelete && (
                  <button
                    type="button"
                    className="link-button danger-text"
                    onClick={() => onDelete(line)}
                    aria-label={t('chat.deleteFrom', { name: line.author_name })}
                  >
                    {t('common.delete')}
                  </button>
                )}
              </div>
              <p>{line.text}</p>
            </li>
          ))}
        </ol>
      </div>
      {canWrite ? (
        <form className="chat-form" onSubmit={submit}>
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={1000}
            placeholder={t('chat.placeholder')}
            aria-label={t('chat.placeholder')}
          />
          <button type="submit" className="button primary" disabled={!text.trim()}>
            {t('chat.send')}
          </button>
        </form>
      ) : (
        <p className="muted chat-off">{t('chat.off')}</p>
      )}
    </div>
  )
}
