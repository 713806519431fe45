import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router.js'
import { restoreSession, setUnauthorizedHandler } from './api.js'
import './style.css'

restoreSession()
setUnauthorizedHandler(() => {
  const here = router.currentRoute.value
  if (!here.meta.public) router.replace({ path: '/login', query: { redirect: here.fullPath } })
})
createApp(App).use(router).mount('#app')
