// Service teams, specialists + assignments, coverage, grid, service logs and the enterprise timeline over HTTP,
// on the small demo data set, including a denied cross-jurisdiction access (历下 cannot see a 青岛 team).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call, login } from './harness.mjs';

const PW = 'Shandong@2023';
let srv;
const t = {};
const api = (who, method, url, body) => call(srv.base, method, url, { token: t[who], body });

function today(offset = 0) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000); // Asia/Shanghai civil date
  return d.toISOString().slice(0, 10);
}

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['province', 'jinan', 'lixia', 'specialist', 'seeker']) t[u] = (await login(srv.base, u, PW)).token;
});
after(async () => { await srv.stop(); });

test('teams: lists are limited to the jurisdiction; a 青岛 team is invisible to 历下 (404)', async () => {
  let r = await api('lixia', 'GET', '/api/v1/teams');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.total >= 1);
  for (const it of r.json.items) assert.ok(it.region_code.startsWith('370102'), it.region_code);
  assert.ok('next_cursor' in r.json);
  // the province creates (or finds) a team for 青岛市南区
  r = await api('province', 'GET', '/api/v1/teams?region=370202');
  let qd = r.json.items.find((x) => x.region_code === '370202');
  if (!qd) {
    r = await api('province', 'POST', '/api/v1/teams', {
      region_code: '370202', name: '市南区人社局用工服务专班', lead_name: '王强', hotlines: ['0532-12333'],
      members: [{ name: '李娜', division: 'employment_talent', phone: '13812345678' }],
    });
    assert.equal(r.status, 201, r.text);
    qd = r.json;
    assert.equal(qd.members[0].phone, '138****5678');
  }
  r = await api('lixia', 'GET', `/api/v1/teams/${qd.id}`);
  assert.equal(r.status, 404);
  r = await api('lixia', 'PATCH', `/api/v1/teams/${qd.id}`, { name: '改名' });
  assert.equal(r.status, 404);
  r = await api('province', 'GET', `/api/v1/teams/${qd.id}`);
  assert.equal(r.status, 200);
  // 历下 may not create a team outside its county
  r = await api('lixia', 'POST', '/api/v1/teams', { region_code: '370203', name: '市北区专班', lead_name: '王强' });
  assert.equal(r.status, 403);
  // the seeker holds no team action
  r = await api('seeker', 'GET', '/api/v1/teams');
  assert.equal(r.status, 403);
});

