// Forgiving input and China-time formatting; the same rules as chalicelib/domain/identity.py.

export const nfkc = (s) => String(s ?? '').normalize('NFKC')
export const chars = (s) => Array.from(s || '').length

/** Spaces, hyphens, full-width digits and +86 / 0086 are tolerated. */
export function normalizePhone(s) {
  s = nfkc(s).replace(/[\s\-()（）]/g, '')
  if (s.startsWith('+86')) return s.slice(3)
  if (s.startsWith('0086')) return s.slice(4)
  if (s.startsWith('86') && s.length === 13) return s.slice(2)
  return s
}
export const isMobile = (s) => /^1[3-9][0-9]{9}$/.test(normalizePhone(s))
export const BAD_MOBILE = '请填写11位手机号码，例如 138 1234 5678'

export function isResidentId(s) {
  s = nfkc(s).toUpperCase()
  if (!/^[0-9]{17}[0-9X]$/.test(s)) return false
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += +s[i] * w[i]
  return '10X98765432'[sum % 11] === s[17]
}

const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
/** Tracking codes: 10 symbols, shown XXX-XXX-XXXX; lower case, spaces, full width forgiven. */
export function normalizeCode(s) {
  const raw = nfkc(s).replace(/[\s\-—_]/g, '').toUpperCase()
  if (raw.length !== 10) return null
  let sum = 0
  for (let i = 0; i < 10; i++) {
    const v = CODE_ALPHABET.indexOf(raw[i])
    if (v < 0) return null
    sum += (i + 1) * v
  }
  if (sum % 31 !== 0) return null
  return `${raw.slice(0, 3)}-${raw.slice(3, 6)}-${raw.slice(6)}`
}

export function uuid() {
  const c = window.crypto
  if (c && typeof c.randomUUID === 'function') {
    try { return c.randomUUID() } catch (e) { /* insecure context */ }
  }
  const b = new Uint8Array(16)
  if (c && c.getRandomValues) c.getRandomValues(b)
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256)
  return Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('')
}

function chinaParts(iso) {
  const ms = Date.parse(iso)
  if (isNaN(ms)) return null
  const d = new Date(ms + 8 * 3600 * 1000)
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes(), ms }
}
const pad = (n) => (n < 10 ? '0' : '') + n
export function formatDateTime(iso) {
  const p = chinaParts(iso)
  return p ? `${p.y}-${pad(p.m)}-${pad(p.d)} ${pad(p.hh)}:${pad(p.mm)}` : String(iso || '')
}
export function formatDate(iso) {
  const p = chinaParts(iso)
  return p ? `${p.y}年${p.m}月${p.d}日` : ''
}
/** A due time at China midnight closes the previous day: "12月4日 24:00前". */
export function formatDue(iso) {
  let p = chinaParts(iso)
  if (!p) return String(iso || '')
  let hh = p.hh
  if (p.hh === 0 && p.mm === 0) { p = chinaParts(new Date(p.ms - 60000).toISOString()); hh = 24 }
  return `${p.m}月${p.d}日 ${pad(hh)}:${pad(hh === 24 ? 0 : p.mm)}前`
}
function span(ms) {
  const min = Math.max(1, Math.round(ms / 60000))
  const d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60)
  if (d > 0) return `${d}天${h ? h + '小时' : ''}`
  return h > 0 ? `${h}小时${min % 60 ? (min % 60) + '分钟' : ''}` : `${min}分钟`
}
export function timeLeft(clock) {
  const ms = Date.parse(clock.dueAt) - Date.now()
  if (isNaN(ms)) return ''
  if (clock.state === 'running') return ms > 0 ? `还剩${span(ms)}` : `已超时${span(-ms)}`
  if (clock.state === 'overdue') return ms < 0 ? `已超时${span(-ms)}` : ''
  if (clock.state === 'paused') return '暂停计时'
  return ''
}
export const CLOCK_NAMES = { accept: '受理时限', stage_reply: '阶段性回复时限', conclude: '办结时限' }
export const CLOCK_STATES = { running: '计时中', met: '已按时完成', overdue: '已超时', paused: '已暂停', stopped: '已停止' }

export function storeGet(key) {
  try { const raw = localStorage.getItem('jieyou.' + key); return raw ? JSON.parse(raw) : null } catch (e) { return null }
}
export function storeSet(key, value) {
  try { localStorage.setItem('jieyou.' + key, JSON.stringify(value)); return true } catch (e) { return false }
}
export function storeRemove(key) {
  try { localStorage.removeItem('jieyou.' + key) } catch (e) { /* storage unavailable */ }
}
