// An image of a question or a choice. Who is looking decides its URL: a participant's browser
// has no log-in cookie and an <img> sends no header, so it names the room and carries the
// resume token (`ImageViewer`, set around the participant's quiz); trainers' browsers
// (editor, presenter, projector) send their cookie.
//
// No layout shift: the image sits in a box whose size the CSS fixes before any byte arrives (an
// aspect ratio and a height cap, `.quiz-image`), fitted inside with `object-fit: contain`. The
// server keeps no width or height (see src/domain/quiz/images.rs): the box does not need them,
// and it keeps the answer buttons at the same place from one question to the next.
import { createContext, useContext } from 'react'
import { assetSrc, type Viewer } from '../canvas/assets'

/** Who loads quiz images: a participant of `room` with their token, or a trainer (none). */
export const ImageViewer = createContext<Viewer>({ room: '', token: null })

interface QuizImageProps {
  src: string | null | undefined
  /** `question` (wide, under the prompt) or `choice` (in a grid cell). */
  kind: 'question' | 'choice'
  /** Said to screen readers; empty when the text beside the image says it all. */
  alt: string
}

export function QuizImage({ src, kind, alt }: QuizImageProps) {
  const viewer = useContext(ImageViewer)
  const url = assetSrc(src, viewer)
  if (!url) return null
  return (
    <span className={`quiz-image quiz-image-${kind}`}>
      <img src={url} alt={alt} decoding="async" draggable={false} />
    </span>
  )
}
