// The word cloud on the projector, while the trainer shows it: the question and the words, large.
// The trainer's frames carry the hidden words too (marked): they never reach this screen.
import { useI18n } from '../i18n'
import type { CloudState } from '../live/room'
import { WordCloud } from '../live/WordCloud'

export function AudienceCloud({ cloud }: { cloud: CloudState }) {
  const { t } = useI18n()
  const words = cloud.words.filter((w) => !w.hidden)
  return (
    <section className="audience-cloud" aria-labelledby="audience-cloud-prompt">
      <p className="audience-eyebrow">
        {t('cloud.title')} · {t('cloud.contributors', { count: cloud.contributors })}
      </p>
      <h1 id="audience-cloud-prompt" className="audience-prompt">
        {cloud.prompt}
      </h1>
      {words.length > 0 ? (
        <WordCloud words={words} label={t('cloud.words')} className="word-cloud-audience" />
      ) : (
        <p className="audience-hint">{t('cloud.empty')}</p>
      )}
    </section>
  )
}
