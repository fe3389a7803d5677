// French and English: two plain dictionaries, the browser's language first, switchable.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { en, type Messages } from './en'
import { fr } from './fr'

export type Language = 'en' | 'fr'
export type MessageKey = keyof Messages
/** `{name}` in a message is replaced by `vars.name`; `a|b` picks by plural of `vars.count`. */
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string

const dictionaries: Record<Language, Messages> = { en, fr }
const STORAGE_KEY = 'pratico.language'

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved === 'en' || saved === 'fr') return saved
  const preferred = navigator.languages.find((l) => /^(en|fr)\b/i.test(l)) ?? 'en'
  return preferred.toLowerCase().startsWith('fr') ? 'fr' : 'en'
}

interface I18n {
  lang: Language
  setLang(lang: Language): void
  t: Translate
  dateTime(iso: string): string
  time(iso: string): string
  duration(seconds: number): string
}

function translator(lang: Language): Translate {
  const plural = new Intl.PluralRules(lang)
  return (key, vars = {}) => {
    let text = dictionaries[lang][key]
    if (text.includes('|') && typeof vars.count === 'number') {
      const [one, other] = text.split('|')
      text = plural.select(vars.count) === 'one' ? one : other
    }
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => String(vars[name] ?? whole))
  }
}

function make(lang: Language, setLang: (lang: Language) => void): I18n {
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })
  const time = new Intl.DateTimeFormat(lang, { timeStyle: 'short' })
  return {
    lang,
    setLang,
    t: translator(lang),
    dateTime: (iso) => dateTime.format(new Date(iso)),
    time: (iso) => time.format(new Date(iso)),
    duration(seconds) {
      const s = Math.max(0, Math.round(seconds))
      const h = Math.floor(s / 3600)
      const m = Math.floor((s % 3600) / 60)
      if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`
      return m > 0 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`
    },
  }
}

const I18nContext = createContext<I18n | null>(null)

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState(initialLanguage)
  useEffect(() => {
    document.documentElement.lang = lang
  }, [lang])
  const value = useMemo(
    () =>
      make(lang, (next) => {
        localStorage.setItem(STORAGE_KEY, next)
        setLang(next)
      }),
    [lang],
  )
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext)
  if (!i18n) throw new Error('useI18n outside of I18nProvider')
  return i18n
}
