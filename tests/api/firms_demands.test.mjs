// Demand lines (需求清单), hires, history, shortage summary and 一企一策 over HTTP on the small demo data
// set: jurisdiction (历下 cannot see or change a 青岛 line: 404), an enterprise user limited to its own
// lines, bad input with field-level errors, stale versions, hires above the count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call, login } from './harness.mjs';

const PW = 'Shandong@2023';
let srv;
const t = {};
const api = (who, method, url, body) => call(srv.base, method, url, { token: t[who], body });
let lixiaEnt; // an enterprise in 历下 (370102)
let qdEnt;    // an enterprise in 青岛
let qdLine;   // a line of it

function today(offset = 0) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000); // Asia/Shanghai civil date
  return d.toISOString().slice(0, 10);
}

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['province', 'jinan', 'lixia', 'specialist', 'seeker']) t[u] = (await login(srv.base, u, PW)).token;
  let r = await api('province', 'GET', '/api/v1/demands?region=370102&status=active&limit=100');
  assert.equal(r.status, 200, r.text);
  lixiaEnt = r.json.items[0].enterprise_id;
  r = await api('province', 'GET', '/api/v1/demands?region=370200&status=active&limit=5');
  assert.equal(r.status, 200, r.text);
  qdLine = r.json.items[0];
  qdEnt = qdLine.enterprise_id;
  // an enterprise HR account for the 历下 enterprise
  const num = lixiaEnt.replace('ent_', '');
  const c = srv.cli(['user', 'add', '--db', srv.db, '--username', 'ent.hr', '--role', 'enterprise', '--enterprise', num,
    '--display-name', '企业人事', '--password-stdin'], { input: `${PW}\n` });
  assert.equal(c.status, 0, c.stderr);
  // a new account changes its password first
  const hr = await login(srv.base, 'ent.hr', PW);
  const ch = await call(srv.base, 'POST', '/api/v1/me/password', { token: hr.token, body: { old: PW, new: 'Lixia#HR2024ok' } });
  assert.equal(ch.status, 204, ch.text);
  t.hr = (await login(srv.base, 'ent.hr', 'Lixia#HR2024ok')).token;
});
after(async () => { await srv.stop(); });

