// Endpoints of issue 5 (docs/MATCH_SEEKERS.md, docs/MATCH_SHARING.md, src/match/api_match.c):
// seekers, referrals, matching, batches, sharing, partner keys. Every function returns the parsed JSON.
import { http, apiUrl, API, ApiError, errorText } from './client';
import { ElMessage } from 'element-plus';

const enc = encodeURIComponent;

/**
 * Sends a file as the request body (imports, batches). Resolves with the JSON; rejects with ApiError
 * whose `body` keeps the server's answer (row errors of a refused import). opts.silent: no toast.
 */
export async function uploadFile(path, query, file, opts = {}) {
  const headers = { 'X-Requested-With': 'nineplus', Accept: 'application/json',
    'Content-Type': file.type || 'application/octet-stream' };
  let res;
  try {
    res = await fetch(apiUrl(path, query), { method: 'POST', headers, body: file, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    const err = new ApiError(0, 'network', '', '', null);
    if (!opts.silent) ElMessage.error(errorText(err));
    throw err;
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.ok) return json;
  const env = (json && json.error) || {};
  const err = new ApiError(res.status, env.code || '', env.message || '', env.field || '', json);
  if (!opts.silent) { ElMessage({ type: 'error', message: errorText(err), grouping: true, showClose: true }); err.handled = true; }
  throw err;
}

export const seekersApi = {
  list: (q) => http.get('/seekers', q),
  get: (id, unmask = false) => http.get(`/seekers/${enc(id)}`, unmask ? { unmask: 1 } : undefined),
  create: (body) => http.post('/seekers', body, { silent: true }),
  update: (id, body) => http.patch(`/seekers/${enc(id)}`, body),
  matches: (id, q) => http.get(`/seekers/${enc(id)}/matches`, q),
  importFile: (file, mode) => uploadFile('/seekers/import', { mode, file_name: file.name }, file, { silent: true }),
  templateUrl: () => `${API}/imports/templates/seekers`,
  importErrorsUrl: (id) => `${API}/imports/${enc(id)}/errors`,
  register: (body) => http.post('/public/seekers', body, { silent: true }),
};

export const matchApi = {
  candidates: (demandId, q) => http.get(`/demands/${enc(demandId)}/candidates`, q),
  explain: (q) => http.get('/match/explain', q),
  index: () => http.get('/match/index'),
  demands: (q) => http.get('/demands', q),
  demand: (id) => http.get(`/demands/${enc(id)}`),
  /** Public "jobs near me" (GET /api/v1/public/jobs?lat=&lon=&radius_km=&occupation=): not on the server yet. */
  publicJobs: (q) => http.get('/public/jobs', q, { silent: true }),
};

export const referralsApi = {
  list: (q) => http.get('/referrals', q),
  get: (id) => http.get(`/referrals/${enc(id)}`),
  create: (body) => http.post('/referrals', body),
  move: (id, status, reason, version) => http.patch(`/referrals/${enc(id)}`,
    { status, ...(reason ? { reason } : {}), ...(version ? { version } : {}) }),
};

export const batchesApi = {
  list: (q) => http.get('/batches', q),
  get: (id) => http.get(`/batches/${enc(id)}`),
  create: (file, name, region) => uploadFile('/batches', { name, region, file_name: file.name }, file, { silent: true }),
  run: (id) => http.post(`/batches/${enc(id)}/run`, {}),
  commit: (id) => http.post(`/batches/${enc(id)}/commit`, {}),
};

export const sharingApi = {
  board: (q) => http.get('/sharing/board', q),
  posts: (q) => http.get('/sharing/posts', q),
  post: (id) => http.get(`/sharing/posts/${enc(id)}`),
  createPost: (body) => http.post('/sharing/posts', body),
  closePost: (id, reason, version) => http.patch(`/sharing/posts/${enc(id)}`, { status: 'closed', ...(reason ? { reason } : {}), ...(version ? { version } : {}) }),
  pairings: (id, q) => http.get(`/sharing/posts/${enc(id)}/pairings`, q),
  agreements: (q) => http.get('/sharing/agreements', q),
  createAgreement: (body) => http.post('/sharing/agreements', body),
  moveAgreement: (id, status, version) => http.patch(`/sharing/agreements/${enc(id)}`, { status, ...(version ? { version } : {}) }),
};

export const matchConfigApi = {
  get: () => http.get('/match/config'),
  put: (body) => http.put('/match/config', body),
};

export const partnerKeysApi = {
  list: () => http.get('/partner-keys'),
  create: (body) => http.post('/partner-keys', body),
  revoke: (id) => http.del(`/partner-keys/${enc(id)}`),
};

export const occupationsApi = {
  search: (q, limit = 20) => http.get('/ref/occupations', { q, level: 'occupation', limit }, { silent: true }),
  skillLevels: () => http.get('/ref/skill-levels', undefined, { silent: true }),
};
