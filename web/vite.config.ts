import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { tldrawAssets } from './tldraw-assets.ts'

// `npm run dev` proxies the API to a server started with `cargo run` (port 8080).
export default defineConfig({
  plugins: [react(), tldrawAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // tldraw alone is a large chunk; it is loaded only where a canvas shows.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/config.js': 'http://127.0.0.1:8080',
    },
  },
})
