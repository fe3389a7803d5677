// How to join, for the back of the room: a large QR code, the link, how many are here.
import { useI18n } from '../i18n'
import { QrCode } from '../ui/QrCode'

export function JoinPanel({ link, online }: { link: string; online: number }) {
  const { t } = useI18n()
  return (
    <aside className="audience-join" aria-labelledby="audience-join-title">
      <h2 id="audience-join-title">{t('audience.scanToJoin')}</h2>
      <QrCode text={link} label={t('share.qr', { link })} size={560} />
      <p className="audience-join-or">{t('audience.orOpen')}</p>
      <p className="audience-link">{link.replace(/^https?:\/\//, '')}</p>
      <p className="audience-headcount">{t('audience.headcount', { count: online })}</p>
    </aside>
  )
}
