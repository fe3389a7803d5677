// tldraw's fonts, icons and translations, served by this server (never tldraw's CDN).
import { getAssetUrls } from '@tldraw/assets/selfHosted'

export const assetUrls = getAssetUrls({ baseUrl: __TLDRAW_ASSETS__ })
