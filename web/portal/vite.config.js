import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Vant's icon font is inlined as woff2; its woff fallback points at a CDN. Every browser the
// portal supports reads woff2, so the fallback is dropped: no external request at run time.
const noExternalFont = {
  name: 'no-external-font',
  generateBundle(_, bundle) {
    for (const asset of Object.values(bundle)) {
      if (asset.type === 'asset' && asset.fileName.endsWith('.css')) {
        asset.source = String(asset.source).replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\(["']?woff["']?\)/g, '')
      }
    }
  },
}

export default defineConfig({
  base: './',
  plugins: [vue(), noExternalFont],
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 4096, target: 'es2019' },
})
