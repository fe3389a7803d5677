// tldraw is by far the largest part of the app: it loads only where a canvas shows.
import { lazy, Suspense } from 'react'
import type { CapsuleCanvasProps } from './CapsuleCanvas'
import type { SharedCanvasProps } from './SharedCanvas'
import type { SlideProps } from './Slide'
import type { ThumbnailProps } from './Thumbnail'

const Slide = lazy(() => import('./Slide'))
const SharedCanvas = lazy(() => import('./SharedCanvas'))
const Thumbnail = lazy(() => import('./Thumbnail'))
const CapsuleCanvas = lazy(() => import('./CapsuleCanvas'))

/** Starts downloading tldraw before a canvas is needed (while a join form is being filled). */
export function preloadCanvas() {
  void import('./SharedCanvas')
}

export function LazySlide(props: SlideProps) {
  return (
    <Suspense fallback={<div className="slide slide-loading" aria-hidden="true" />}>
      <Slide {...props} />
    </Suspense>
  )
}

export function LazySharedCanvas(props: SharedCanvasProps) {
  return (
    <Suspense fallback={<div className="slide slide-loading" aria-hidden="true" />}>
      <SharedCanvas {...props} />
    </Suspense>
  )
}

export function LazyThumbnail(props: ThumbnailProps) {
  return (
    <Suspense fallback={<div className="thumb-image" aria-hidden="true" />}>
      <Thumbnail {...props} />
    </Suspense>
  )
}

export function LazyCapsuleCanvas(props: CapsuleCanvasProps) {
  return (
    <Suspense fallback={<div className="editor-canvas slide-loading" aria-hidden="true" />}>
      <CapsuleCanvas {...props} />
    </Suspense>
  )
}
