// Which menu items a role sees. The API enforces the same rules; hiding only keeps the menu honest.
export const CENTRE_STAFF = ['city_centre_staff', 'county_centre_staff', 'township_centre_staff']
export const CENTRE_LEADERS = ['city_centre_leader', 'county_centre_leader', 'township_centre_leader']
export const CENTRE = [...CENTRE_STAFF, ...CENTRE_LEADERS]
export const LEADERS = [...CENTRE_LEADERS, 'dept_leader']
export const HANDLERS = [...CENTRE, 'dept_handler', 'dept_leader', 'mediator']
export const ALL = [...HANDLERS, 'village_worker', 'admin']

export const ACCESS = {
  intake: [...CENTRE, 'village_worker'],
  query: ALL,
  tasks: [...HANDLERS, 'village_worker'],
  mine: HANDLERS,
  analysis: [...CENTRE, 'dept_leader', 'admin'],
  reports: [...CENTRE, 'dept_leader', 'admin'],
  inbox: LEADERS,
  dispatch: CENTRE,
  mediation: [...HANDLERS, 'admin'],
  followup: [...HANDLERS, 'admin'], // callbacks (回访) are the handling unit's tasks
  cms: CENTRE, // the API lets centre staff and leaders write articles and cases
  profile: ALL,
  matter: ALL,
  admin: ['admin'],
  outbox: ALL,
}

export function allowed(role, area) { return !area || (ACCESS[area] || []).includes(role) }
