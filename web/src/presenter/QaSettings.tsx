// Questions from the class, in the settings: off, on, or moderated, and whether the class sees
// who asked.
import { useId } from 'react'
import { useI18n } from '../i18n'
import type { ParamsPatch } from '../protocol/ParamsPatch'
import type { Qa } from '../protocol/Qa'
import type { RoomParams } from '../protocol/RoomParams'
import { Switch } from '../ui/Switch'

const MODES: Qa[] = ['off', 'on', 'moderated']

interface QaSettingsProps {
  params: RoomParams
  onParams(patch: ParamsPatch): void
}

export function QaSettings({ params, onParams }: QaSettingsProps) {
  const { t } = useI18n()
  const name = useId()
  const mode = params.qa ?? 'off'
  return (
    <>
      <fieldset className="mode-choice qa-settings">
        <legend>{t('qa.title')}</legend>
        {MODES.map((option) => (
          <label key={option} className="mode-option">
            <input
              type="radio"
              name={name}
              value={option}
              checked={mode === option}
              onChange={() => onParams({ qa: option })}
              aria-describedby={`${name}-${option}`}
            />
            <span>
              <span className="mode-name">{t(`qa.mode.${option}`)}</span>
              <span className="muted small" id={`${name}-${option}`}>
                {t(`qa.modeHint.${option}`)}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <Switch
        label={t('qa.names')}
        checked={params.qa_names ?? false}
        on={t('qa.namesShown')}
        off={t('qa.namesHidden')}
        onChange={(shown) => onParams({ qa_names: shown })}
      />
      <p className="muted small">{t('qa.namesHint')}</p>
    </>
  )
}
