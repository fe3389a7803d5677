// Run-time settings from the server (`/config.js`, loaded before the app).

declare global {
  interface Window {
    PRATICO_CONFIG?: { tldrawLicenseKey: string | null }
  }
}

/** The tldraw licence key the server was given (PRATICO_TLDRAW_LICENSE_KEY), if any. */
export const tldrawLicenseKey = window.PRATICO_CONFIG?.tldrawLicenseKey ?? undefined
