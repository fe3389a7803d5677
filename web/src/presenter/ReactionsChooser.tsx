// Which reactions participants may send: a toggle chip for each, and "None" to offer none.
import { useI18n } from '../i18n'
import { REACTION_EMOJI, REACTIONS, reactionLabel } from '../live/reactions'
import type { Reaction } from '../protocol/Reaction'

interface ReactionsChooserProps {
  offered: readonly Reaction[]
  onChange(reactions: Reaction[]): void
}

export function ReactionsChooser({ offered, onChange }: ReactionsChooserProps) {
  const { t } = useI18n()
  const toggle = (reaction: Reaction) =>
    onChange(REACTIONS.filter((r) => (r === reaction ? !offered.includes(r) : offered.includes(r))))
  return (
    <fieldset className="reactions-chooser">
      <legend>{t('reactions.title')}</legend>
      <div className="chips">
        {REACTIONS.map((reaction) => (
          <button
            key={reaction}
            type="button"
            className="chip"
            aria-pressed={offered.includes(reaction)}
            onClick={() => toggle(reaction)}
          >
            <span aria-hidden="true">{REACTION_EMOJI[reaction]}</span> {t(reactionLabel(reaction))}
          </button>
        ))}
        <button
          type="button"
          className="chip chip-none"
          aria-pressed={offered.length === 0}
          onClick={() => onChange([])}
        >
          {t('reactions.none')}
        </button>
      </div>
      <p className="muted small">{offered.length === 0 ? t('reactions.offeredNone') : t('reactions.hint')}</p>
    </fieldset>
  )
}
