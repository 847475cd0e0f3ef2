// Helpers of the policy pages (issue 6): the engine's values as readable text, the decision trace
// (src/policy/eval.c np_policy_eval_one) as readable lines, policy and run-state labels.
import { i18n } from '@/i18n';

const t = (...a) => i18n.global.t(...a);
const te = (k) => i18n.global.te(k);
const isEn = () => i18n.global.locale.value === 'en';

/** Fen (integer or numeric string) → "1,500" / "7,548.50" yuan text; '' for null. */
export function fenText(f) {
  if (f === null || f === undefined || f === '') return '';
  const n = Number(f);
  if (!Number.isFinite(n)) return String(f);
  return (n / 100).toLocaleString('zh-CN', { minimumFractionDigits: n % 100 ? 2 : 0, maximumFractionDigits: 2 });
}

/** Yuan in the engine's text form ("1500.00", "-3.5") → "1,500" / "-3.50". */
export function yuanText(s) {
  if (s === null || s === undefined || s === '') return '';
  const n = Number(String(s).replace(/,/g, ''));
  if (!Number.isFinite(n)) return String(s);
  return n.toLocaleString('zh-CN', { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 });
}

/** Amount of a record in yuan text: amount_fen (number) wins, then amount (engine yuan text). */
export function amountText(o) {
  if (!o) return '';
  if (o.amount_fen !== undefined && o.amount_fen !== null) return fenText(o.amount_fen);
  if (o.amount !== undefined && o.amount !== null) return yuanText(o.amount);
  return '';
}

/** Yuan input → integer fen (exact, no floats); NaN when malformed, null when empty. */
export function toFen(v) {
  if (v === null || v === undefined || v === '') return null;
  const s = String(v).trim();
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return NaN;
  const neg = s.startsWith('-');
  const [i, f = ''] = s.replace('-', '').split('.');
  const r = Number(i) * 100 + Number((f + '00').slice(0, 2));
  return neg ? -r : r;
}

/**
 * One value as the engine writes it in a trace ("3.2000% (4/125)", "1500.00", "36 months", "5.5%",
 * "true", "unknown", "2023-10-01", "C") → readable text in the current language. `type` (optional)
 * says money/rate/… when the API gives it.
 */
export function valueText(v, type) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? t('policy.val.true') : t('policy.val.false');
  if (typeof v === 'number') {
    if (type === 'money') return `${fenText(v)} ${t('policy.val.yuan')}`;
    return String(v);
  }
  const s = String(v).trim();
  if (s === 'unknown') return t('policy.val.unknown');
  if (s === 'true') return t('policy.val.true');
  if (s === 'false') return t('policy.val.false');
  if (s === 'open') return t('policy.val.open');
  let m = /^(-?\d+(?:\.\d+)?)%\s*\((-?\d+)\/(\d+)\)$/.exec(s);   // exact ratio with its reading
  if (m) return `${trimZeros((Math.round(Number(m[1]) * 100) / 100).toFixed(2))}%`;
  m = /^(-?\d+(?:\.\d+)?)%$/.exec(s);
  if (m) return `${trimZeros(m[1])}%`;
  m = /^(-?\d+(?:\.\d+)?)\s*\((-?\d+)\/(\d+)\)$/.exec(s);          // exact money fraction (yuan)
  if (m) return `${yuanText(Number(m[1]).toFixed(2))} ${t('policy.val.yuan')}`;
  m = /^(-?\d+) (days|months)$/.exec(s);
  if (m) return t(`policy.val.${m[2]}`, { n: m[1] });
  if (type === 'money' || (/^-?\d+\.\d{2}$/.test(s) && type !== 'rate' && type !== 'int')) return `${yuanText(s)} ${t('policy.val.yuan')}`;
  return s;
}

function trimZeros(x) {
  if (!x.includes('.')) return x;
  return x.replace(/0+$/, '').replace(/\.$/, '');
}

/** zh / en text of an object carrying {zh, en} (or name_zh / name_en, label_zh / label_en). */
export function bi(o, fallback = '') {
  if (!o) return fallback;
  if (typeof o === 'string') return o;
  const zh = o.zh ?? o.name_zh ?? o.label_zh ?? o.message_zh ?? o.title_zh;
  const en = o.en ?? o.name_en ?? o.label_en ?? o.message_en ?? o.title_en;
  return (isEn() ? en || zh : zh || en) || o.message || o.name || fallback;
}

