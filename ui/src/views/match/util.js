// Helpers of the issue-5 pages: ID number checksum (GB 11643), money in fen, the matching engine's
// explanation as readable reasons, labels of the small dictionaries the server does not publish.
import { i18n } from '@/i18n';

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/**
 * Client-side hint for a resident ID number: '' when plausible, else an i18n key
 * (length, charset, birth date, check character). The server validates for real.
 */
export function idNumberProblem(v) {
  const s = String(v || '').trim().toUpperCase();
  if (!s) return '';
  if (s.length !== 18) return 'match.id.length';
  if (!/^\d{17}[\dX]$/.test(s)) return 'match.id.charset';
  const y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14);
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d || dt > new Date()) return 'match.id.birth';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (+s[i]) * W[i];
  if (CHECK[sum % 11] !== s[17]) return 'match.id.check';
  return '';
}

/** Yuan (number or string) → fen (integer), null when empty/invalid. */
export function yuanToFen(v) {
  if (v === '' || v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n * 100) : null;
}

/** Fen → "7,548" yuan (no decimals unless needed). */
export function fenText(f) {
  if (f === null || f === undefined || f === '') return '';
  const y = Number(f) / 100;
  return y.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
}

/** "5,129–7,629 元/月" from a min/max pair in fen. */
export function salaryRange(min, max) {
  const t = i18n.global.t;
  if (!min && !max) return t('match.salary.none');
  if (min && max) return t('match.salary.range', { a: fenText(min), b: fenText(max) });
  return t('match.salary.one', { a: fenText(min || max) });
}

export function kmText(km) {
  if (km === null || km === undefined) return '';
  const n = Number(km);
  return n < 10 ? n.toFixed(1) : n.toFixed(n < 100 ? 1 : 0);
}

const EDU = ['none', 'junior_middle', 'senior_middle', 'secondary_vocational', 'junior_college', 'bachelor', 'master', 'doctorate'];
export const EDUCATION_VALUES = EDU;
export function educationLabel(v) {
  const t = i18n.global.t;
  const key = typeof v === 'number' ? EDU[v - 1] : v;
  return key ? t(`match.edu.${key}`) : '';
}

export const SKILL_LEVELS = [1, 2, 3, 4, 5, 6, 7, 8];
export function skillLabel(n) {
  if (!n) return '';
  return i18n.global.t(`match.skill.${n}`);
}

export const SEEKER_STATUS = { seeking: 'success', employed: 'primary', withdrawn: 'info' };
export const CATEGORIES = ['graduate', 'unemployed', 'hardship', 'youth', 'outside_province'];
export const REFERRAL_STAGES = ['recommended', 'contacted', 'interviewed', 'hired', 'declined'];
export const REFERRAL_TAG = { recommended: 'info', contacted: 'primary', interviewed: 'warning', hired: 'success', declined: 'danger' };
/** The next stage of a referral (declined is possible from every open stage). */
export const REFERRAL_NEXT = { recommended: 'contacted', contacted: 'interviewed', interviewed: 'hired' };

/**
 * The engine's explanation (src/match/score.c np_match_explain_json) as readable lines:
 * [{kind: 'term'|'ok'|'missing'|'excluded', text, points?}].
 */
export function explainReasons(ex) {
  const t = i18n.global.t;
  const out = [];
  if (!ex) return out;
  if (ex.excluded) {
    out.push({ kind: 'excluded', text: t('match.explain.excluded', { f: filterLabel(ex.filter) }) });
    if (ex.distance_km !== undefined && ex.distance_km !== null) out.push({ kind: 'missing', text: t('match.explain.distance', { km: kmText(ex.distance_km) }) });
    return out;
  }
  const req = {};
  for (const r of ex.matched || []) req[r.requirement] = { ...r, ok: true };
  for (const r of ex.missing || []) req[r.requirement] = { ...r, ok: false };
  for (const term of ex.terms || []) {
    const p = term.contribution;
    let text = '';
    switch (term.name) {
      case 'occupation': text = t(`match.explain.occ_${ex.occupation_relation || 'none'}`); break;
      case 'skill': {
        const s = req.skill_level;
        text = s ? t('match.explain.skill', { have: skillLabel(s.offered), need: skillLabel(s.required) }) : t('match.explain.skillAny');
        break;
      }
      case 'distance':
        text = ex.distance_km === null || ex.distance_km === undefined ? t('match.explain.noDistance') : t('match.explain.distance', { km: kmText(ex.distance_km) });
        break;
      case 'salary': {
        const g = ex.salary_gap_fen;
        if (g === null || g === undefined) text = t('match.explain.salaryUnknown');
        else if (g === 0) text = t('match.explain.salaryIn');
        else if (g > 0) text = t('match.explain.salaryAbove', { y: fenText(g) });
        else text = t('match.explain.salaryBelow', { y: fenText(-g) });
        break;
      }
      case 'key_enterprise': text = term.raw > 0 ? t('match.explain.key') : t('match.explain.notKey'); break;
      case 'freshness': text = t('match.explain.fresh'); break;
      default: text = term.name;
    }
    out.push({ kind: 'term', text: `${text} +${p}`, points: p, name: term.name });
  }
  for (const r of ex.matched || []) {
    if (r.requirement === 'occupation' || r.requirement === 'salary' || r.requirement === 'skill_level') continue;
    out.push({ kind: 'ok', text: requirementText(r, true) });
  }
  for (const r of ex.missing || []) out.push({ kind: 'missing', text: requirementText(r, false) });
  return out;
}

function requirementText(r, ok) {
  const t = i18n.global.t;
  switch (r.requirement) {
    case 'age': return t('match.req.age', { a: r.required[0], b: r.required[1], v: r.offered });
    case 'education': return t('match.req.education', { need: educationLabel(r.required), have: educationLabel(r.offered) });
    case 'radius_m': return t('match.req.radius', { km: kmText(r.required / 1000) });
    case 'available_by': return r.offered === 'now' ? t('match.req.availableNow', { d: r.required }) : t('match.req.available', { d: r.required, a: r.offered });
    case 'occupation': return t('match.req.occupation', { rel: t(`match.relation.${r.offered || 'none'}`) });
    case 'salary':
      if (Array.isArray(r.required)) return ok ? t('match.explain.salaryIn') : t('match.req.salaryAbove', { a: fenText(r.offered), b: fenText(r.required[1]) });
      return t('match.req.salaryUnknown');
    case 'location': return t('match.req.location');
    case 'skill_level': return t('match.explain.skill', { have: skillLabel(r.offered), need: skillLabel(r.required) });
    default: return `${r.requirement}${ok ? '' : ' ✗'}`;
  }
}

export function filterLabel(f) {
  const t = i18n.global.t;
  const k = `match.filter.${f}`;
  return i18n.global.te(k) ? t(k) : f;
}

/** Batch report "no_acceptable_line:radius" → readable. */
export function batchReasonLabel(key) {
  const t = i18n.global.t;
  const [a, b] = String(key || '').split(':');
  if (a === 'no_acceptable_line') return t('match.batch.noLine', { f: filterLabel(b || '') });
  const k = `match.batch.reasons.${a}`;
  return i18n.global.te(k) ? t(k) : key;
}

/** Query parameters of a MatchScope value. */
export function scopeQuery(s) {
  return s.scope === 'radius' ? { radius_km: s.radius_km } : { scope: s.scope };
}
