// tldraw loads its fonts, icons and translations from its CDN by default. This plugin serves
// them from the app instead, so the canvas works on a closed network: copied under
// dist/tldraw/<version>/ by the build (the version in the path makes them safe to cache for
// ever), served from node_modules by the dev server. Only English and French are shipped: the
// app sets tldraw's locale to its own language.
import { cpSync, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'

const source = fileURLToPath(new URL('./node_modules/@tldraw/assets', import.meta.url))
const version: string = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')).version
const shipped = ['fonts', 'embed-icons', 'icons/icon/0_merged.svg', 'translations/en.json', 'translations/fr.json']

/** Where the page finds the assets; handed to the app as `__TLDRAW_ASSETS__`. */
export const tldrawAssetsBase = `/tldraw/${version}`

export function tldrawAssets(): Plugin {
  let outDir = 'dist'
  return {
    name: 'pratico-tldraw-assets',
    config: () => ({ define: { __TLDRAW_ASSETS__: JSON.stringify(tldrawAssetsBase) } }),
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    configureServer(server) {
      server.middlewares.use(tldrawAssetsBase, (req, res, next) => {
        const file = path.join(source, decodeURIComponent((req.url ?? '/').split('?')[0]))
        if (!file.startsWith(source) || !existsSync(file)) return next()
        res.end(readFileSync(file))
      })
    },
    closeBundle() {
      for (const item of shipped) {
        cpSync(path.join(source, item), path.join(outDir, tldrawAssetsBase, item), { recursive: true })
      }
    },
  }
}
