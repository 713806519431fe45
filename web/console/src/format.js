// Dates in China time and the time left on a clock.
const TZ = 'Asia/Shanghai'
const dtf = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
const df = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' })

export const CLOCK_NAMES = { accept: '受理时限', stage_reply: '阶段性回复时限', conclude: '办结时限' }
export const CLOCK_STATES = { running: '计时中', met: '已完成', overdue: '已超期', paused: '已中止计时' }

export function dateTime(iso) { return iso ? dtf.format(new Date(iso)).replace(/\//g, '-') : '—' }
export function date(iso) { return iso ? df.format(new Date(iso)).replace(/\//g, '-') : '—' }

// "剩余 2天3小时" / "已超期 5小时"; `late` says whether it is past due.
export function timeLeft(dueAt, now = Date.now()) {
  if (!dueAt) return { text: '—', late: false }
  const ms = new Date(dueAt).getTime() - now
  const abs = Math.abs(ms)
  const days = Math.floor(abs / 86400000)
  const hours = Math.floor((abs % 86400000) / 3600000)
  const minutes = Math.floor((abs % 3600000) / 60000)
  const span = days ? `${days}天${hours}小时` : hours ? `${hours}小时${minutes}分` : `${minutes}分钟`
  return ms >= 0 ? { text: `剩余 ${span}`, late: false } : { text: `已超期 ${span}`, late: true }
}

// The nearest clock still running (or overdue and unmet) of a matter, for the queue's "time left".
export function nearestClock(deadlines) {
  let best = null
  for (const [name, c] of Object.entries(deadlines || {})) {
    if (c.state === 'met' || !c.dueAt) continue
    if (!best || c.dueAt < best.dueAt) best = { name, ...c }
  }
  return best
}

// China-time date (YYYY-MM-DD) n days before today.
export function daysAgo(n) {
  const d = new Date(Date.now() - n * 86400000)
  return df.format(d).replace(/\//g, '-')
}
