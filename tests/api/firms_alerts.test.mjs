// Large-scale shortage alerts, rules and the deadline report against a real server with the small demo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call, login } from './harness.mjs';

const PW = 'Shandong@2023';
let srv;
const tok = {};

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['province', 'jinan', 'lixia', 'specialist', 'seeker', 'auditor']) {
    tok[u] = (await login(srv.base, u, PW)).token;
  }
});
after(async () => { await srv.stop(); });

const get = (u, url) => call(srv.base, 'GET', url, { token: tok[u] });
const post = (u, url, body) => call(srv.base, 'POST', url, { token: tok[u], body });
const put = (u, url, body) => call(srv.base, 'PUT', url, { token: tok[u], body });

async function all(u, query = '') {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const r = await get(u, `/api/v1/alerts?limit=10${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return { items, total: r.json.total };
  }
  throw new Error('too many pages');
}

test('the demo board: open alerts, one escalated to the city, a missed deadline, green channel first', async () => {
  const { items, total } = await all('province');
  assert.equal(items.length, total);
  assert.ok(items.filter((a) => a.status !== 'resolved').length >= 5, 'several open alerts');
  assert.ok(items.some((a) => a.level === 'city' && a.status === 'open'), 'one escalated to the city');
  assert.ok(items.some((a) => a.level === 'province'), 'one up at the province');
  assert.ok(items.some((a) => a.deadline === 'missed'), 'a missed deadline');
  assert.ok(items.some((a) => a.deadline === 'met'), 'a met deadline');
  assert.ok(items.some((a) => a.green_channel), 'a green-channel alert');
  // green first, then by deadline
  const firstPlain = items.findIndex((a) => !a.green_channel);
  assert.ok(firstPlain > 0);
  assert.ok(items.slice(firstPlain).every((a) => !a.green_channel));
  for (let i = 1; i < items.length; i++) {
    if (items[i].green_channel === items[i - 1].green_channel) assert.ok(items[i - 1].due_at <= items[i].due_at);
  }
  const a = items[0];
  assert.match(a.id, /^alr_\d+$/);
  assert.match(a.enterprise.id, /^ent_\d+$/);
  assert.ok(a.rule.code && a.rule.kind);
  assert.match(a.due_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('jurisdiction: a county sees its county at every level, a city its counties, 404 outside', async () => {
  const lixia = await all('lixia');
  assert.ok(lixia.items.length > 0);
  assert.ok(lixia.items.every((a) => a.county_code === '370102'));
  assert.ok(lixia.items.some((a) => a.level === 'city'), 'the escalated alert stays visible to the county');
  const jinan = await all('jinan');
  assert.ok(jinan.items.every((a) => a.city_code === '370100'));
  assert.ok(jinan.total > lixia.total);
  const province = await all('province');
  const outside = province.items.find((a) => a.city_code !== '370100');
  assert.ok(outside);
  let r = await get('jinan', `/api/v1/alerts/${outside.id}`);
  assert.equal(r.status, 404);
  r = await post('lixia', `/api/v1/alerts/${outside.id}/ack`, { note: '越权确认' });
  assert.equal(r.status, 404);
  r = await get('lixia', '/api/v1/alerts/alr_999999');
  assert.equal(r.status, 404);
  r = await get('lixia', '/api/v1/alerts/ent_1');
  assert.equal(r.status, 404);
  // roles without the action
  assert.equal((await get('seeker', '/api/v1/alerts')).status, 403);
  assert.equal((await get('auditor', '/api/v1/alerts')).status, 403);
  assert.equal((await get('specialist', '/api/v1/alerts')).status, 200);
  const open = lixia.items.find((a) => a.status === 'open');
  assert.equal((await post('specialist', `/api/v1/alerts/${open.id}/ack`, { note: 'x' })).status, 403);
});

test('filters and bad query values', async () => {
  let r = await get('province', '/api/v1/alerts?level=city&status=open');
  assert.equal(r.status, 200);
  assert.ok(r.json.items.length >= 1);
  assert.ok(r.json.items.every((a) => a.level === 'city' && a.status === 'open'));
  r = await get('province', '/api/v1/alerts?overdue=true');
  assert.ok(r.json.items.every((a) => a.overdue && a.status === 'open'));
  r = await get('province', '/api/v1/alerts?green_channel=true');
  assert.ok(r.json.total >= 1);
  assert.ok(r.json.items.every((a) => a.green_channel));
  r = await get('province', '/api/v1/alerts?region=370200');
  assert.ok(r.json.items.every((a) => a.city_code === '370200'));
  r = await get('province', '/api/v1/alerts?status=active');
  assert.ok(r.json.items.every((a) => a.status !== 'resolved'));
  for (const [q, field] of [['status=bogus', 'status'], ['level=town', 'level'], ['region=12', 'region'],
    ['region=379999', 'region'], ['overdue=maybe', 'overdue'], ['limit=0', 'limit'], ['cursor=zzz', 'cursor']]) {
    r = await get('province', `/api/v1/alerts?${q}`);
    assert.equal(r.status, 422, q);
    assert.equal(r.json.error.field, field, q);
  }
});

test('acknowledge, close, history, conflicts and the audit trail', async () => {
  const { items } = await all('lixia', '&status=open');
  const open = items.find((a) => a.level === 'county') || items[0];
  assert.ok(open, 'an open alert in 历下区');
  let r = await post('lixia', `/api/v1/alerts/${open.id}/ack`, {});
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'note');
  r = await post('lixia', `/api/v1/alerts/${open.id}/ack`, { note: 'x', bogus: 1 });
  assert.equal(r.status, 422);
  r = await post('lixia', `/api/v1/alerts/${open.id}/ack`, { note: '专班已对接企业', planned_response: '3日内举办专场招聘' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'acknowledged');
  assert.equal(r.json.acknowledged.by, 'lixia');
  assert.equal(r.json.acknowledged.planned_response, '3日内举办专场招聘');
  assert.ok(['met', 'missed'].includes(r.json.deadline));
  r = await post('lixia', `/api/v1/alerts/${open.id}/ack`, { note: 'again' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'already_acknowledged');
  r = await post('lixia', `/api/v1/alerts/${open.id}/resolve`, {});
  assert.equal(r.status, 422);
  r = await post('lixia', `/api/v1/alerts/${open.id}/resolve`, { reason: '企业缺口已通过劳务协作补齐' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'resolved');
  assert.equal(r.json.resolved.resolution, 'manual');
  r = await post('lixia', `/api/v1/alerts/${open.id}/ack`, { note: 'late' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'resolved');
  r = await post('lixia', `/api/v1/alerts/${open.id}/resolve`, { reason: 'twice' });
  assert.equal(r.status, 409);
  r = await get('lixia', `/api/v1/alerts/${open.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.history.map((h) => h.action).slice(-2), ['ack', 'resolve']);
  assert.equal(r.json.history[0].action, 'raise');
  // the escalated one shows its escalation
  const city = (await all('lixia', '&level=city')).items[0];
  r = await get('lixia', `/api/v1/alerts/${city.id}`);
  assert.ok(r.json.history.some((h) => h.action === 'escalate' && h.level_after === 'city'));
  // audited
  r = await get('auditor', `/api/v1/audit?action=alert.ack&entity_id=${open.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1);
});

test('rules: read, province-only edit, threshold ≤ 0 → 422, stale → 409', async () => {
  let r = await get('lixia', '/api/v1/alert-rules');
  assert.equal(r.status, 200);
  const codes = r.json.items.map((x) => x.code);
  assert.deepEqual(codes.slice(0, 3), ['openings_50', 'openings_share_10', 'major_project']);
  const rule = r.json.items[0];
  assert.equal(rule.threshold, 50);
  assert.equal(r.json.items[1].threshold_unit, 'basis_points_of_headcount');
  r = await put('lixia', '/api/v1/alert-rules', { items: [{ code: 'openings_50', threshold: 60, version: rule.version }] });
  assert.equal(r.status, 403);
  r = await put('jinan', '/api/v1/alert-rules', { items: [{ code: 'openings_50', threshold: 60, version: rule.version }] });
  assert.equal(r.status, 403);
  for (const bad of [0, -1]) {
    r = await put('province', '/api/v1/alert-rules', { items: [{ code: 'openings_50', threshold: bad, version: rule.version }] });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.field, 'items[0].threshold');
  }
  r = await put('province', '/api/v1/alert-rules', { items: [{ code: 'openings_50', threshold: 60, version: rule.version + 5 }] });
  assert.equal(r.status, 409);
  r = await put('province', '/api/v1/alert-rules', {
    items: [{ code: 'openings_50', county_hours: 12, version: rule.version }],
  });
  assert.equal(r.status, 200, r.text);
  const changed = r.json.items.find((x) => x.code === 'openings_50');
  assert.equal(changed.county_hours, 12);
  assert.equal(changed.version, rule.version + 1);
  r = await get('auditor', '/api/v1/audit?action=alert_rule.update');
  assert.ok(r.json.items.length >= 1);
  r = await put('province', '/api/v1/alert-rules', { items: [{ code: 'openings_50', county_hours: 24, version: changed.version }] });
  assert.equal(r.status, 200);
});

test('deadline report per county, scoped', async () => {
  let r = await get('province', '/api/v1/alerts/report');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length >= 3);
  const t = r.json.totals;
  assert.ok(t.raised >= t.met + t.missed);
  assert.ok(t.missed >= 1);
  assert.ok(t.met >= 1);
  for (const row of r.json.items) {
    assert.match(row.county_code, /^\d{6}$/);
    assert.equal(row.raised, row.met + row.missed + row.pending + row.not_required);
  }
  r = await get('lixia', '/api/v1/alerts/report');
  assert.deepEqual(r.json.items.map((x) => x.county_code), ['370102']);
  assert.equal(r.json.items[0].county_name, '历下区');
  r = await get('province', '/api/v1/alerts/report?region=370100');
  assert.ok(r.json.items.every((x) => x.city_code === '370100'));
  r = await get('province', '/api/v1/alerts/report?from=2020-01-01&to=2020-12-31');
  assert.equal(r.json.items.length, 0);
  r = await get('province', '/api/v1/alerts/report?from=2023-13-01');
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'from');
  r = await get('province', '/api/v1/alerts/report?from=2023-05-02&to=2023-05-01');
  assert.equal(r.status, 422);
});
