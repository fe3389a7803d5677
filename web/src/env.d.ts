/** Where tldraw's fonts, icons and translations are served (set by tldraw-assets.ts). */
declare const __TLDRAW_ASSETS__: string