/** Policy name from a policy object or code (catalogue lookup map optional). */
export function policyName(p, byCode) {
  if (!p) return '';
  if (typeof p === 'string') return byCode && byCode[p] ? bi(byCode[p], p) : (te(`policy.codes.${p}`) ? t(`policy.codes.${p}`) : p);
  return bi(p, p.code || '');
}

/** Label of a reason code (criterion message when given, fixed codes translated, else the code). */
export function reasonLabel(code, message) {
  if (code === null || code === undefined || code === '') return t('policy.reason.eligible');
  if (message) return bi(message) || code;
  if (te(`policy.reason.${code}`)) return t(`policy.reason.${code}`);
  return code;
}

/** A comparable reading of an engine value: a number (rates in percent, money in yuan), a date text, or null. */
export function numericOf(v) {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  let m = /^(-?\d+)\/(\d+)$/.exec(s);
  if (m) return Number(m[1]) / Number(m[2]);
  m = /\((-?\d+)\/(\d+)\)$/.exec(s);
  if (m) return (Number(m[1]) / Number(m[2])) * (s.includes('%') ? 100 : 1);
  m = /^(-?\d+(?:\.\d+)?)\s*(%|days|months)?$/.exec(s);
  if (m) return Number(m[1]);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  return null;
}

/** The true relation between an observed and a threshold value ("≤", "≥", "=", "<", ">"), '' when not comparable. */
export function relation(observed, threshold, passed) {
  const a = numericOf(observed);
  const b = numericOf(threshold);
  if (a === null || b === null || typeof a !== typeof b) return '';
  const eq = typeof a === 'number' ? Math.abs(a - b) < 1e-9 : a === b;
  if (eq) return '=';
  if (passed) return a < b ? '≤' : '≥';
  return a < b ? '<' : '>';
}

const OP_TEXT = { '<=': '≤', '>=': '≥', '<': '<', '>': '>', '=': '=', '!=': '≠' };
const OP_NEG = { '<=': '>', '>=': '<', '<': '≥', '>': '≤', '=': '≠', '!=': '=' };

/** The parameters whose values equal a criterion's threshold: where the threshold comes from. */
function sourcesFor(crit, params) {
  const th = crit.threshold;
  if (th === undefined || th === null || th === '') return [];
  const want = valueText(th);
  const out = [];
  for (const p of params || []) {
    if (valueText(p.value) === want && !out.some((x) => x.name === p.name)) out.push({ ...p, label: bi(p, p.name) });
  }
  return out;
}

/** pass | fail | unknown | skipped of a criterion ({passed: bool|null} from the API, {result} from the trace). */
function resultOf(c, afterFailure) {
  if (c.result) return c.result;
  if (c.passed === true) return 'pass';
  if (c.passed === false) return 'fail';
  return afterFailure ? 'skipped' : 'unknown';
}

/**
 * Criteria as readable lines. criteria: [{code, zh, en, passed|result, observed, threshold, competing, op}],
 * params: [{name, zh, en, value, reference, national}] (the values the decision used), crits: the catalogue's
 * criteria of the version (adds those the engine did not reach). Each line:
 * {code, result: pass|fail|unknown|skipped, text, cmp, sources, line}; "line" reads e.g.
 * "上年度裁员率 3.2% ≤ 5.5%（鲁人社…）✓".
 */
