// A page of a capsule as a small picture. Decorative: the page's name is always beside it.
import { TldrawImage, type TLPageId, type TLStoreSnapshot } from 'tldraw'
import 'tldraw/tldraw.css'
import type { StoreSnapshot } from '../api'
import { tldrawLicenseKey } from '../config'
import { assetUrls } from './tldraw'

export interface ThumbnailProps {
  snapshot: StoreSnapshot
  pageId: string
}

export default function Thumbnail({ snapshot, pageId }: ThumbnailProps) {
  return (
    <div className="thumb-image" aria-hidden="true">
      <TldrawImage
        snapshot={snapshot as unknown as TLStoreSnapshot}
        pageId={pageId as TLPageId}
        format="png"
        scale={0.5}
        padding={24}
        background
        assetUrls={assetUrls}
        licenseKey={tldrawLicenseKey}
      />
    </div>
  )
}
