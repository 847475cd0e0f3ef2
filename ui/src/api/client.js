// fetch wrapper for /api/v1: CSRF header, cookie session, error envelope, one message per failure,
// and the redirects the server asks for (401 → login, 403 password_change_required / mfa_enrolment_required).
import { ElMessage } from 'element-plus';
import { i18n } from '@/i18n';

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message, field, body) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.field = field || '';
    this.serverMessage = message || '';
    this.body = body;
    this.handled = false; // true when a message was already shown or a redirect happened
  }
}

// Codes of a login attempt: the login page shows them itself and they never mean "session gone".
const LOGIN_CODES = new Set(['invalid_credentials', 'mfa_required', 'mfa_invalid', 'account_locked', 'account_disabled']);

let hooks = {
  unauthorized: () => {},
  passwordChangeRequired: () => {},
  mfaEnrolmentRequired: () => {},
};

/** Registers navigation hooks (set by the router; keeps this module free of router imports). */
export function setApiHooks(h) {
  hooks = { ...hooks, ...h };
}

/** Builds "/api/v1/x?a=1&b=2", dropping empty values; arrays repeat the key. */
export function apiUrl(path, query) {
  const url = path.startsWith('/api/') ? path : API + path;
  if (!query) return url;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `${url}?${s}` : url;
}

// Codes whose meaning is fixed: shown in the console's language (the server writes English).
// Every other code shows the server's message, which says exactly what was wrong.
const LOCAL_CODES = new Set(['invalid_credentials', 'account_disabled', 'mfa_required', 'mfa_invalid',
  'password_reused', 'unauthorized', 'forbidden', 'too_many_requests', 'rate_limited']);

/** The text shown for an error: local text for fixed-meaning codes, else the server's message. */
export function errorText(err) {
  const t = i18n.global.t;
  const te = i18n.global.te;
  if (err.code === 'account_locked') {
    const m = /(\d+)\s*(?:minute|分钟)/i.exec(err.serverMessage || '');
    return t('errors.account_locked_n', { n: m ? Number(m[1]) : 15 });
  }
  if (LOCAL_CODES.has(err.code) && te(`errors.${err.code}`)) return t(`errors.${err.code}`);
  if (err.serverMessage) return err.serverMessage;
  if (err.code && te(`errors.${err.code}`)) return t(`errors.${err.code}`);
  if (err.status === 0) return t('errors.network');
  return t('errors.http', { status: err.status });
}

function showError(err) {
  ElMessage({ type: 'error', message: errorText(err), grouping: true, showClose: true, duration: 4000 });
  err.handled = true;
}

/**
 * One API call. opts: query, body (object → JSON), silent (no message: the caller shows it),
 * silentCodes (codes the caller handles), raw (return the Response).
 * Resolves with the parsed JSON (null for 204); rejects with ApiError.
 */
export async function request(method, path, opts = {}) {
  const headers = { 'X-Requested-With': 'nineplus', Accept: 'application/json' };
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method, headers, body, credentials: 'same-origin', cache: 'no-store', signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    const err = new ApiError(0, 'network', '', '', null);
    if (!opts.silent) showError(err);
    throw err;
  }
  if (opts.raw && res.ok) return res;
  const text = res.status === 204 ? '' : await res.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (res.ok) return json;

  const env = (json && json.error) || {};
  const err = new ApiError(res.status, env.code || '', env.message || '', env.field || '', json);
  const isLogin = LOGIN_CODES.has(err.code);
  if (res.status === 401 && !isLogin && !opts.noRedirect) {
    err.handled = true;
    hooks.unauthorized(err);
    throw err;
  }
  if (res.status === 403 && err.code === 'password_change_required') {
    err.handled = true;
    hooks.passwordChangeRequired(err);
    throw err;
  }
  if (res.status === 403 && err.code === 'mfa_enrolment_required') {
    err.handled = true;
    hooks.mfaEnrolmentRequired(err);
    throw err;
  }
  const silentCodes = opts.silentCodes || [];
  if (!opts.silent && !silentCodes.includes(err.code) && !silentCodes.includes(res.status)) showError(err);
  throw err;
}

export const http = {
  get: (p, query, o = {}) => request('GET', p, { ...o, query }),
  post: (p, body, o = {}) => request('POST', p, { ...o, body }),
  put: (p, body, o = {}) => request('PUT', p, { ...o, body }),
  patch: (p, body, o = {}) => request('PATCH', p, { ...o, body }),
  del: (p, body, o = {}) => request('DELETE', p, { ...o, body }),
};