export function criteriaLines(criteria, params, crits) {
  const lines = [];
  if (!Array.isArray(criteria)) return lines;
  const defs = {};
  for (const c of crits || []) defs[c.code] = c;
  let failed = false;
  for (const c of criteria) {
    const def = defs[c.code] || {};
    const text = bi(c.zh || c.en ? c : def, c.code);
    const result = resultOf(c, failed);
    if (result === 'fail' || result === 'unknown') failed = true;
    const hasObs = c.observed !== undefined && c.observed !== null && c.observed !== '';
    const hasThr = c.threshold !== undefined && c.threshold !== null && c.threshold !== '';
    const rawOp = c.op || def.op || '';
    const ok = result === 'pass';
    let cmp = '';
    if (result !== 'skipped') {
      if (hasObs && hasThr) {
        const op = rawOp ? (ok ? OP_TEXT[rawOp] : OP_NEG[rawOp]) : relation(c.observed, c.threshold, ok);
        cmp = op ? `${valueText(c.observed)} ${op} ${valueText(c.threshold)}`
          : t('policy.explain.obsThr', { o: valueText(c.observed), th: valueText(c.threshold) });
      } else if (hasObs) {
        cmp = t('policy.explain.obs', { o: valueText(c.observed) });
      }
    }
    const sources = result === 'skipped' ? [] : sourcesFor(c, params);
    const refs = sources.map((s) => s.reference).filter(Boolean);
    const mark = { pass: '✓', fail: '✗', unknown: '?', skipped: '' }[result];
    const line = result === 'skipped'
      ? `${text}${t('policy.explain.sep')}${t('policy.explain.notReached')}`
      : [text, cmp].filter(Boolean).join(t('policy.explain.sep')) + (refs.length ? t('policy.explain.ref', { r: shortRef(refs[0]) }) : '') + ` ${mark}`;
    lines.push({ code: c.code, result, text, observed: c.observed, threshold: c.threshold, cmp, sources, line, competing: c.competing || '' });
  }
  for (const d of crits || []) {
    if (!criteria.some((c) => c.code === d.code)) {
      const text = bi(d, d.code);
      lines.push({ code: d.code, result: 'skipped', text, sources: [], cmp: '', line: `${text}${t('policy.explain.sep')}${t('policy.explain.notReached')}` });
    }
  }
  return lines;
}

/** A legal reference cut to its first source (the full text shows in a tooltip). */
export function shortRef(r) {
  if (!r) return '';
  const s = String(r).split(/;\s*/)[0];
  return s.length > 60 ? `${s.slice(0, 58)}…` : s;
}

/** The first failing criterion line (or null). */
export function firstFailing(lines) {
  return (lines || []).find((l) => l.result === 'fail' || l.result === 'unknown') || null;
}

// Run and workflow states → tag colours (labels in policy.state.*).
export const STATE_TAG = {
  queued: 'info', pending: 'info', running: 'primary', done: 'success', succeeded: 'success', completed: 'success', failed: 'danger',
  draft: 'info', computed: 'info', reviewing: 'warning', reviewed: 'primary', approved: 'primary', notice: 'warning', publicising: 'warning',
  published: 'success', pushed: 'success', paying: 'warning', paid: 'success', closed: 'info', rejected: 'danger',
};

/** Label of a state (run or workflow); the raw value when unknown. */
export function stateLabel(s) {
  if (!s) return '';
  return te(`policy.state.${s}`) ? t(`policy.state.${s}`) : s;
}

/** Whether a run is finished (no more polling). */
export function runFinished(run) {
  const s = run && run.status;
  return !!s && !['queued', 'pending', 'running'].includes(s);
}

/** Progress of a run in percent (0–100), from progress (0–1 or 0–100) or done/total. */
export function runPercent(run) {
  if (!run) return 0;
  if (runFinished(run) && run.status !== 'failed') return 100;
  let p = run.progress;
  if (p && typeof p === 'object') p = p.percent ?? (p.total ? (100 * p.done) / p.total : 0);
  if (typeof p !== 'number') p = Number(run.progress_percent || 0);
  if (p > 0 && p <= 1 && !Number.isInteger(p)) p *= 100;
  return Math.max(0, Math.min(100, Math.round(p)));
}

/** Today's civil date in Asia/Shanghai (YYYY-MM-DD). */
export function todayShanghai() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** A list response's items whatever it is called ({items}, {policies}, a bare array). */
export function itemsOf(res, ...keys) {
  if (Array.isArray(res)) return res;
  if (!res) return [];
  for (const k of ['items', ...keys]) if (Array.isArray(res[k])) return res[k];
  return [];
}

/** Permission names of the policy actions (docs/API-POLICY.md) with the fallback roles (docs/UI.md). */
export const P = {
  read: 'policy.read',
  run: 'policy.run',
  review: 'policy.review',
  approve: 'policy.approve',
  publish: 'policy.publish',
  pay: 'policy.pay',
  params: 'policy.params',
};
export const R = {
  run: ['province_staff'],
  review: ['county_staff'],
  approve: ['city_staff'],
  publish: ['province_staff', 'city_staff'],
  pay: ['county_staff', 'city_staff'],
  params: ['province_staff'],
};
