// One line of text, cut with an ellipsis when it does not fit (a long title on a narrow phone):
// the whole text on hover (its title) and on a tap, which lets it wrap; another tap cuts it again.
import { useState } from 'react'

export function Truncate({ text }: { text: string }) {
  const [whole, setWhole] = useState(false)
  return (
    <button
      type="button"
      className={whole ? 'truncate whole' : 'truncate'}
      title={text}
      onClick={() => setWhole((w) => !w)}
    >
      {text}
    </button>
  )
}