test('demands: create, read, change with version, cancel is final; history records every step', async () => {
  let r = await api('lixia', 'POST', `/api/v1/enterprises/${lixiaEnt}/demands`, {
    occupation_code: '6-18-02-04', count: 12, skill_level: 4, salary_min: 650000, salary_max: '9500.00',
    education: 'secondary_vocational', age_min: 20, age_max: 45, needed_by: today(30), shifts: '两班倒',
    housing: true, benefits: ['五险一金', '包吃住'], notes: '持焊工证优先',
  });
  assert.equal(r.status, 201, r.text);
  const line = r.json;
  assert.match(line.id, /^dem_\d+$/);
  assert.equal(line.status, 'open');
  assert.equal(line.salary_max, 950000);
  assert.equal(line.occupation_name, '焊工');
  assert.equal(line.open, 12);
  r = await api('lixia', 'GET', `/api/v1/demands/${line.id}`);
  assert.equal(r.status, 200);
  r = await api('lixia', 'PATCH', `/api/v1/demands/${line.id}`, { version: line.version, count: 15 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, line.version + 1);
  r = await api('lixia', 'PATCH', `/api/v1/demands/${line.id}`, { version: line.version, count: 16 });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'stale');
  r = await api('lixia', 'PATCH', `/api/v1/demands/${line.id}`, { version: line.version + 1, status: 'filled' });
  assert.equal(r.status, 422);
  r = await api('lixia', 'PATCH', `/api/v1/demands/${line.id}`, { version: line.version + 1, status: 'cancelled' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'cancelled');
  assert.equal(r.json.open, 0);
  r = await api('lixia', 'PATCH', `/api/v1/demands/${line.id}`, { version: r.json.version, notes: '再开' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'final');
  r = await api('lixia', 'GET', `/api/v1/demands/${line.id}/history`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((e) => e.action), ['create', 'update', 'status']);
  assert.equal(r.json.items[2].status_after, 'cancelled');
  assert.equal(r.json.items[2].username, 'lixia');
});

test('demands: bad input gets field-level errors and writes nothing', async () => {
  const before = (await api('lixia', 'GET', `/api/v1/enterprises/${lixiaEnt}/demands`)).json.total;
  const cases = [
    [{ occupation_code: '6-18-02-04', count: 0 }, 'count', 'range'],
    [{ occupation_code: '6-18-02-04', count: 99999999 }, 'count', 'range'],
    [{ occupation_code: '6-18-02-04', count: 5, salary_min: 800000, salary_max: 500000 }, 'salary_min', 'salary_range'],
    [{ occupation_code: '6-18-02-04', count: 5, needed_by: '2023-01-01' }, 'needed_by', 'past'],
    [{ occupation_code: '6-99-99-99', count: 5 }, 'occupation_code', 'unknown_occupation'],
    [{ occupation_code: '6-18', count: 5 }, 'occupation_code', 'unknown_occupation'],
    [{ occupation_code: '6-18-02-04', count: 5, education: 'phd' }, 'education', 'unknown_value'],
    [{ occupation_code: '6-18-02-04', count: 5, age_min: 50, age_max: 30 }, 'age_min', 'age_range'],
    [{ occupation_code: '6-18-02-04', count: 5, skill_level: 0 }, 'skill_level', 'range'],
    [{ occupation_code: '6-18-02-04', count: 5, extra: 1 }, 'extra', 'unknown_field'],
  ];
  for (const [body, field, code] of cases) {
    const r = await api('lixia', 'POST', `/api/v1/enterprises/${lixiaEnt}/demands`, body);
    assert.equal(r.status, 422, `${JSON.stringify(body)} → ${r.status} ${r.text}`);
    assert.equal(r.json.error.field, field, JSON.stringify(body));
    assert.equal(r.json.error.code, code, JSON.stringify(body));
  }
  const after = (await api('lixia', 'GET', `/api/v1/enterprises/${lixiaEnt}/demands`)).json.total;
  assert.equal(after, before);
});

test('hires: filled count is the sum of hires; above the count is 409; a full line is filled', async () => {
  let r = await api('lixia', 'POST', `/api/v1/enterprises/${lixiaEnt}/demands`, { occupation_code: '6-18-01-01', count: 5 });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const ent0 = (await api('lixia', 'GET', `/api/v1/shortage?enterprise=${lixiaEnt}`)).json.openings;
  r = await api('lixia', 'POST', `/api/v1/demands/${id}/hires`, { count: 3, seeker_ref: 'referral-17' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.demand.status, 'partly_filled');
  assert.equal(r.json.demand.filled, 3);
  r = await api('lixia', 'POST', `/api/v1/demands/${id}/hires`, { count: 3 });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'over_count');
  r = await api('lixia', 'POST', `/api/v1/demands/${id}/hires`, { count: 1, hired_on: today(3) });
  assert.equal(r.status, 422);
  r = await api('lixia', 'POST', `/api/v1/demands/${id}/hires`, { count: 2 });
  assert.equal(r.status, 201);
  assert.equal(r.json.demand.status, 'filled');
  r = await api('lixia', 'GET', `/api/v1/demands/${id}/hires`);
  assert.equal(r.json.filled, 5);
  assert.equal(r.json.items.length, 2);
  const ent1 = (await api('lixia', 'GET', `/api/v1/shortage?enterprise=${lixiaEnt}`)).json.openings;
  assert.equal(ent1, ent0 - 5);
});

test('jurisdiction: 历下 and 济南 cannot see or change a 青岛 line (404); the seeker holds no demand action', async () => {
  for (const who of ['lixia', 'jinan']) {
    let r = await api(who, 'GET', `/api/v1/demands/${qdLine.id}`);
    assert.equal(r.status, 404, who);
    r = await api(who, 'PATCH', `/api/v1/demands/${qdLine.id}`, { version: qdLine.version, count: 1 });
    assert.equal(r.status, 404, who);
    r = await api(who, 'POST', `/api/v1/demands/${qdLine.id}/hires`, { count: 1 });
    assert.equal(r.status, 404, who);
    r = await api(who, 'GET', `/api/v1/enterprises/${qdEnt}/demands`);
    assert.equal(r.status, 404, who);
    r = await api(who, 'GET', '/api/v1/shortage?region=370200');
    assert.equal(r.status, 404, who);
  }
  let r = await api('lixia', 'GET', '/api/v1/demands?limit=100');
  for (const it of r.json.items) assert.ok(it.region_code.startsWith('370102'), it.region_code);
  r = await api('seeker', 'GET', '/api/v1/demands');
  assert.equal(r.status, 403);
  r = await api('province', 'GET', `/api/v1/demands/${qdLine.id}`);
  assert.equal(r.status, 200);
});

test('enterprise user: posts and edits its own lines only; another enterprise\'s line is 404', async () => {
  let r = await api('hr', 'POST', `/api/v1/enterprises/${lixiaEnt}/demands`, { occupation_code: '6-20-01-01', count: 4 });
  assert.equal(r.status, 201, r.text);
  r = await api('hr', 'PATCH', `/api/v1/demands/${r.json.id}`, { version: r.json.version, count: 6 });
  assert.equal(r.status, 200, r.text);
  r = await api('hr', 'GET', `/api/v1/demands/${qdLine.id}`);
  assert.equal(r.status, 404);
  r = await api('hr', 'PATCH', `/api/v1/demands/${qdLine.id}`, { version: qdLine.version, count: 1 });
  assert.equal(r.status, 404);
  r = await api('hr', 'POST', `/api/v1/enterprises/${qdEnt}/demands`, { occupation_code: '6-20-01-01', count: 4 });
  assert.equal(r.status, 404);
  r = await api('hr', 'GET', '/api/v1/demands?limit=100');
  assert.equal(r.status, 200);
  for (const it of r.json.items) assert.equal(it.enterprise_id, lixiaEnt);
  r = await api('hr', 'GET', '/api/v1/shortage');
  assert.equal(r.status, 200);
  assert.equal(r.json.enterprise_id, lixiaEnt);
  // reads its plan, cannot write it
  r = await api('hr', 'GET', `/api/v1/enterprises/${lixiaEnt}/plan`);
  assert.equal(r.status, 200);
  r = await api('hr', 'POST', `/api/v1/enterprises/${lixiaEnt}/plan`, { type: 'other', title: 'x', owner_name: 'x', owner_region_code: '370102', deadline: today(5) });
  assert.equal(r.status, 403);
});

test('shortage: province, city and county summaries add up; groups; bad group is 422', async () => {
  const prov = await api('province', 'GET', '/api/v1/shortage?group=region');
  assert.equal(prov.status, 200, prov.text);
  assert.ok(prov.json.openings > 500);
  const sum = prov.json.items.reduce((a, x) => a + x.openings, 0);
  assert.equal(sum, prov.json.openings);
  const jn = prov.json.items.find((x) => x.key === '370100');
  assert.equal(jn.name, '济南市');
  const city = await api('jinan', 'GET', '/api/v1/shortage');
  assert.equal(city.json.openings, jn.openings);
  const occ = await api('province', 'GET', '/api/v1/shortage?group=occupation');
  assert.equal(occ.json.openings, prov.json.openings);
  assert.ok(occ.json.items[0].by_skill_level.length >= 1);
  assert.ok(occ.json.items[0].openings >= occ.json.items[1].openings);
  for (const g of ['skill_level', 'industry']) {
    const r = await api('province', 'GET', `/api/v1/shortage?group=${g}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.items.reduce((a, x) => a + x.openings, 0), prov.json.openings);
  }
  const county = await api('lixia', 'GET', '/api/v1/shortage?group=region');
  assert.equal(county.status, 200);
  assert.equal(county.json.region_prefix, '370102');
  let r = await api('province', 'GET', '/api/v1/shortage?group=colour');
  assert.equal(r.status, 422);
  r = await api('province', 'GET', '/api/v1/shortage?region=379999');
  assert.equal(r.status, 422);
});

test('一企一策: measures with owner and deadline, progress notes, overdue list per owner bureau', async () => {
  let r = await api('lixia', 'POST', `/api/v1/enterprises/${lixiaEnt}/demands`, { occupation_code: '6-18-02-04', count: 30 });
  assert.equal(r.status, 201);
  r = await api('lixia', 'POST', `/api/v1/enterprises/${lixiaEnt}/plan`, {
    type: 'training_order', title: '与济南技师学院签订焊工订单培训', owner_name: '刘洋', owner_region_code: '370102',
    deadline: today(20), note: '已对接学校',
  });
  assert.equal(r.status, 201, r.text);
  const m = r.json;
  assert.match(m.id, /^msr_\d+$/);
  assert.equal(m.overdue, false);
  // a specialist works on the plans of the enterprises assigned to them only
  const mine = (await api('specialist', 'GET', '/api/v1/specialists/me/enterprises?limit=100')).json.items.map((e) => e.id);
  const assigned = mine.includes(lixiaEnt);
  r = await api('specialist', 'PATCH', `/api/v1/plan-measures/${m.id}`, { version: m.version, status: 'in_progress', note: '首批20人报名' });
  if (!assigned) {
    assert.equal(r.status, 404, r.text);
    r = await api('lixia', 'PATCH', `/api/v1/plan-measures/${m.id}`, { version: m.version, status: 'in_progress', note: '首批20人报名' });
  }
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.notes.length, 2);
  r = await api(assigned ? 'specialist' : 'lixia', 'PATCH', `/api/v1/plan-measures/${m.id}`, { version: m.version, note: 'late' });
  assert.equal(r.status, 409);
  r = await api('lixia', 'POST', `/api/v1/enterprises/${lixiaEnt}/plan`, { type: 'party', title: 'x', owner_name: 'x', owner_region_code: '370102', deadline: today(5) });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'type');
  r = await api('lixia', 'POST', `/api/v1/enterprises/${lixiaEnt}/plan`, { type: 'other', title: 'x', owner_name: 'x', owner_region_code: '370102', deadline: '2023-01-01' });
  assert.equal(r.status, 422);
  r = await api('lixia', 'GET', `/api/v1/enterprises/${lixiaEnt}/plan`);
  assert.equal(r.status, 200);
  assert.ok(r.json.measures.some((x) => x.id === m.id));
  r = await api('lixia', 'GET', `/api/v1/enterprises/${qdEnt}/plan`);
  assert.equal(r.status, 404);
  // the demo backdates some deadlines: the province sees overdue measures grouped by owner bureau
  r = await api('province', 'GET', '/api/v1/plans/overdue');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.total > 0);
  for (const b of r.json.bureaus) for (const it of b.items) {
    assert.equal(it.overdue, true);
    assert.equal(it.owner_region_code, b.owner_region_code);
  }
  r = await api('lixia', 'GET', '/api/v1/plans/overdue');
  for (const b of r.json.bureaus) for (const it of b.items) assert.ok(it.region_code.startsWith('370102'));
});

test('demands: list filters, cursor pages and the audited XLSX export', async () => {
  let r = await api('province', 'GET', '/api/v1/demands?occupation=6-18&status=active&limit=5');
  assert.equal(r.status, 200);
  for (const it of r.json.items) assert.ok(it.occupation_code.startsWith('6-18'));
  if (r.json.next_cursor) {
    const r2 = await api('province', 'GET', `/api/v1/demands?occupation=6-18&status=active&limit=5&cursor=${r.json.next_cursor}`);
    assert.ok(r2.json.items.every((x) => !r.json.items.some((y) => y.id === x.id)));
  }
  r = await api('province', 'GET', '/api/v1/demands?is_key=true&limit=100');
  for (const it of r.json.items) assert.equal(it.is_key, true);
  r = await api('province', 'GET', `/api/v1/demands?needed_before=${today(60)}&limit=100`);
  for (const it of r.json.items) assert.ok(it.needed_by < today(60));
  r = await api('province', 'GET', '/api/v1/demands?status=bogus');
  assert.equal(r.status, 422);
  r = await call(srv.base, 'GET', '/api/v1/demands/export?region=370102', { token: t.lixia });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
});

test('public jobs near a point: no login, nearest first, validation', async () => {
  let r = await call(srv.base, 'GET', '/api/v1/public/jobs?lat=36.66&lon=117.05&radius_km=30&limit=50');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length > 0 && r.json.total >= r.json.items.length);
  let prev = -1;
  for (const j of r.json.items) {
    assert.ok(j.distance_km <= 30);
    assert.ok(Math.floor(j.distance_km) >= Math.floor(prev));
    prev = j.distance_km;
    assert.equal(j.id_number, undefined);
    assert.match(j.id, /^dem_\d+$/);
  }
  r = await call(srv.base, 'GET', '/api/v1/public/jobs?lat=36.66&lon=117.05&occupation=6-18&limit=100');
  for (const j of r.json.items) assert.ok(j.occupation_code.startsWith('6-18'));
  for (const bad of ['lat=40&lon=117', 'lat=36.6&lon=abc', 'lon=117', 'lat=36.6&lon=117&radius_km=0',
    'lat=36.6&lon=117&radius_km=101', 'lat=36.6&lon=117&occupation=x%27']) {
    r = await call(srv.base, 'GET', `/api/v1/public/jobs?${bad}`);
    assert.equal(r.status, 422, bad);
    assert.ok(r.json.error.field, bad);
  }
});
