// Reference data from GET /api/catalog (kinds, categories, severities, region tree), loaded once.
import { reactive } from 'vue'
import { get } from './api.js'

export const catalog = reactive({ loaded: false, kinds: [], categories: [], severities: [], regions: null })
let loading = null
const regionIndex = new Map()

export function loadCatalog() {
  loading ||= get('/api/catalog').then((c) => {
    Object.assign(catalog, c, { loaded: true })
    const walk = (node, parent) => {
      regionIndex.set(node.code, { ...node, parent })
      for (const child of node.children || []) walk(child, node.code)
    }
    walk(c.regions, null)
    return catalog
  }).catch((e) => { loading = null; throw e })
  return loading
}

export const STATUSES = [
  ['received', '已受理待分流'], ['assigned', '已分派待接收'], ['in_progress', '办理中'], ['paused', '中止计时'],
  ['returned', '退回待审批'], ['escalated', '已上报'], ['joint_mediation', '联调联处'], ['concluded', '已办结'],
  ['closed', '已回访评价'],
].map(([code, name]) => ({ code, name }))

export const CHANNELS = [
  { code: 'visit', name: '走访发现' }, { code: 'phone', name: '来电' }, { code: 'window', name: '来访窗口' },
  { code: 'online', name: '百姓解忧站' }, { code: 'portal', name: '百姓解忧站' }, { code: 'hotline', name: '12345 热线' },
]

export const OUTCOMES = { resolved: '已解决', partly_resolved: '部分解决', unresolved: '未解决' }

const nameIn = (list, code) => (list.find((x) => x.code === code) || {}).name || code || '—'
export const kindName = (code) => nameIn(catalog.kinds, code)
export const categoryName = (code) => (code ? nameIn(catalog.categories, code) : '—')
export const severityName = (code) => (code ? nameIn(catalog.severities, code) : '未评定')
export const statusName = (code) => nameIn(STATUSES, code)
export const channelName = (code) => nameIn(CHANNELS, code)
export const regionName = (code) => regionIndex.get(code)?.name || code || ''

// "郴州市 / 北湖区 / 人民路街道" for a region code.
export function regionPath(code) {
  const names = []
  for (let r = regionIndex.get(code); r; r = regionIndex.get(r.parent)) names.unshift(r.name)
  return names.join(' / ')
}

export function regionNode(code) { return regionIndex.get(code) || null }

// Cascader options for the region tree below (and including) a region: city → county → township → village.
export function regionOptions(rootCode) {
  const root = regionIndex.get(rootCode) || catalog.regions
  if (!root) return []
  const convert = (n) => ({
    value: n.code,
    label: n.name,
    children: (n.children || []).length ? n.children.map(convert) : undefined,
  })
  return [convert(root)]
}
