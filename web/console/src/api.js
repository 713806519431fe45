// The one module that talks to the API: fetch with the bearer token, token refresh before expiry,
// 401 → back to login, and the API's `error.message` shown to the user.
import { reactive } from 'vue'
import { ElMessage } from 'element-plus'

const KEY = 'jieyou.console.session'
const REFRESH_MARGIN_MS = 5 * 60 * 1000 // refresh five minutes before the id token expires

export const CONFLICT_MESSAGE = '该事项已被他人更新，请刷新后重试'

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message)
    this.status = status
    this.code = code
    this.fields = fields || {}
  }
}

// Signed-in state shared by every page: tokens, their expiry, and the person from /api/auth/me.
export const session = reactive({ tokens: null, expiresAt: 0, me: null })

let onUnauthorized = () => {}
let refreshing = null
let refreshTimer = null

export function setUnauthorizedHandler(fn) { onUnauthorized = fn }

function save() {
  if (session.tokens) {
    localStorage.setItem(KEY, JSON.stringify({ tokens: session.tokens, expiresAt: session.expiresAt }))
  } else {
    localStorage.removeItem(KEY)
  }
}

export function restoreSession() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null')
    if (saved && saved.tokens && saved.tokens.refreshToken) {
      session.tokens = saved.tokens
      session.expiresAt = saved.expiresAt || 0
      scheduleRefresh()
    }
  } catch { localStorage.removeItem(KEY) }
  return !!session.tokens
}

function acceptTokens(t) {
  session.tokens = { idToken: t.idToken, accessToken: t.accessToken, refreshToken: t.refreshToken || session.tokens?.refreshToken }
  session.expiresAt = Date.now() + (t.expiresIn || 3600) * 1000
  save()
  scheduleRefresh()
}

function scheduleRefresh() {
  clearTimeout(refreshTimer)
  // clamped: setTimeout fires at once for delays past 2^31 ms
  const wait = Math.min(Math.max(session.expiresAt - Date.now() - REFRESH_MARGIN_MS, 5000), 2 ** 31 - 1)
  refreshTimer = setTimeout(() => { refresh().catch(() => {}) }, wait)
}

export function clearSession() {
  clearTimeout(refreshTimer)
  session.tokens = null
  session.expiresAt = 0
  session.me = null
  save()
}

async function refresh() {
  if (!session.tokens) throw new ApiError(401, 'unauthorized', '请先登录')
  refreshing ||= (async () => {
    try {
      const t = await send('POST', '/api/auth/refresh', { body: { refreshToken: session.tokens.refreshToken }, auth: false })
      acceptTokens(t)
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

async function freshToken() {
  if (!session.tokens) return null
  if (Date.now() > session.expiresAt - REFRESH_MARGIN_MS) {
    try { await refresh() } catch (e) { if (e.status === 401) return expire() ; throw e }
  }
  return session.tokens?.idToken
}

function expire() {
  clearSession()
  onUnauthorized()
  throw new ApiError(401, 'unauthorized', '登录已失效，请重新登录')
}

function url(path, query) {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '' && v !== false) qs.set(k, String(v))
  }
  const s = qs.toString()
  return s ? `${path}?${s}` : path
}

async function errorOf(resp) {
  let body = null
  try { body = await resp.json() } catch { /* not JSON */ }
  const e = body && body.error
  if (e) return new ApiError(resp.status, e.code, e.message || '请求失败', e.fields)
  if (resp.status === 404) return new ApiError(404, 'no_such_endpoint', '该功能的接口尚未开通')
  return new ApiError(resp.status, 'http_' + resp.status, `请求失败（${resp.status}）`)
}

async function send(method, path, { body, query, auth = true, raw = false } = {}) {
  const headers = {}
  if (auth) {
    const token = await freshToken()
    if (!token) return expire()
    headers.Authorization = 'Bearer ' + token
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let resp
  try {
    resp = await fetch(url(path, query), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch {
    throw new ApiError(0, 'network', '网络连接失败，请检查网络后重试')
  }
  if (resp.status === 401 && auth) return expire()
  if (!resp.ok) throw await errorOf(resp)
  if (raw) return resp
  if (resp.status === 204) return null
  return resp.json()
}

// Calls the API; failures are shown with ElMessage (unless `quiet`) and rethrown as ApiError.
export async function api(method, path, opts = {}) {
  try {
    return await send(method, path, opts)
  } catch (e) {
    if (!opts.quiet && e.status !== 401) ElMessage.error(messageOf(e))
    throw e
  }
}

export function messageOf(e) {
  if (e && e.code === 'conflict') return CONFLICT_MESSAGE
  return (e && e.message) || '操作失败'
}

export const get = (path, query, opts) => api('GET', path, { ...opts, query })
export const post = (path, body, opts) => api('POST', path, { ...opts, body })
export const put = (path, body, opts) => api('PUT', path, { ...opts, body })
export const patch = (path, body, opts) => api('PATCH', path, { ...opts, body })

// Downloads a file the API builds (the .xlsx export): fetch with the bearer token, then a blob link.
export async function download(path, query, fallbackName) {
  const resp = await api('GET', path, { query, raw: true })
  const blob = await resp.blob()
  const disposition = resp.headers.get('Content-Disposition') || ''
  const m = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(disposition)
  const name = m ? decodeURIComponent(m[1] || m[2]) : fallbackName
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = name
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(link.href), 10000)
  return name
}

// --- sign-in -------------------------------------------------------------------------------------

export async function login(username, password) {
  const r = await api('POST', '/api/auth/login', { body: { username, password }, auth: false, quiet: true })
  if (r.challenge) return r // NEW_PASSWORD_REQUIRED: {challenge, session, username, message}
  acceptTokens(r)
  return null
}

export async function completeNewPassword(username, challengeSession, newPassword) {
  const r = await api('POST', '/api/auth/password', { body: { username, session: challengeSession, newPassword }, auth: false, quiet: true })
  acceptTokens(r)
}

export async function loadMe() {
  session.me = await get('/api/auth/me')
  return session.me
}

export async function logout() {
  const accessToken = session.tokens?.accessToken
  clearSession()
  if (accessToken) {
    try { await send('POST', '/api/auth/logout', { body: { accessToken }, auth: false }) } catch { /* signed out locally anyway */ }
  }
}

export function changePassword(oldPassword, newPassword) {
  return post('/api/auth/change-password', { accessToken: session.tokens?.accessToken, oldPassword, newPassword })
}

// The local stage's outbox answers only there; elsewhere its menu item stays hidden.
export async function outboxAvailable() {
  try {
    const r = await fetch('/api/dev/outbox', { method: 'GET' })
    return r.ok
  } catch { return false }
}

// First data render of the first page: the browser test reads this mark for time to interactive.
export function markReady() {
  if (window.__consoleReady === undefined) {
    window.__consoleReady = performance.now()
    performance.mark('console-ready')
  }
}
