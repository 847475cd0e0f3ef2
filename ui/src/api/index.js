// Endpoints of docs/API-ACCOUNTS.md. Every function returns the parsed JSON (or null for 204).
import { http, apiUrl } from './client';

const enc = encodeURIComponent;

export const sessionApi = {
  login: (username, password, totp) =>
    http.post('/session', totp ? { username, password, totp } : { username, password }, { silent: true }),
  logout: () => http.del('/session', undefined, { silent: true, noRedirect: true }),
  me: (o = {}) => http.get('/me', undefined, o),
  changePassword: (oldPw, newPw) => http.post('/me/password', { old: oldPw, new: newPw }, { silent: true }),
  totpBegin: () => http.post('/me/totp', {}),
  totpConfirm: (code) => http.post('/me/totp/confirm', { code }, { silent: true }),
  totpDisable: (code) => http.del('/me/totp', { code }, { silent: true }),
  getPref: (key) => http.get(`/me/preferences/${enc(key)}`, undefined, { silent: true }),
  putPref: (key, value) => http.put(`/me/preferences/${enc(key)}`, { key, value }, { silent: true }),
};

export const usersApi = {
  list: (q) => http.get('/users', q),
  get: (id) => http.get(`/users/${enc(id)}`),
  create: (body) => http.post('/users', body),
  update: (id, body) => http.patch(`/users/${enc(id)}`, body),
  lock: (id) => http.post(`/users/${enc(id)}/lock`, {}),
  unlock: (id) => http.post(`/users/${enc(id)}/unlock`, {}),
  resetPassword: (id) => http.post(`/users/${enc(id)}/reset-password`, {}),
  resetTotp: (id) => http.post(`/users/${enc(id)}/reset-totp`, {}),
};

export const sessionsApi = {
  list: (q) => http.get('/sessions', q),
  kill: (id) => http.del(`/sessions/${enc(id)}`),
};

export const settingsApi = {
  get: () => http.get('/settings'),
  put: (body) => http.put('/settings', body),
};

export const auditApi = {
  list: (q) => http.get('/audit', q),
  logins: (q) => http.get('/audit/logins', q),
  verify: () => http.get('/audit/verify'),
  exportUrl: (q) => apiUrl('/audit/export', q),
};

export const refApi = {
  dicts: () => http.get('/dicts', undefined, { silent: true }),
  regions: (parent) => http.get('/ref/regions', parent ? { parent } : undefined),
  region: (code) => http.get(`/ref/regions/${enc(code)}`, undefined, { silent: true }),
};
