// How the session runs: navigation, drawing, chat, and whether newcomers may join.
import { useI18n } from '../i18n'
import type { ParamsPatch } from '../protocol/ParamsPatch'
import type { RoomParams } from '../protocol/RoomParams'
import { Switch } from '../ui/Switch'

interface SettingsPanelProps {
  params: RoomParams
  locked: boolean
  onParams(patch: ParamsPatch): void
  onLock(locked: boolean): void
}

export function SettingsPanel({ params, locked, onParams, onLock }: SettingsPanelProps) {
  const { t } = useI18n()
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
      <Switch
        label={t('settings.collaboration')}
        checked={params.collaboration === 'draw'}
        on={t('settings.draw')}
        off={t('settings.view')}
        onChange={(draw) => onParams({ collaboration: draw ? 'draw' : 'view' })}
      />
      <p className="muted small">{t('settings.collaborationHint')}</p>
      <Switch
        label={t('settings.chat')}
        checked={params.chat === 'on'}
        on={t('settings.on')}
        off={t('settings.off')}
        onChange={(on) => onParams({ chat: on ? 'on' : 'off' })}
      />
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
