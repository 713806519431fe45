// Build of the staff console (工作端). Served under /console/ by the local runtime and from S3.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const styleDir = (name) => fileURLToPath(new URL(`./node_modules/element-plus/es/components/${name}/style/css.mjs`, import.meta.url))

// Pages import Element Plus components by name (`import { ElTable } from 'element-plus'`); this adds
// each component's own stylesheet next to it, so only the styles of components in use are shipped.
function elementPlusStyles() {
  const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
  const pattern = /import\s*\{([^}]+)\}\s*from\s*['"]element-plus['"]/g
  return {
    name: 'jieyou-element-plus-styles',
    enforce: 'post',
    transform(code, id) {
      if (id.includes('node_modules') || !/\.(vue|js)$/.test(id.split('?')[0]) || id.includes('?vue&type=style')) return null
      const styles = new Set()
      for (const m of code.matchAll(pattern)) {
        for (const part of m[1].split(',')) {
          const name = part.trim().split(/\s+as\s+/)[0].trim()
          // components (ElTable → table) and directives (vLoading → loading)
          const dir = name.startsWith('El') ? kebab(name.slice(2)) : /^v[A-Z]/.test(name) ? kebab(name.slice(1)) : null
          if (!dir) continue
          if (existsSync(styleDir(dir))) styles.add(`import 'element-plus/es/components/${dir}/style/css';`)
        }
      }
      return styles.size ? { code: [...styles].join('\n') + '\n' + code, map: null } : null
    },
  }
}

export default defineConfig({
  base: '/console/',
  plugins: [vue(), elementPlusStyles()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        // Vue, the router and the Element Plus core every page uses are cached once for all pages.
        advancedChunks: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router)[\\/]/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
})