test('teams: bad input (township level, unknown region, duplicate, bad hotline) and members', async () => {
  let r = await api('lixia', 'POST', '/api/v1/teams', { region_code: '370102001', name: '乡镇专班', lead_name: '王强' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'region_level');
  r = await api('province', 'POST', '/api/v1/teams', { region_code: '379999', name: '无此地专班', lead_name: '王强' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'unknown_region');
  r = await api('lixia', 'POST', '/api/v1/teams', { region_code: '370102', name: '历下区专班', lead_name: '王强' });
  assert.equal(r.status, 409);
  r = await api('lixia', 'GET', '/api/v1/teams?region=370102');
  const team = r.json.items[0];
  r = await api('lixia', 'PATCH', `/api/v1/teams/${team.id}`, { hotlines: ['not a number'] });
  assert.equal(r.status, 422);
  r = await api('lixia', 'PATCH', `/api/v1/teams/${team.id}`, { hotlines: ['0531-12333', '0531-86001234'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.hotlines, ['0531-12333', '0531-86001234']);
  r = await api('lixia', 'POST', `/api/v1/teams/${team.id}/members`, { name: '周杰', division: 'hr_mobility' });
  assert.equal(r.status, 201, r.text);
  const mid = r.json.id;
  r = await api('lixia', 'POST', `/api/v1/teams/${team.id}/members`, { name: '周杰', division: 'nonsense' });
  assert.equal(r.status, 422);
  r = await api('lixia', 'DELETE', `/api/v1/teams/${team.id}/members/${mid}`);
  assert.equal(r.status, 204);
  r = await api('lixia', 'DELETE', `/api/v1/teams/${team.id}/members/${mid}`);
  assert.equal(r.status, 404);
});

test('specialists: assignment one-to-one (409 for a second), coverage gaps, end keeps history, wrong-kind ids 404', async () => {
  let r = await api('lixia', 'GET', '/api/v1/coverage');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.region_code, '370102');
  const before = r.json.totals;
  assert.ok(before.key_enterprises > 0);
  // the demo leaves gaps somewhere in the province
  r = await api('province', 'GET', '/api/v1/coverage');
  assert.equal(r.status, 200);
  assert.ok(r.json.totals.key_uncovered + r.json.totals.projects_uncovered > 0, JSON.stringify(r.json.totals));
  assert.ok(r.json.totals.key_uncovered < r.json.totals.key_enterprises);
  assert.ok(r.json.workload.length > 0);
  r = await api('lixia', 'GET', '/api/v1/coverage?region=370202');
  assert.equal(r.status, 404);

  r = await api('lixia', 'POST', '/api/v1/specialists', { name: '钱多多', region_code: '370102', phone: '13900001111' });
  assert.equal(r.status, 201, r.text);
  const spc = r.json;
  assert.equal(spc.phone, '139****1111');
  r = await api('lixia', 'POST', '/api/v1/specialists', { name: '钱多多', region_code: '370202' });
  assert.equal(r.status, 403);

  // a key enterprise of 历下 that already has a specialist: a second one is refused
  r = await api('lixia', 'GET', '/api/v1/specialists?region=370102');
  assert.equal(r.status, 200);
  const busy = r.json.items.find((s) => s.open_assignments > 0 && s.id !== spc.id);
  assert.ok(busy, 'a specialist with assignments');
  r = await api('lixia', 'GET', `/api/v1/specialists/${busy.id}/assignments`);
  const taken = r.json.items.find((a) => a.active);
  r = await api('lixia', 'POST', `/api/v1/specialists/${spc.id}/assignments`, { target_kind: taken.target_kind, target_id: taken.target_id });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'already_assigned');
  // wrong kinds of id
  r = await api('lixia', 'POST', `/api/v1/specialists/${spc.id}/assignments`, { target_kind: 'project', target_id: taken.target_id.replace('prj_', 'ent_') });
  if (taken.target_kind === 'enterprise') assert.equal(r.status, 404);
  r = await api('lixia', 'GET', `/api/v1/specialists/${taken.target_id}`);
  assert.equal(r.status, 404);
  r = await api('lixia', 'GET', '/api/v1/specialists/team_1');
  assert.equal(r.status, 404);

  // end it, then the new specialist takes over; history stays
  r = await api('lixia', 'DELETE', `/api/v1/assignments/${taken.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.active, false);
  r = await api('lixia', 'DELETE', `/api/v1/assignments/${taken.id}`);
  assert.equal(r.status, 409);
  r = await api('lixia', 'POST', `/api/v1/specialists/${spc.id}/assignments`, { target_kind: taken.target_kind, target_id: taken.target_id });
  assert.equal(r.status, 201, r.text);
  r = await api('lixia', 'GET', `/api/v1/specialists/${busy.id}/assignments`);
  assert.ok(r.json.items.some((a) => a.id === taken.id && !a.active));
  r = await api('lixia', 'GET', '/api/v1/coverage');
  assert.equal(r.json.totals.key_uncovered, before.key_uncovered);
});

test('my enterprises, service logs (future date 422, not assigned 404) and the timeline', async () => {
  let r = await api('specialist', 'GET', '/api/v1/specialists/me/enterprises');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length >= 1);
  const ent = r.json.items[0];
  r = await api('specialist', 'POST', `/api/v1/enterprises/${ent.id}/service-logs`, {
    log_date: today(1), kind: 'visit', findings: '缺焊工',
  });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'future_date');
  r = await api('specialist', 'POST', `/api/v1/enterprises/${ent.id}/service-logs`, {
    log_date: today(), kind: 'visit', findings: '新产线投产，缺焊工20人', problems: ['技能人才短缺'],
  });
  assert.equal(r.status, 201, r.text);
  const log = r.json;
  assert.ok(log.specialist_id);
  r = await api('specialist', 'POST', `/api/v1/enterprises/${ent.id}/service-logs`, { log_date: today(), kind: 'fax', findings: 'x' });
  assert.equal(r.status, 422);
  // an enterprise of 历下 not assigned to this specialist
  r = await api('lixia', 'GET', '/api/v1/coverage');
  const free = r.json.uncovered_enterprises[0];
  if (free) {
    const mine = (await api('specialist', 'GET', '/api/v1/specialists/me/enterprises?limit=100')).json.items.map((e) => e.id);
    r = await api('specialist', 'POST', `/api/v1/enterprises/${free.id}/service-logs`, { log_date: today(), kind: 'call', findings: 'x' });
    assert.equal(r.status, mine.includes(free.id) ? 201 : 404, r.text); /* not theirs: not even its existence */
  }
  r = await api('lixia', 'GET', `/api/v1/enterprises/${ent.id}/service-logs`);
  assert.equal(r.status, 200);
  assert.ok(r.json.items.some((x) => x.id === log.id));
  r = await api('lixia', 'GET', `/api/v1/enterprises/${ent.id}/timeline?limit=100`);
  assert.equal(r.status, 200, r.text);
  const types = new Set(r.json.items.map((x) => x.type));
  assert.ok(types.has('service_log') && types.has('assignment_start'), [...types].join());
  // outside the jurisdiction: 404
  r = await api('province', 'GET', '/api/v1/enterprises?region=370202&limit=1');
  const other = r.status === 200 && r.json.items && r.json.items[0];
  if (other) {
    r = await api('lixia', 'GET', `/api/v1/enterprises/${other.id}/timeline`);
    assert.equal(r.status, 404);
  }
  r = await api('lixia', 'GET', '/api/v1/enterprises/prj_1/timeline');
  assert.equal(r.status, 404);
});

test('grid: cells with staff and enterprise counts, staff update masked, other county 404', async () => {
  let r = await api('lixia', 'GET', '/api/v1/grid?region=370102&level=township&limit=100');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.total > 0);
  const cells = r.json.items;
  assert.ok(cells.reduce((n, c) => n + c.enterprises, 0) > 0);
  const cell = cells[0];
  r = await api('lixia', 'PATCH', `/api/v1/grid/${cell.id}`, { staff: [{ name: '孙丽', phone: '13700002222', duty: 'lead' }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.staff[0].phone, '137****2222');
  r = await api('lixia', 'PATCH', `/api/v1/grid/${cell.id}`, { staff: [{ name: '孙丽', phone: '123' }] });
  assert.equal(r.status, 422);
  r = await api('lixia', 'GET', '/api/v1/grid?region=370202');
  assert.equal(r.status, 404);
  r = await api('lixia', 'GET', '/api/v1/grid?region=999999');
  assert.equal(r.status, 422);
  r = await api('specialist', 'GET', '/api/v1/grid?region=370102&limit=5');
  assert.equal(r.status, 200);
  r = await api('specialist', 'PATCH', `/api/v1/grid/${cell.id}`, { notes: 'x' });
  assert.equal(r.status, 403);
});

test('masked phones sent back: specialist and grid PATCH keep the number; a masked value of no number on file is 422', async () => {
  let r = await api('lixia', 'POST', '/api/v1/specialists', { name: '孔明', region_code: '370102', phone: '13900003333' });
  assert.equal(r.status, 201, r.text);
  const spc = r.json;
  assert.equal(spc.phone, '139****3333');
  // the console sends the whole form back, phone as shown
  r = await api('lixia', 'PATCH', `/api/v1/specialists/${spc.id}`, { name: '孔明亮', phone: spc.phone });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, '孔明亮');
  assert.equal(r.json.phone, '139****3333');
  // a masked value that is not the number on file changes nothing
  r = await api('lixia', 'PATCH', `/api/v1/specialists/${spc.id}`, { name: '别名', phone: '139****4444' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'masked_phone');
  assert.equal(r.json.error.field, 'phone');
  r = await api('lixia', 'GET', `/api/v1/specialists/${spc.id}`);
  assert.equal(r.json.name, '孔明亮');
  assert.equal(r.json.phone, '139****3333');
  // a full number still replaces it; a new specialist cannot start from a masked value
  r = await api('lixia', 'PATCH', `/api/v1/specialists/${spc.id}`, { phone: '13900005555' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.phone, '139****5555');
  r = await api('lixia', 'POST', '/api/v1/specialists', { name: '无号', region_code: '370102', phone: '139****5555' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'masked_phone');

  // grid staff: the list is replaced as a whole; a masked phone sent back keeps its number
  r = await api('lixia', 'GET', '/api/v1/grid?region=370102&level=township&limit=100');
  const cell = r.json.items[r.json.items.length - 1];
  r = await api('lixia', 'PATCH', `/api/v1/grid/${cell.id}`, {
    staff: [{ name: '甲', phone: '13700006666', duty: 'lead' }, { name: '乙', phone: '13700007777' }],
  });
  assert.equal(r.status, 200, r.text);
  const staff = r.json.staff.map((s) => ({ name: s.name, duty: s.duty, phone: s.phone }));
  assert.deepEqual(staff.map((s) => s.phone), ['137****6666', '137****7777']);
  staff.reverse();
  staff.push({ name: '丙', phone: '13700008888' });
  r = await api('lixia', 'PATCH', `/api/v1/grid/${cell.id}`, { staff });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.staff.map((s) => s.phone), ['137****7777', '137****6666', '137****8888']);
  const kept = r.json;
  r = await api('lixia', 'PATCH', `/api/v1/grid/${cell.id}`, { notes: '不应写入', staff: [{ name: '甲', phone: '137****0000' }] });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'masked_phone');
  assert.equal(r.json.error.field, 'staff[0].phone');
  r = await api('lixia', 'GET', `/api/v1/grid/${cell.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.staff.map((s) => s.phone), kept.staff.map((s) => s.phone));
  assert.equal(r.json.notes, kept.notes);
});

test('enterprise page: GET /enterprises/{id} names the specialist (masked phone, since, team) and the grid cell', async () => {
  let r = await api('lixia', 'GET', '/api/v1/specialists?region=370102&limit=100');
  let assigned = null, spc = null;
  for (const s of r.json.items.filter((x) => x.open_assignments > 0)) {
    const a = await api('lixia', 'GET', `/api/v1/specialists/${s.id}/assignments?limit=100`);
    assigned = a.json.items.find((x) => x.active && x.target_kind === 'enterprise');
    if (assigned) { spc = s; break; }
  }
  assert.ok(assigned, 'an enterprise assignment in 历下');
  r = await api('lixia', 'GET', `/api/v1/enterprises/${assigned.target_id}`);
  assert.equal(r.status, 200, r.text);
  const sp = r.json.specialist;
  assert.ok(sp, 'specialist present');
  assert.equal(sp.id, spc.id);
  assert.equal(sp.name, spc.name);
  assert.equal(sp.via, 'enterprise');
  assert.equal(sp.since, assigned.since);
  if (sp.phone !== null) assert.match(sp.phone, /^\d{3}\*{4}\d{4}$/);
  assert.ok('team' in sp);
  if (spc.team_id) assert.equal(sp.team.id, spc.team_id);
  assert.ok('grid_cell' in r.json);
  if (r.json.grid_cell) assert.ok(r.json.region_code.startsWith(r.json.grid_cell.region_code));
  // a key enterprise without its own specialist: null, or the specialist of its zone or project (via)
  r = await api('lixia', 'GET', '/api/v1/coverage');
  for (const free of r.json.uncovered_enterprises.slice(0, 5)) {
    r = await api('lixia', 'GET', `/api/v1/enterprises/${free.id}`);
    assert.equal(r.status, 200);
    const s = r.json.specialist;
    if (s) {
      assert.ok(['zone', 'project'].includes(s.via), s.via);
      assert.ok(s.via_target && s.via_target.id && s.via_target.name);
    }
  }
});

test('specialist scope: enterprises, demand lines and projects are the assigned ones (denied: another enterprise of the county)', async () => {
  let r = await api('specialist', 'GET', '/api/v1/specialists/me/enterprises?limit=100');
  assert.equal(r.status, 200, r.text);
  const mine = new Set(r.json.items.map((e) => e.id));
  const spcId = r.json.specialist_id;
  assert.ok(mine.size > 0, 'the demo specialist serves some enterprises');
  // the enterprise list is exactly the enterprises served (same count), all of them assigned
  r = await api('specialist', 'GET', '/api/v1/enterprises?limit=100');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, mine.size);
  for (const e of r.json.items) assert.ok(mine.has(e.id), `listed ${e.id} is assigned`);
  for (const q of ['region=370102', 'region=370102&has_shortage=true', 'region=370100&industry=C&sort=open_openings', 'is_key=true']) {
    const f = await api('specialist', 'GET', `/api/v1/enterprises?${q}&limit=100`);
    assert.equal(f.status, 200, `${q}: ${f.text}`);
    assert.ok(f.json.total <= mine.size, q);
    for (const e of f.json.items) assert.ok(mine.has(e.id), `${q}: ${e.id}`);
  }
  const own = r.json.items[0];
  assert.equal((await api('specialist', 'GET', `/api/v1/enterprises/${own.id}`)).status, 200);
  assert.equal((await api('specialist', 'GET', `/api/v1/enterprises/${own.id}/demands`)).status, 200);
  // demand lines across enterprises and projects: only of the enterprises served
  r = await api('specialist', 'GET', '/api/v1/demands?limit=100');
  assert.equal(r.status, 200, r.text);
  for (const d of r.json.items) assert.ok(mine.has(d.enterprise_id), `demand ${d.id} of ${d.enterprise_id}`);
  r = await api('specialist', 'GET', '/api/v1/projects?limit=100');
  assert.equal(r.status, 200, r.text);
  for (const p of r.json.items) assert.ok(!p.enterprise_id || mine.has(p.enterprise_id), `project ${p.id}`);

  // an enterprise of the same county that is not assigned to them: 404 everywhere, nothing written
  r = await api('lixia', 'GET', '/api/v1/enterprises?limit=100');
  const other = r.json.items.find((e) => !mine.has(e.id));
  assert.ok(other, 'an enterprise of 历下 not served by the specialist');
  for (const url of [`/api/v1/enterprises/${other.id}`, `/api/v1/enterprises/${other.uscc}`, `/api/v1/enterprises/${other.id}/demands`,
    `/api/v1/enterprises/${other.id}/plan`, `/api/v1/enterprises/${other.id}/timeline`, `/api/v1/enterprises/${other.id}/service-logs`]) {
    r = await api('specialist', 'GET', url);
    assert.equal(r.status, 404, `${url}: ${r.status} ${r.text}`);
  }
  r = await api('specialist', 'GET', `/api/v1/demands?enterprise=${other.id}`);
  assert.ok(r.status === 404 || (r.status === 200 && r.json.items.length === 0), `demands?enterprise: ${r.status}`);
  const before = (await api('lixia', 'GET', `/api/v1/enterprises/${other.id}/demands`)).json.total;
  r = await api('specialist', 'POST', `/api/v1/enterprises/${other.id}/demands`, { occupation_code: '6-18-02-04', count: 3 });
  assert.ok(r.status === 404 || r.status === 403, `create on another enterprise: ${r.status}`);
  r = await api('specialist', 'PATCH', `/api/v1/enterprises/${other.id}`, { headcount: 1, version: other.version });
  assert.ok(r.status === 404 || r.status === 403, `patch another enterprise: ${r.status}`);
  assert.equal((await api('lixia', 'GET', `/api/v1/enterprises/${other.id}/demands`)).json.total, before);
  const dem = (await api('lixia', 'GET', `/api/v1/enterprises/${other.id}/demands`)).json.items[0];
  if (dem) assert.equal((await api('specialist', 'GET', `/api/v1/demands/${dem.id}`)).status, 404);

  // assigned by the county, it becomes theirs; the assignment ended, it is gone again
  r = await api('lixia', 'GET', `/api/v1/enterprises/${other.id}`);
  const held = r.json.specialist && r.json.specialist.via === 'enterprise';
  if (!held) {
    r = await api('lixia', 'POST', `/api/v1/specialists/${spcId}/assignments`, { target_kind: 'enterprise', target_id: other.id });
    assert.equal(r.status, 201, r.text);
    const asg = r.json;
    assert.equal((await api('specialist', 'GET', `/api/v1/enterprises/${other.id}`)).status, 200);
    r = await api('specialist', 'GET', '/api/v1/enterprises?limit=100');
    assert.equal(r.json.total, mine.size + 1);
    r = await api('lixia', 'DELETE', `/api/v1/assignments/${asg.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal((await api('specialist', 'GET', `/api/v1/enterprises/${other.id}`)).status, 404);
  }
  // county staff still see the whole county
  assert.equal((await api('lixia', 'GET', `/api/v1/enterprises/${other.id}`)).status, 200);
});
