// Option fetchers for RemoteSelect (industries, occupations, enterprises, specialists) and small
// formatting helpers shared by the firms pages.
import { firmsRefApi, enterprisesApi, specialistsApi } from '@/api/firms';

export async function industryOptions(q, classOnly = true) {
  const res = await firmsRefApi.industries(q, 30);
  return ((res && res.items) || []).filter((i) => !classOnly || i.level === 'class' || !i.level)
    .map((i) => ({ value: i.code, label: `${i.code} ${i.name}`, hint: i.section || '' }));
}

export async function occupationOptions(q) {
  const res = await firmsRefApi.occupations(q, 30);
  return ((res && res.items) || []).map((i) => ({ value: i.code, label: `${i.name}`, hint: i.code }));
}

export async function enterpriseOptions(q, extra = {}) {
  const res = await enterprisesApi.list({ q: q || undefined, limit: 20, ...extra });
  return ((res && res.items) || []).map((e) => ({ value: e.id, label: e.name, hint: e.uscc }));
}

export async function specialistOptions(q) {
  const res = await specialistsApi.list({ limit: 100 });
  const all = (res && res.items) || [];
  const f = (q || '').trim();
  return all.filter((s) => !f || s.name.includes(f)).map((s) => ({ value: s.id, label: s.name, hint: s.region_name || '' }));
}

/** Fen → yuan text "4,500" / "7,500.5" (at least `digits` decimals, at most 2; '' for null). */
export function yuan(fen, digits = 0) {
  if (fen === null || fen === undefined || fen === '') return '';
  return (Number(fen) / 100).toLocaleString('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 2) });
}

/** Yuan input (number or text) → integer fen, exactly (no float rounding); null when empty. */
export function toFen(v) {
  if (v === null || v === undefined || v === '') return null;
  const s = String(v).trim();
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return NaN;
  const [i, f = ''] = s.split('.');
  return Number(i) * 100 + Number((f + '00').slice(0, 2));
}

/** Fen → yuan text for a form field ('' for null). */
export function fenToInput(fen) {
  if (fen === null || fen === undefined) return '';
  const n = Number(fen);
  return n % 100 === 0 ? String(n / 100) : (n / 100).toFixed(2);
}

/** Salary range in yuan/month. */
export function salaryRange(min, max) {
  if (min == null && max == null) return '-';
  if (min != null && max != null) return `${yuan(min)}–${yuan(max)}`;
  return yuan(min ?? max);
}

/** Today's civil date in Asia/Shanghai (YYYY-MM-DD). */
export function todayShanghai() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Any level of GB/T 4754 (a filter is a prefix: division, group or class). */
export function industryPrefixOptions(q) { return industryOptions(q, false); }
