// Who joined, who is online; remove someone (they may come back) or ban them; in `draw` mode,
// turn someone's drawing on the shared canvas off or back on.
import { useState } from 'react'
import { useI18n } from '../i18n'
import type { PersonView } from '../protocol/PersonView'
import { fullName } from '../live/room'
import { ConfirmDialog } from '../ui/Dialog'

interface ParticipantsPanelProps {
  participants: PersonView[]
  onKick(participant: PersonView, ban: boolean): void
  /** In `draw` mode: whose drawing on the shared canvas is off, and the switch. */
  drawing?: {
    off: ReadonlySet<string>
    onChange(participant: PersonView, allowed: boolean): void
  }
}

export function ParticipantsPanel({ participants, onKick, drawing }: ParticipantsPanelProps) {
  const { t } = useI18n()
  const [removing, setRemoving] = useState<{ person: PersonView; ban: boolean } | null>(null)
  const sorted = [...participants].sort(
    (a, b) => Number(b.online) - Number(a.online) || fullName(a).localeCompare(fullName(b)),
  )
  if (sorted.length === 0) return <p className="muted empty-small">{t('people.none')}</p>
  return (
    <>
      <ul className="people">
        {sorted.map((person) => (
          <li key={person.participant_id} className={person.online ? 'online' : 'offline'}>
            <span className="dot" aria-hidden="true" />
            <span className="person-name">{fullName(person)}</span>
            <span className="sr-only">{person.online ? t('people.online') : t('people.offline')}</span>
            {drawing && (
              <label className="drawing-toggle" title={t('people.drawingWho', { name: fullName(person) })}>
                <input
                  type="checkbox"
                  checked={!drawing.off.has(person.participant_id)}
                  onChange={(event) => drawing.onChange(person, event.target.checked)}
                  aria-label={t('people.drawingWho', { name: fullName(person) })}
                />
                <span aria-hidden="true">{t('people.drawing')}</span>
              </label>
            )}
            <button
              type="button"
              className="link-button"
              onClick={() => setRemoving({ person, ban: false })}
              aria-label={t('people.kickWho', { name: fullName(person) })}
            >
              {t('people.kick')}
            </button>
            <button
              type="button"
              className="link-button danger-text"
              onClick={() => setRemoving({ person, ban: true })}
              aria-label={t('people.banWho', { name: fullName(person) })}
            >
              {t('people.ban')}
            </button>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={removing !== null}
        title={removing?.ban ? t('people.banTitle') : t('people.kickTitle')}
        message={t(removing?.ban ? 'people.banMessage' : 'people.kickMessage', {
          name: removing ? fullName(removing.person) : '',
        })}
        confirm={removing?.ban ? t('people.ban') : t('people.kick')}
        danger
        onConfirm={() => {
          if (removing) onKick(removing.person, removing.ban)
          setRemoving(null)
        }}
        onCancel={() => setRemoving(null)}
      />
    </>
  )
}
