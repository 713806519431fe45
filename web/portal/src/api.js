// One fetch wrapper: a timeout for slow networks, and errors carrying the API's Chinese message.
const API = './api'
const TIMEOUT_MS = 20000

export class ApiError extends Error {
  constructor(status, code, message, fields = {}, network = false) {
    super(message)
    Object.assign(this, { status, code, fields, network })
  }
}

export async function request(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  const ctrl = typeof AbortController === 'function' ? new AbortController() : null
  const timer = ctrl && setTimeout(() => ctrl.abort(), TIMEOUT_MS)
  if (ctrl) init.signal = ctrl.signal
  let res
  try {
    res = await fetch(API + path, init)
  } catch (e) {
    throw new ApiError(0, 'network', '网络连接不畅，请检查网络后重试（已填写的内容不会丢失）', {}, true)
  } finally {
    if (timer) clearTimeout(timer)
  }
  const text = await res.text().catch(() => '')
  let data = null
  try { data = text ? JSON.parse(text) : null } catch (e) { data = null }
  if (!res.ok) {
    const err = data && data.error
    if (err && typeof err === 'object') {
      throw new ApiError(res.status, String(err.code || ''), String(err.message || '请求未成功，请稍后重试'),
        err.fields && typeof err.fields === 'object' ? err.fields : {})
    }
    throw new ApiError(res.status, `http_${res.status}`, `服务暂时不可用（${res.status}），请稍后重试`)
  }
  return data
}

export const get = (path, headers) => request('GET', path, undefined, headers)
export const post = (path, body, headers) => request('POST', path, body, headers)

let catalogPromise = null
/** The catalog (kinds, categories, region tree) once per page, kept for the session. */
export function catalog() {
  if (!catalogPromise) {
    let cached = null
    try { cached = JSON.parse(sessionStorage.getItem('jieyou.catalog') || 'null') } catch (e) { cached = null }
    catalogPromise = cached ? Promise.resolve(cached) : get('/catalog').then((c) => {
      try { sessionStorage.setItem('jieyou.catalog', JSON.stringify(c)) } catch (e) { /* full */ }
      return c
    })
    catalogPromise.catch(() => { catalogPromise = null })
  }
  return catalogPromise
}

/** Upload one file with the presigned POST: every field, then the file last. */
export async function uploadEvidence(trackingCode, auth, file) {
  const up = await post(`/matters/${encodeURIComponent(trackingCode)}/evidence/uploads`,
    { ...auth, contentType: file.type || 'application/octet-stream', name: file.name })
  const form = new FormData()
  Object.entries(up.fields).forEach(([k, v]) => form.append(k, v))
  form.append('file', file)
  let res
  try {
    res = await fetch(up.url, { method: 'POST', body: form })
  } catch (e) {
    throw new ApiError(0, 'network', '材料上传失败，请检查网络后重试', {}, true)
  }
  if (!res.ok) throw new ApiError(res.status, 'upload_failed', `材料上传失败（${res.status}），请重试`)
  return post(`/matters/${encodeURIComponent(trackingCode)}/evidence`, { ...auth, key: up.key, name: file.name })
}

export const citizen = {
  token() { try { const t = JSON.parse(sessionStorage.getItem('jieyou.citizen') || 'null'); return t && t.exp > Date.now() ? t : null } catch (e) { return null } },
  save(token, expiresIn, phone) { try { sessionStorage.setItem('jieyou.citizen', JSON.stringify({ token, phone, exp: Date.now() + (expiresIn - 30) * 1000 })) } catch (e) { /* ignore */ } },
  clear() { try { sessionStorage.removeItem('jieyou.citizen') } catch (e) { /* ignore */ } },
}
