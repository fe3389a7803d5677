// A number typed as people write it (a decimal comma in French, spaces between thousands). The
// text stays as typed; the owner gets the number, or NaN while the text is not one yet.
import { useEffect, useState, type InputHTMLAttributes } from 'react'
import { useI18n } from '../i18n'
import { editableNumber, parseNumber } from '../live/numbers'

type NumberInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> & {
  value: number | undefined
  onChange(value: number): void
}

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b))

export function NumberInput({ value, onChange, ...rest }: NumberInputProps) {
  const { lang } = useI18n()
  const shown = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : editableNumber(n, lang))
  const [text, setText] = useState(() => shown(value))
  // Follows a value changed from outside (a switch to a range), never the one being typed.
  useEffect(() => {
    if (!same(parseNumber(text) ?? NaN, value ?? NaN)) setText(shown(value))
  }, [value])
  return (
    <input
      {...rest}
      type="text"
      inputMode="decimal"
      autoComplete="off"
      value={text}
      onChange={(e) => {
        setText(e.target.value)
        onChange(parseNumber(e.target.value) ?? NaN)
      }}
    />
  )
}
