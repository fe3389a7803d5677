// How the session runs: navigation, who draws on the board, chat, the reactions offered,
// questions from the class, and whether newcomers may join.
import { useId } from 'react'
import { useI18n } from '../i18n'
import { offeredReactions } from '../live/reactions'
import type { Collaboration } from '../protocol/Collaboration'
import type { ParamsPatch } from '../protocol/ParamsPatch'
import type { RoomParams } from '../protocol/RoomParams'
import { Switch } from '../ui/Switch'
import { QaSettings } from './QaSettings'
import { ReactionsChooser } from './ReactionsChooser'

/** Who draws on the board: only the trainer, everyone together, or each on a private copy. */
const MODES: Collaboration[] = ['view', 'draw', 'private']

interface SettingsPanelProps {
  params: RoomParams
  locked: boolean
  onParams(patch: ParamsPatch): void
  onLock(locked: boolean): void
}

export function SettingsPanel({ params, locked, onParams, onLock }: SettingsPanelProps) {
  const { t } = useI18n()
  const name = useId()
  return (
    <div className="settings">
      <Switch
        label={t('settings.navigation')}
        checked={params.navigation === 'free'}
        on={t('settings.free')}
        off={t('settings.follow')}
        onChange={(free) => onParams({ navigation: free ? 'free' : 'follow' })}
      />
      <p className="muted small">{t('settings.navigationHint')}</p>
      <fieldset className="mode-choice">
        <legend>{t('settings.collaboration')}</legend>
        {MODES.map((mode) => (
          <label key={mode} className="mode-option">
            <input
              type="radio"
              name={name}
              value={mode}
              checked={params.collaboration === mode}
              onChange={() => onParams({ collaboration: mode })}
              aria-describedby={`${name}-${mode}`}
            />
            <span>
              <span className="mode-name">{t(`settings.${mode}`)}</span>
              <span className="muted small" id={`${name}-${mode}`}>
                {t(`settings.${mode}Hint`)}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <Switch
        label={t('settings.chat')}
        checked={params.chat === 'on'}
        on={t('settings.on')}
        off={t('settings.off')}
        onChange={(on) => onParams({ chat: on ? 'on' : 'off' })}
      />
      <ReactionsChooser
        offered={offeredReactions(params.reactions)}
        onChange={(reactions) => onParams({ reactions })}
      />
      <QaSettings params={params} onParams={onParams} />
      <Switch
        label={t('settings.lock')}
        checked={locked}
        on={t('settings.locked')}
        off={t('settings.open')}
        onChange={onLock}
      />
      <p className="muted small">{t('settings.lockHint')}</p>
    </div>
  )
}
