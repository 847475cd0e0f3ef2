// Time stamps are UTC on the wire and Asia/Shanghai on screen.
const TZ = 'Asia/Shanghai';
let fmt;

function parts(d) {
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
  }
  const o = {};
  for (const p of fmt.formatToParts(d)) o[p.type] = p.value;
  return o;
}

/** "2026-11-27T02:20:31Z" → "2026-11-27 10:20:31" (Asia/Shanghai); '' for empty/invalid. */
export function formatTime(v, withSeconds = true) {
  if (!v) return '';
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  const p = parts(d);
  const base = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  return withSeconds ? `${base}:${p.second}` : base;
}

/** Civil date (YYYY-MM-DD) in Asia/Shanghai. */
export function formatDate(v) {
  return formatTime(v).slice(0, 10);
}

/**
 * A Shanghai civil date "YYYY-MM-DD" → the UTC instant of its start (end=false) or of the start of
 * the next day (end=true), as ISO-8601 "…Z". Used for from/to filters.
 */
export function shanghaiDayToUtc(day, end = false) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day || '')) return '';
  const [y, m, d] = day.split('-').map(Number);
  const ms = Date.UTC(y, m - 1, d + (end ? 1 : 0), 0, 0, 0) - 8 * 3600 * 1000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
