// Hash history: the console is a folder of static files (S3) and needs no server-side rewrites.
import { createRouter, createWebHashHistory } from 'vue-router'
import { session, loadMe } from './api.js'
import { allowed } from './roles.js'

const page = (loader, area, title) => ({ component: loader, meta: { area, title } })

const routes = [
  { path: '/login', component: () => import('./pages/Login.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('./components/Shell.vue'),
    children: [
      { path: '', component: { render: () => null } }, // the guard sends each role to its home page
      { path: 'intake/:kind', ...page(() => import('./pages/Intake.vue'), 'intake', '受理登记') },
      { path: 'query/:kind', ...page(() => import('./pages/Summary.vue'), 'query', '汇总查询') },
      { path: 'tasks', ...page(() => import('./pages/Tasks.vue'), 'tasks', '我们的工作任务'), props: { view: 'unit' } },
      { path: 'mine', ...page(() => import('./pages/Tasks.vue'), 'mine', '我的办理事项'), props: { view: 'mine' } },
      { path: 'inbox', ...page(() => import('./pages/Inbox.vue'), 'inbox', '领导批办') },
      { path: 'dispatch', ...page(() => import('./pages/Dispatch.vue'), 'dispatch', '分流转办') },
      { path: 'mediation', ...page(() => import('./pages/Mediation.vue'), 'mediation', '调解记录') },
      { path: 'video', ...page(() => import('./pages/Video.vue'), 'mediation', '视频调解') },
      { path: 'confirmation', ...page(() => import('./pages/Confirmation.vue'), 'mediation', '司法确认') },
      { path: 'analysis', ...page(() => import('./pages/Analysis.vue'), 'analysis', '研判分析') },
      { path: 'reports', ...page(() => import('./pages/Reports.vue'), 'reports', '统计报表') },
      { path: 'followup', ...page(() => import('./pages/Followup.vue'), 'followup', '跟踪问效') },
      { path: 'profile', ...page(() => import('./pages/Profile.vue'), 'profile', '个人中心') },
      { path: 'matters/:id', ...page(() => import('./pages/Matter.vue'), 'matter', '事项详情'), props: true },
      { path: 'admin/units', ...page(() => import('./pages/admin/Units.vue'), 'admin', '单位管理') },
      { path: 'admin/accounts', ...page(() => import('./pages/admin/Accounts.vue'), 'admin', '账号管理') },
      { path: 'admin/routing', ...page(() => import('./pages/admin/Routing.vue'), 'admin', '分流规则') },
      { path: 'admin/audit', ...page(() => import('./pages/admin/Audit.vue'), 'admin', '审计查询') },
      { path: 'cms/articles', ...page(() => import('./pages/cms/Articles.vue'), 'cms', '普法宣传文章') },
      { path: 'cms/cases', ...page(() => import('./pages/cms/Cases.vue'), 'cms', '案例发布') },
      { path: 'cases/:id', ...page(() => import('./pages/cms/Case.vue'), 'cms', '案例发布'), props: true },
      { path: 'dev/outbox', ...page(() => import('./pages/Outbox.vue'), 'outbox', '消息外发') },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export function homeOf(role) {
  if (allowed(role, 'tasks')) return '/tasks'
  if (role === 'admin') return '/admin/units'
  return '/query/mediation'
}

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  document.title = `${to.meta.title ? to.meta.title + ' · ' : ''}解忧工作端`
  if (to.meta.public) return true
  if (!session.tokens) return { path: '/login', query: { redirect: to.fullPath } }
  if (!session.me) {
    try { await loadMe() } catch { return { path: '/login', query: { redirect: to.fullPath } } }
  }
  if (to.path === '/' || (to.meta.area && !allowed(session.me.role, to.meta.area))) return homeOf(session.me.role)
  return true
})
