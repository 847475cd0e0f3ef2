// Endpoints of the enterprise employment guarantee (issue 4, docs/FIRMS.md, api/openapi.json).
// Every function returns the parsed JSON (or null for 204); lists answer {items, total, next_cursor}.
import { http, apiUrl, request, API } from './client';

const enc = encodeURIComponent;

export const firmsRefApi = {
  industries: (q, limit = 20) => http.get('/ref/industries', { q, limit }, { silent: true }),
  industry: (code) => http.get(`/ref/industries/${enc(code)}`, undefined, { silent: true }),
  occupations: (q, limit = 20) => http.get('/ref/occupations', { q, level: 'occupation', limit }, { silent: true }),
  skillLevels: () => http.get('/ref/skill-levels', undefined, { silent: true }),
};

export const enterprisesApi = {
  list: (q) => http.get('/enterprises', q),
  get: (id, o = {}) => http.get(`/enterprises/${enc(id)}`, undefined, o),
  create: (body) => http.post('/enterprises', body),
  update: (id, body) => http.patch(`/enterprises/${enc(id)}`, body),
  exportUrl: (q) => apiUrl('/enterprises/export', q),
  templateUrl: (format) => apiUrl('/imports/templates/enterprises', format ? { format } : undefined),
  /** Uploads a CSV/XLSX file as the request body; resolves with the import report (also on 422). */
  async import(file, mode) {
    const url = apiUrl('/imports', { kind: 'enterprises', mode, file_name: file.name });
    const res = await fetch(url, {
      method: 'POST', body: file, credentials: 'same-origin', cache: 'no-store',
      headers: { 'X-Requested-With': 'nineplus', Accept: 'application/json', 'Content-Type': 'application/octet-stream' },
    });
    let json = null;
    try { json = await res.json(); } catch { json = null; }
    return { status: res.status, body: json };
  },
  importErrorsUrl: (id) => `${API}/imports/${enc(id)}/errors`,
  timeline: (id, q) => http.get(`/enterprises/${enc(id)}/timeline`, q),
  serviceLogs: (id, q) => http.get(`/enterprises/${enc(id)}/service-logs`, q),
  addServiceLog: (id, body) => http.post(`/enterprises/${enc(id)}/service-logs`, body),
  demands: (id, q) => http.get(`/enterprises/${enc(id)}/demands`, q),
  addDemand: (id, body) => http.post(`/enterprises/${enc(id)}/demands`, body),
  plan: (id) => http.get(`/enterprises/${enc(id)}/plan`),
  addMeasure: (id, body) => http.post(`/enterprises/${enc(id)}/plan`, body),
};

export const demandsApi = {
  list: (q) => http.get('/demands', q),
  get: (id) => http.get(`/demands/${enc(id)}`),
  update: (id, body) => http.patch(`/demands/${enc(id)}`, body),
  history: (id) => http.get(`/demands/${enc(id)}/history`),
  hires: (id) => http.get(`/demands/${enc(id)}/hires`),
  addHire: (id, body) => http.post(`/demands/${enc(id)}/hires`, body),
  exportUrl: (q) => apiUrl('/demands/export', q),
  shortage: (q) => http.get('/shortage', q),
};

export const plansApi = {
  updateMeasure: (id, body) => http.patch(`/plan-measures/${enc(id)}`, body),
  overdue: (q) => http.get('/plans/overdue', q),
};

export const projectsApi = {
  list: (q) => http.get('/projects', q),
  get: (id) => http.get(`/projects/${enc(id)}`),
  create: (body) => http.post('/projects', body),
  update: (id, body) => http.patch(`/projects/${enc(id)}`, body),
};

export const zonesApi = {
  list: (q) => http.get('/zones', q),
  create: (body) => http.post('/zones', body),
  update: (id, body) => http.patch(`/zones/${enc(id)}`, body),
};

export const teamsApi = {
  list: (q) => http.get('/teams', q),
  get: (id) => http.get(`/teams/${enc(id)}`),
  create: (body) => http.post('/teams', body),
  update: (id, body) => http.patch(`/teams/${enc(id)}`, body),
  addMember: (id, body) => http.post(`/teams/${enc(id)}/members`, body),
  removeMember: (id, mid) => http.del(`/teams/${enc(id)}/members/${enc(mid)}`),
};

export const specialistsApi = {
  list: (q) => http.get('/specialists', q),
  get: (id) => http.get(`/specialists/${enc(id)}`),
  create: (body) => http.post('/specialists', body),
  update: (id, body) => http.patch(`/specialists/${enc(id)}`, body),
  myEnterprises: (q) => request('GET', '/specialists/me/enterprises', { query: q, silentCodes: ['not_a_specialist'] }),
  assignments: (id, q) => http.get(`/specialists/${enc(id)}/assignments`, q),
  assign: (id, body) => http.post(`/specialists/${enc(id)}/assignments`, body),
  endAssignment: (aid) => http.del(`/assignments/${enc(aid)}`),
  coverage: (q) => http.get('/coverage', q),
};

export const gridApi = {
  list: (q) => http.get('/grid', q),
  get: (id) => http.get(`/grid/${enc(id)}`),
  update: (id, body) => http.patch(`/grid/${enc(id)}`, body),
};

export const alertsApi = {
  list: (q) => http.get('/alerts', q),
  get: (id) => http.get(`/alerts/${enc(id)}`),
  ack: (id, body) => http.post(`/alerts/${enc(id)}/ack`, body),
  resolve: (id, body) => http.post(`/alerts/${enc(id)}/resolve`, body),
  report: (q) => http.get('/alerts/report', q),
  rules: () => http.get('/alert-rules'),
  putRules: (items) => http.put('/alert-rules', { items }),
};
