// Numbers as people type and read them. Read as the server reads a numeric answer: `42`,
// `-3.5`, `3,5` (a decimal comma), `1 789,5` (spaces between thousands); shown in the reader's
// language.
import type { Language } from '../i18n'

/** The number in `text`, or null when it holds none (or anything else). */
export function parseNumber(text: string): number | null {
  const compact = text.replace(/\s/g, '')
  if (compact.includes(',') && compact.includes('.')) return null
  if ((compact.match(/,/g) ?? []).length > 1) return null
  const plain = compact.replace(',', '.')
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(plain)) return null
  const number = Number(plain)
  return Number.isFinite(number) ? number : null
}

export function formatNumber(number: number, lang: Language): string {
  return number.toLocaleString(lang, { maximumFractionDigits: 10 })
}

/** A number as an input shows it for editing: no grouping, the language's decimal mark. */
export function editableNumber(number: number, lang: Language): string {
  const plain = String(number)
  return lang === 'fr' ? plain.replace('.', ',') : plain
}
