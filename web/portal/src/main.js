import { createApp } from 'vue'
import { createRouter, createWebHashHistory } from 'vue-router'
// Vant components one by one (JS and CSS), never the whole library.
import { Button, Cell, CellGroup, Empty, Field, Grid, GridItem, Loading, NavBar, Rate, Step, Steps, Tag } from 'vant'
import 'vant/es/button/style'
import 'vant/es/cell/style'
import 'vant/es/cell-group/style'
import 'vant/es/empty/style'
import 'vant/es/field/style'
import 'vant/es/grid/style'
import 'vant/es/grid-item/style'
import 'vant/es/loading/style'
import 'vant/es/nav-bar/style'
import 'vant/es/rate/style'
import 'vant/es/step/style'
import 'vant/es/steps/style'
import 'vant/es/tag/style'
import 'vant/es/toast/style'
import './portal.css'
import App from './App.vue'
import Home from './views/Home.vue'

// Everything but the home page is loaded when first visited: the first load stays small.
const routes = [
  { path: '/', component: Home, meta: { title: '百姓解忧站' } },
  { path: '/file/:kind', component: () => import('./views/FileForm.vue'), meta: { title: '在线服务' } },
  { path: '/lookup', component: () => import('./views/Lookup.vue'), meta: { title: '办理情况查询' } },
  { path: '/mine', component: () => import('./views/MyMatters.vue'), meta: { title: '我的事项' } },
  { path: '/units/:type', component: () => import('./views/Units.vue'), meta: { title: '组织查询' } },
  { path: '/cases', component: () => import('./views/Cases.vue'), meta: { title: '同类案例查询' } },
  { path: '/cases/:caseId', component: () => import('./views/CaseView.vue'), meta: { title: '案例' } },
  { path: '/articles/:section', component: () => import('./views/Articles.vue'), meta: { title: '文章' } },
  { path: '/article/:articleId', component: () => import('./views/ArticleView.vue'), meta: { title: '文章' } },
  { path: '/:rest(.*)*', redirect: '/' },
]
const router = createRouter({ history: createWebHashHistory(), routes, scrollBehavior: () => ({ top: 0 }) })

const app = createApp(App)
for (const c of [Button, Cell, CellGroup, Empty, Field, Grid, GridItem, Loading, NavBar, Rate, Step, Steps, Tag]) app.use(c)
app.use(router).mount('#app')
