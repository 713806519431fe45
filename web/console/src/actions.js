// The staff actions (docs/staff-api.md): Chinese label, button style and the form each one needs.
export const ACTIONS = {
  accept: { label: '接收', type: 'primary', note: 'optional' },
  stage_reply: { label: '阶段性回复', type: 'primary', fields: ['reply'] },
  conclude: { label: '办结', type: 'success', fields: ['outcome', 'answer', 'agreementReached'] },
  return: { label: '申请退回', type: 'warning', note: 'required', noteLabel: '退回原因' },
  approve_return: { label: '批准退回', type: 'success', note: 'optional' },
  reject_return: { label: '驳回退回', type: 'danger', note: 'optional' },
  dispatch: { label: '分流交办', type: 'primary', fields: ['unitId'], note: 'required', noteLabel: '交办意见' },
  escalate: { label: '上报', type: 'warning', note: 'required', noteLabel: '上报理由' },
  pause: { label: '中止计时', type: 'default', note: 'required', noteLabel: '中止原因（如专家咨询、鉴定）' },
  resume: { label: '恢复计时', type: 'default', note: 'optional' },
  request_extension: { label: '申请延期', type: 'default', fields: ['newDueAt', 'partiesAgreed'], note: 'required', noteLabel: '延期理由' },
  approve_extension: { label: '批准延期', type: 'success', note: 'optional' },
  supervise: { label: '督办', type: 'danger', note: 'optional', noteLabel: '督办意见' },
  instruct: { label: '领导批示', type: 'primary', note: 'required', noteLabel: '批示内容' },
  assess: { label: '评定难易级别', type: 'default', fields: ['severity'], note: 'optional' },
  organize_joint: { label: '组织联调联处', type: 'warning', fields: ['mode', 'unitIds'], note: 'optional' },
  confirm_joint: { label: '确认参与联调', type: 'primary', note: 'optional' },
}

export const JOINT_MODES = [
  { code: 'analysis', name: '综合研判' }, { code: 'consultation', name: '集体会商' },
  { code: 'designated', name: '指定交办' }, { code: 'joint', name: '联合调处' },
]

export const actionLabel = (code) => ACTIONS[code]?.label || code
