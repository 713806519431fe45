// The left menu, grouped like the source's 20 modules of the 工作端.
export const KINDS = [
  { code: 'mediation', name: '矛盾纠纷调解' },
  { code: 'livelihood', name: '民生诉求服务' },
  { code: 'complaint', name: '投诉举报反映' },
  { code: 'consultation', name: '信息咨询服务' },
  { code: 'legal_aid', name: '法律援助申请' },
]

export const MENU = [
  { title: '受理登记', area: 'intake', items: KINDS.map((k) => ({ path: `/intake/${k.code}`, title: k.name })) },
  { title: '汇总查询', area: 'query', items: KINDS.map((k) => ({ path: `/query/${k.code}`, title: `${k.name}汇总查询` })) },
  {
    title: '事项办理',
    items: [
      { path: '/tasks', title: '我们的工作任务', area: 'tasks' },
      { path: '/mine', title: '我的办理事项', area: 'mine' },
      { path: '/inbox', title: '领导批办', area: 'inbox' },
      { path: '/dispatch', title: '分流转办', area: 'dispatch' },
    ],
  },
  {
    title: '调解服务',
    area: 'mediation',
    items: [
      { path: '/mediation', title: '调解记录' },
      { path: '/video', title: '视频调解' },
      { path: '/confirmation', title: '司法确认' },
    ],
  },
  {
    title: '研判督办',
    items: [
      { path: '/analysis', title: '研判分析', area: 'analysis' },
      { path: '/reports', title: '统计报表', area: 'reports' },
      { path: '/followup', title: '跟踪问效', area: 'followup' },
    ],
  },
  {
    title: '普法宣传',
    area: 'cms',
    items: [
      { path: '/cms/articles', title: '普法宣传文章' },
      { path: '/cms/cases', title: '案例发布' },
    ],
  },
  { title: '个人中心', items: [{ path: '/profile', title: '个人中心', area: 'profile' }] },
  {
    title: '系统管理',
    area: 'admin',
    items: [
      { path: '/admin/units', title: '单位管理' },
      { path: '/admin/accounts', title: '账号管理' },
      { path: '/admin/routing', title: '分流规则' },
      { path: '/admin/audit', title: '审计查询' },
    ],
  },
  { title: '本地调试', area: 'outbox', localOnly: true, items: [{ path: '/dev/outbox', title: '消息外发' }] },
]
