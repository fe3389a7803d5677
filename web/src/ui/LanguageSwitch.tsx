import { useI18n, type Language } from '../i18n'

const LANGUAGES: { lang: Language; short: string; name: string }[] = [
  { lang: 'fr', short: 'FR', name: 'Français' },
  { lang: 'en', short: 'EN', name: 'English' },
]

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n()
  return (
    <div className="segmented" role="group" aria-label={t('common.language')}>
      {LANGUAGES.map((l) => (
        <button key={l.lang} type="button" lang={l.lang} aria-pressed={lang === l.lang} onClick={() => setLang(l.lang)}>
          {l.short}
          <span className="sr-only"> – {l.name}</span>
        </button>
      ))}
    </div>
  )
}
