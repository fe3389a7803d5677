// Every page of the capsule, to bring everyone to one; PageUp/PageDown and the arrow keys
// (a presentation clicker) move to the next or previous page. The current page is kept in view.
import { useEffect, useRef } from 'react'
import type { StoreSnapshot } from '../api'
import { LazyThumbnail } from '../canvas'
import { useI18n } from '../i18n'
import { belongsElsewhere } from '../live/keys'
import type { PageRef } from '../protocol/PageRef'

interface PageStripProps {
  pages: PageRef[]
  current: string | null
  snapshot: StoreSnapshot | null
  onGo(pageId: string): void
}

export function PageStrip({ pages, current, snapshot, onGo }: PageStripProps) {
  const { t } = useI18n()
  const index = pages.findIndex((p) => p.id === current)
  const strip = useRef<HTMLOListElement>(null)

  // Sideways only: the page itself must not jump to the strip.
  useEffect(() => {
    const list = strip.current
    const item = list?.querySelector('[aria-current="page"]')
    if (!list || !item) return
    const [outer, inner] = [list.getBoundingClientRect(), item.getBoundingClientRect()]
    if (inner.left < outer.left) list.scrollLeft -= outer.left - inner.left + 8
    else if (inner.right > outer.right) list.scrollLeft += inner.right - outer.right + 8
  }, [current])

  useEffect(() => {
    const keys = (event: KeyboardEvent) => {
      if (belongsElsewhere(event)) return
      const step = { PageDown: 1, ArrowRight: 1, PageUp: -1, ArrowLeft: -1 }[event.key]
      const next = step && pages[index + step]
      if (!next) return
      event.preventDefault()
      onGo(next.id)
    }
    window.addEventListener('keydown', keys)
    return () => window.removeEventListener('keydown', keys)
  }, [pages, index, onGo])

  return (
    <nav className="page-strip" aria-label={t('slide.pages')}>
      <ol ref={strip}>
        {pages.map((page, i) => (
          <li key={page.id}>
            <button
              type="button"
              className="strip-page"
              aria-current={page.id === current ? 'page' : undefined}
              onClick={() => onGo(page.id)}
            >
              <span className="thumb">{snapshot && <LazyThumbnail snapshot={snapshot} pageId={page.id} />}</span>
              <span className="strip-name">
                <span className="page-number">{i + 1}</span> {page.name}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  )
}
