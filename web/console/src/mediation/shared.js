// Names and helpers shared by 调解记录, 视频调解, 司法确认 and the callbacks of 跟踪问效.
export const MODES = { video: '视频调解', in_person: '现场调解' }
export const ROLES = { mediator: '调解员', party: '当事人', unit: '邀请单位' }
export const PERFORMANCE = { carried_out: '已履行', partly: '部分履行', not: '未履行' }
export const CALLBACK_RESULTS = { satisfied: '满意', unsatisfied: '不满意', recurred: '问题反弹' }
export const base = (matterId) => `/api/staff/matters/${matterId}`

// The join page takes the mediator's seat in its fragment (never sent to a server).
export function meetingUrl(matterId, sessionId, seat) {
  const encoded = btoa(unescape(encodeURIComponent(JSON.stringify(seat))))
  return `/meeting.html#m=${matterId}&s=${sessionId}&seat=${encodeURIComponent(encoded)}`
}

export function fileAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(reader.result)
    reader.onerror = reject
    reader.readAsDataURL(file)
  })
}
