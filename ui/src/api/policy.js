// Endpoints of issue 6 (docs/API-POLICY.md): policy catalogue and parameters, runs and decisions,
// the 免申即享 workflow (batches, items, objections, payments), 政策找人 and the bank whitelist.
// Every function returns the parsed JSON; errors are shown by the client unless {silent} is passed.
import { http, apiUrl, API } from './client';

const enc = encodeURIComponent;

export const catalogueApi = {
  get: () => http.get('/policies'),
  setParam: (name, body) => http.put(`/policies/params/${enc(name)}`, body, { silent: true }),
  budgets: (year) => http.get('/policy-budgets', { year }),
  setBudget: (policy, year, budgetFen) => http.put(`/policy-budgets/${enc(policy)}/${enc(year)}`, { budget_fen: budgetFen }),
  settings: () => http.get('/policy-settings'),
  setSettings: (policy, body) => http.put(`/policy-settings/${enc(policy)}`, body),
};

export const runsApi = {
  list: (q) => http.get('/policy-runs', q),
  get: (id, o) => http.get(`/policy-runs/${enc(id)}`, undefined, o),
  start: (policy, asOf) => http.post('/policy-runs', { policy, as_of: asOf }, { silent: true }),
  decisions: (id, q) => http.get(`/policy-runs/${enc(id)}/decisions`, q),
  decisionsExportUrl: (id, q) => apiUrl(`${API}/policy-runs/${enc(id)}/decisions/export`, q),
  decision: (id, entity, policy) => http.get(`/policy-runs/${enc(id)}/decisions/${enc(entity)}`, policy ? { policy } : undefined, { silent: true }),
  reasons: (id, policy) => http.get(`/policy-runs/${enc(id)}/reasons`, policy ? { policy } : undefined),
  diff: (a, b, q) => http.get(`/policy-runs/${enc(a)}/diff/${enc(b)}`, q, { silent: true }),
  createBatch: (id, policy) => http.post(`/policy-runs/${enc(id)}/batches`, { policy }),
};

export const batchesApi = {
  list: (q) => http.get('/policy-batches', q),
  get: (id) => http.get(`/policy-batches/${enc(id)}`),
  items: (id, q) => http.get(`/policy-batches/${enc(id)}/items`, q),
  review: (id) => http.post(`/policy-batches/${enc(id)}/review`, {}),
  approve: (id) => http.post(`/policy-batches/${enc(id)}/approve`, {}, { silent: true }),
  notice: (id, days) => http.post(`/policy-batches/${enc(id)}/notice`, days ? { days } : {}),
  push: (id) => http.post(`/policy-batches/${enc(id)}/push`, {}),
  pay: (id, paidOn, prefix) => http.post(`/policy-batches/${enc(id)}/payments`, { paid_on: paidOn, reference_prefix: prefix }),
};

export const itemsApi = {
  exclude: (id, reason) => http.post(`/policy-items/${enc(id)}/exclude`, { reason }),
  objections: (id) => http.get(`/policy-items/${enc(id)}/objections`),
  addObjection: (id, text, by) => http.post(`/policy-items/${enc(id)}/objections`, { text, by }),
  handleObjection: (id, outcome, note) => http.post(`/policy-objections/${enc(id)}/handle`, { outcome, note }),
  confirm: (id, accept) => http.post(`/policy-items/${enc(id)}/confirm`, { accept }),
  repay: (id, body) => http.post(`/policy-items/${enc(id)}/repay`, body),
  history: (id) => http.get(`/policy-items/${enc(id)}/history`),
};

export const paymentsApi = {
  list: (q) => http.get('/policy-payments', q),
  fail: (id, reason) => http.post(`/policy-payments/${enc(id)}/fail`, { reason }),
  contact: (id, note) => http.post(`/policy-payments/${enc(id)}/contact`, { note }),
};

export const noticesApi = {
  list: (q) => http.get('/policy-notices', q),
};

export const forYouApi = {
  mine: () => http.get('/me/policies'),
  enterprise: (id) => http.get(`/enterprises/${enc(id)}/policies`, undefined, { silentCodes: [404] }),
};

export const whitelistApi = {
  list: (q) => http.get('/loan-whitelist', q),
  exportUrl: (q) => apiUrl(`${API}/loan-whitelist/export`, q),
};
