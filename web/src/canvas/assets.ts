// Where tldraw finds a capsule's images and puts new ones: the server's asset store
// (`/api/assets`). A trainer's browser sends its log-in cookie with every image request; a
// participant's has no cookie and an <img> sends no header, so their URLs name the room and
// carry their resume token.
import type { TLAssetStore } from 'tldraw'
import { api } from '../api'

/** Who is looking: a participant of `room` has a resume token, a trainer none. */
export interface Viewer {
  room: string
  token: string | null
}

const STORED = '/api/assets/'

/** The URL an asset's file is shown from, for this viewer. */
export function assetSrc(src: string | null | undefined, viewer: Viewer): string | null {
  if (!src) return null
  if (!src.startsWith(STORED) || !viewer.token) return src
  const query = new URLSearchParams({ room: viewer.room, token: viewer.token })
  return `${src.split('?')[0]}?${query}`
}

/**
 * tldraw's asset store for a viewer (read when an image is shown, so a rename or a new token
 * applies at once). Trainers upload to the server; anyone else is refused with `refusal()`,
 * which `onRefused` is told of.
 */
export function assetStore(
  viewer: () => Viewer,
  canUpload: boolean,
  refusal: () => string,
  onRefused: (message: string) => void,
): TLAssetStore {
  return {
    resolve: (asset) => assetSrc(asset.props.src, viewer()),
    async upload(_asset, file) {
      if (!canUpload) {
        onRefused(refusal())
        throw new Error(refusal())
      }
      try {
        const stored = await api.uploadAsset(file)
        return { src: stored.url }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        onRefused(message)
        throw error
      }
    },
  }
}
