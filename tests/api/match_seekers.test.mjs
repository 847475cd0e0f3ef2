// Job seekers, referrals, partner feed and keys over HTTP on the small demo data set: registration with
// derived fields and masking, duplicate 409, bad ID numbers 422 with field, public self-registration,
// referral pipeline to hired updating the demand line, feed with a key, revoked key 401, rate limit 429,
// cross-jurisdiction 404, CSV import modes, unmask audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, call, login } from './harness.mjs';

const PW = 'Shandong@2023';
let srv;
const t = {};
const api = (who, method, url, body) => call(srv.base, method, url, { token: t[who], body });

/** A valid 18-character resident ID number (GB 11643 check character). */
function idNumber(region, ymd, seq) {
  const body = `${region}${ymd}${String(seq).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * w[i];
  return body + '10X98765432'[sum % 11];
}
let seq = 100;
const nextId = (region = '370102', ymd = '19950512') => idNumber(region, ymd, seq++);

function sql(q) {
  const r = spawnSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['province', 'jinan', 'lixia', 'specialist', 'seeker']) t[u] = (await login(srv.base, u, PW)).token;
});
after(async () => { await srv.stop(); });

test('seekers: staff register; derived fields, masked ID and phone; duplicate person 409', async () => {
  const id = nextId('370102', '19980230'.replace('0230', '0228'));
  let r = await api('lixia', 'POST', '/api/v1/seekers', {
    id_number: id, name: '王小明', region_code: '370102001', occupation_codes: ['6-18-02-04', '6-18-01-01'],
    skill_level: 4, expected_salary: 650000, consent: true, phone: '13800138000', education: 'secondary_vocational',
    graduation_year: 2018, hardship: true,
  });
  assert.equal(r.status, 201, r.text);
  const s = r.json;
  assert.match(s.id, /^skr_\d+$/);
  assert.equal(s.id_number, `${id.slice(0, 3)}***********${id.slice(14)}`);
  assert.equal(s.phone, '138****8000');
  assert.equal(s.sex, Number(id[16]) % 2 ? 'M' : 'F');
  assert.equal(s.hukou_region_code, '370102');
  assert.equal(s.from_outside_province, false);
  assert.equal(s.birth_date, undefined); // only when unmasked
  assert.equal(s.county_code, '370102');
  assert.equal(s.city_code, '370100');
  assert.equal(s.location_approx, true);
  assert.deepEqual(s.occupation_codes, ['6-18-02-04', '6-18-01-01']);
  assert.ok(s.categories.includes('hardship'));
  assert.equal(s.status, 'seeking');
  assert.ok(!r.text.includes(id), 'the full ID number never appears');
  // the same person again (lower-case x or not) → 409, nothing else revealed
  r = await api('jinan', 'POST', '/api/v1/seekers', {
    id_number: id, name: '别人', region_code: '370112', occupation_codes: ['6-18-02-04'], consent: true,
  });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'duplicate');
  assert.equal(r.json.error.field, 'id_number');
  assert.ok(!r.text.includes(s.id));
  // read back, list with filters
  r = await api('lixia', 'GET', `/api/v1/seekers/${s.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.name, '王小明');
  r = await api('lixia', 'GET', '/api/v1/seekers?q=王小明&category=hardship&occupation=6-18-02');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.some((x) => x.id === s.id));
  assert.ok(r.json.items.every((x) => /^\d{3}\*{11}[\dX]{4}$/.test(x.id_number)));
  r = await api('province', 'GET', '/api/v1/seekers?region=370102&category=outside_province&limit=50');
  assert.equal(r.status, 200);
  assert.ok(r.json.items.every((x) => x.from_outside_province && x.county_code === '370102'));
  // PATCH with version; stale version 409
  r = await api('lixia', 'PATCH', `/api/v1/seekers/${s.id}`, { version: s.version, expected_salary: '7000.00', lat: 36.66, lon: 117.02 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.expected_salary, 700000);
  assert.equal(r.json.location_approx, false);
  r = await api('lixia', 'PATCH', `/api/v1/seekers/${s.id}`, { version: s.version, name: '王晓明' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'stale');
  r = await api('lixia', 'PATCH', `/api/v1/seekers/${s.id}`, { version: s.version + 1, id_number: nextId() });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'id_number');
});

test('seekers: bad input is 422 with the field and writes nothing', async () => {
  const before = sql('SELECT COUNT(*) FROM seekers');
  const good = { name: '李四', region_code: '370102', occupation_codes: ['6-18-02-04'], consent: true };
  const id = nextId();
  const wrongCheck = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
  const cases = [
    [{ ...good, id_number: wrongCheck }, 'id_number', 'check_char'],
    [{ ...good, id_number: idNumber('370102', '19950230', 1) }, 'id_number', 'birth_date'],
    [{ ...good, id_number: idNumber('990102', '19950101', 1) }, 'id_number', 'region'],
    [{ ...good, id_number: nextId(), region_code: '379999' }, 'region_code', 'unknown_region'],
    [{ ...good, id_number: nextId(), lat: 40.1, lon: 116.4 }, 'lat', 'outside_shandong'],
    [{ ...good, id_number: nextId(), occupation_codes: ['9-99-99-99'] }, 'occupation_codes[0]', 'unknown_occupation'],
    [{ ...good, id_number: nextId(), occupation_codes: ['6-18-02-04', '6-18-01-01', '6-31-01-03', '6-20-01-01'] }, 'occupation_codes', 'too_many'],
    [{ ...good, id_number: nextId(), skill_level: 9 }, 'skill_level', 'range'],
  ];
  for (const [body, field, code] of cases) {
    const r = await api('lixia', 'POST', '/api/v1/seekers', body);
    assert.equal(r.status, 422, `${field}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    assert.equal(r.json.error.code, code, r.text);
    assert.ok(!r.text.includes(body.id_number), 'no ID number in errors');
  }
  // outside the caller's jurisdiction
  let r = await api('lixia', 'POST', '/api/v1/seekers', { ...good, id_number: nextId(), region_code: '370202' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'out_of_jurisdiction');
  assert.equal(sql('SELECT COUNT(*) FROM seekers'), before);
});

test('seekers: roles — enterprise and bank denied, a seeker sees only their own record, other counties get 404', async () => {
  let r = await api('seeker', 'GET', '/api/v1/seekers');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 1, 'the demo seeker account has exactly its own record');
  const own = r.json.items[0];
  r = await api('seeker', 'GET', `/api/v1/seekers/${own.id}`);
  assert.equal(r.status, 200);
  r = await api('seeker', 'POST', '/api/v1/seekers', { id_number: nextId(), name: '代登', region_code: '370102', occupation_codes: ['6-18-02-04'] });
  assert.equal(r.status, 403);
  r = await api('lixia', 'GET', '/api/v1/seekers?limit=1');
  const lixiaSeeker = r.json.items[0].id;
  r = await api('seeker', 'GET', `/api/v1/seekers/${lixiaSeeker}`);
  assert.equal(r.status, lixiaSeeker === own.id ? 200 : 404);
  // 历下 staff do not see 青岛 seekers
  r = await api('province', 'GET', '/api/v1/seekers?region=370211&limit=1');
  const qd = r.json.items[0];
  assert.equal(qd.county_code, '370211');
  r = await api('lixia', 'GET', `/api/v1/seekers/${qd.id}`);
  assert.equal(r.status, 404);
  r = await api('lixia', 'PATCH', `/api/v1/seekers/${qd.id}`, { version: qd.version, name: 'x' });
  assert.equal(r.status, 404);
  r = await api('lixia', 'GET', '/api/v1/seekers?region=370211');
  assert.equal(r.status, 404);
  r = await api('lixia', 'GET', '/api/v1/seekers?limit=100');
  assert.ok(r.json.items.every((x) => x.region_code.startsWith('370102')));
  // enterprise users hold no seeker action
  const entId = sql("SELECT id FROM enterprises WHERE county_code = '370102' ORDER BY id LIMIT 1");
  const c = srv.cli(['user', 'add', '--db', srv.db, '--username', 'ent.seek', '--role', 'enterprise', '--enterprise', entId,
    '--display-name', '企业人事', '--password-stdin'], { input: `${PW}\n` });
  assert.equal(c.status, 0, c.stderr);
  const hr = await login(srv.base, 'ent.seek', PW);
  await call(srv.base, 'POST', '/api/v1/me/password', { token: hr.token, body: { old: PW, new: 'Ent#Seek2024ok' } });
  t.hr = (await login(srv.base, 'ent.seek', 'Ent#Seek2024ok')).token;
  r = await api('hr', 'GET', '/api/v1/seekers');
  assert.equal(r.status, 403);
  r = await api('hr', 'POST', '/api/v1/seekers', { id_number: nextId() });
  assert.equal(r.status, 403);
});

test('seekers: unmask needs the grant and is audited', async () => {
  let r = await api('lixia', 'GET', '/api/v1/seekers?limit=1');
  const sid = r.json.items[0].id;
  r = await api('lixia', 'GET', `/api/v1/seekers/${sid}?unmask=1`);
  assert.equal(r.status, 403);
  sql("UPDATE users SET can_unmask = 1 WHERE username = 'lixia'");
  r = await api('lixia', 'GET', `/api/v1/seekers/${sid}?unmask=1`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.id_number, /^\d{17}[\dX]$/);
  assert.match(r.json.birth_date, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(r.json.birth_date.replaceAll('-', ''), r.json.id_number.slice(6, 14));
  const n = sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'personal.unmask' AND entity_id = '${sid}'`);
  assert.equal(n, '1');
});

test('public self-registration: explicit consent, optional account, duplicate 409, rate limit per IP', async () => {
  const id = nextId('510100', '20000101');
  let r = await call(srv.base, 'POST', '/api/v1/public/seekers', {
    body: { id_number: id, name: '赵川', region_code: '371302', occupation_codes: ['6-18-02-04'] },
  });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'consent');
  r = await call(srv.base, 'POST', '/api/v1/public/seekers', {
    body: { id_number: id, name: '赵川', region_code: '371302', occupation_codes: ['6-18-02-04'], consent: true,
      username: 'zhaochuan', password: 'Zhao#Chuan2024' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.from_outside_province, true);
  assert.ok(r.json.categories.includes('outside_province'));
  assert.ok(r.json.categories.includes('youth') || r.json.age > 24);
  assert.equal(r.json.source, 'self');
  const me = await login(srv.base, 'zhaochuan', 'Zhao#Chuan2024');
  const mine = await call(srv.base, 'GET', '/api/v1/seekers', { token: me.token });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.items.length, 1);
  assert.equal(mine.json.items[0].id, r.json.id);
  r = await call(srv.base, 'POST', '/api/v1/public/seekers', {
    body: { id_number: id, name: '冒名', region_code: '370102', occupation_codes: ['6-18-02-04'], consent: false },
  });
  assert.equal(r.status, 409);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'field', 'message']);
  let limited = null;
  for (let i = 0; i < 12 && !limited; i++) {
    r = await call(srv.base, 'POST', '/api/v1/public/seekers', { body: { id_number: 'bad' } });
    if (r.status === 429) limited = r;
  }
  assert.ok(limited, 'the 11th attempt within a minute is refused');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
});

test('referrals: pipeline to hired updates the demand line and the seeker; guarded transitions; 404 outside', async () => {
  let r = await api('lixia', 'GET', '/api/v1/demands?region=370102&status=active&limit=100');
  assert.equal(r.status, 200, r.text);
  // the specialist helps on the lines of the enterprises assigned to them (others are not theirs: 404)
  const mine = new Set((await api('specialist', 'GET', '/api/v1/specialists/me/enterprises?limit=100')).json.items.map((e) => e.id));
  const line = r.json.items.find((l) => l.open >= 2 && mine.has(l.enterprise_id));
  assert.ok(line, 'the demo has an open line of an enterprise assigned to the specialist');
  const created = await api('lixia', 'POST', '/api/v1/seekers', {
    id_number: nextId('370102', '19900303'), name: '孙师傅', region_code: '370102', occupation_codes: [line.occupation_code],
    consent: true, skill_level: 5,
  });
  assert.equal(created.status, 201, created.text);
  const seeker = created.json;
  r = await api('lixia', 'POST', '/api/v1/referrals', { demand_id: line.id, seeker_id: seeker.id, explanation: { score: 0.83, terms: { occupation: 1 } } });
  assert.equal(r.status, 201, r.text);
  const ref = r.json;
  assert.equal(ref.status, 'recommended');
  assert.equal(ref.explanation.score, 0.83);
  assert.match(ref.seeker.id_number, /\*{11}/);
  r = await api('lixia', 'POST', '/api/v1/referrals', { demand_id: line.id, seeker_id: seeker.id });
  assert.equal(r.status, 409);
  r = await api('lixia', 'PATCH', `/api/v1/referrals/${ref.id}`, { status: 'hired' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'transition');
  for (const st of ['contacted', 'interviewed']) {
    r = await api('specialist', 'PATCH', `/api/v1/referrals/${ref.id}`, { status: st });
    assert.equal(r.status, 200, r.text);
  }
  const filledBefore = (await api('lixia', 'GET', `/api/v1/demands/${line.id}`)).json.filled;
  r = await api('lixia', 'PATCH', `/api/v1/referrals/${ref.id}`, { status: 'hired' });
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.hire_id, /^hire_\d+$/);
  assert.deepEqual(r.json.events.map((e) => e.status_after), ['recommended', 'contacted', 'interviewed', 'hired']);
  const after = (await api('lixia', 'GET', `/api/v1/demands/${line.id}`)).json;
  assert.equal(after.filled, filledBefore + 1);
  assert.equal((await api('lixia', 'GET', `/api/v1/seekers/${seeker.id}`)).json.status, 'employed');
  r = await api('lixia', 'PATCH', `/api/v1/referrals/${ref.id}`, { status: 'declined', reason: '太晚' });
  assert.equal(r.status, 409, 'hired is final');
  // declined needs a reason
  const other = await api('lixia', 'POST', '/api/v1/seekers', {
    id_number: nextId('370102', '19880808'), name: '钱工', region_code: '370102', occupation_codes: [line.occupation_code], consent: true,
  });
  r = await api('lixia', 'POST', '/api/v1/referrals', { demand_id: line.id, seeker_id: other.json.id });
  assert.equal(r.status, 201, r.text);
  const r2 = r.json;
  r = await api('lixia', 'PATCH', `/api/v1/referrals/${r2.id}`, { status: 'declined' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'reason');
  r = await api('lixia', 'PATCH', `/api/v1/referrals/${r2.id}`, { status: 'declined', reason: '期望薪资高于岗位' });
  assert.equal(r.status, 200, r.text);
  // no consent → 409
  const nc = await api('lixia', 'POST', '/api/v1/seekers', {
    id_number: nextId('370102', '19870707'), name: '周某', region_code: '370102', occupation_codes: [line.occupation_code], consent: false,
  });
  r = await api('lixia', 'POST', '/api/v1/referrals', { demand_id: line.id, seeker_id: nc.json.id });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'no_consent');
  // board: filters and counts; other jurisdictions see nothing of it
  r = await api('lixia', 'GET', `/api/v1/referrals?demand=${line.id}`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.counts.hired >= 1);
  r = await api('jinan', 'GET', '/api/v1/referrals?status=hired');
  assert.ok(r.json.items.some((x) => x.id === ref.id));
  // a 青岛 referral made by the province is invisible to 历下
  const qdLine = (await api('province', 'GET', '/api/v1/demands?region=370211&status=active&limit=5')).json.items[0];
  const qdSeeker = (await api('province', 'POST', '/api/v1/seekers', {
    id_number: nextId('370211', '19920202'), name: '青岛人', region_code: '370211', occupation_codes: [qdLine.occupation_code], consent: true,
  })).json;
  r = await api('province', 'POST', '/api/v1/referrals', { demand_id: qdLine.id, seeker_id: qdSeeker.id });
  assert.equal(r.status, 201, r.text);
  const qdRef = r.json;
  r = await api('lixia', 'GET', `/api/v1/referrals/${qdRef.id}`);
  assert.equal(r.status, 404);
  r = await api('lixia', 'PATCH', `/api/v1/referrals/${qdRef.id}`, { status: 'contacted' });
  assert.equal(r.status, 404);
  r = await api('lixia', 'POST', '/api/v1/referrals', { demand_id: qdLine.id, seeker_id: nc.json.id });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.field, 'demand_id');
  r = await api('lixia', 'POST', '/api/v1/referrals', { demand_id: line.id, seeker_id: qdSeeker.id });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.field, 'seeker_id');
  r = await api('lixia', 'GET', '/api/v1/referrals?limit=100');
  assert.ok(r.json.items.every((x) => x.region_code.startsWith('370102')));
  // demo data has referrals in every stage
  r = await api('province', 'GET', '/api/v1/referrals?limit=100');
  for (const st of ['recommended', 'contacted', 'interviewed', 'hired', 'declined']) assert.ok(r.json.counts[st] >= 1, st);
});

test('partner feed: keys issued once, feed in sequence order with priority, rate limit 429, revoked key 401', async () => {
  let r = await api('lixia', 'POST', '/api/v1/partner-keys', { name: 'x' });
  assert.equal(r.status, 403);
  r = await api('province', 'POST', '/api/v1/partner-keys', { name: '某招聘网', rate_per_minute: 5 });
  assert.equal(r.status, 201, r.text);
  const key = r.json.key;
  assert.match(key, /^np_[0-9a-f]{40}$/);
  r = await api('province', 'GET', '/api/v1/partner-keys');
  assert.ok(!r.text.includes(key));
  const k = r.json.items.find((x) => x.name === '某招聘网');
  assert.equal(k.prefix, key.slice(0, 12));
  const feed = (q) => call(srv.base, 'GET', `/api/v1/feed/demands${q}`, { headers: { 'x-api-key': key } });
  r = await call(srv.base, 'GET', '/api/v1/feed/demands');
  assert.equal(r.status, 401);
  r = await call(srv.base, 'GET', '/api/v1/feed/demands', { headers: { 'x-api-key': 'np_' + '0'.repeat(40) } });
  assert.equal(r.status, 401);
  r = await feed('?since=0&limit=50');
  assert.equal(r.status, 200, r.text);
  const items = r.json.items;
  assert.ok(items.length > 0);
  for (let i = 1; i < items.length; i++) assert.ok(items[i].seq > items[i - 1].seq);
  assert.equal(r.json.next_since, items[items.length - 1].seq);
  const up = items.find((x) => x.op === 'upsert');
  assert.ok(up.demand.enterprise_name && up.demand.occupation_code && 'priority' in up.demand);
  assert.equal(up.demand.notes, undefined);
  r = await feed(`?since=${r.json.next_since}&limit=500`);
  assert.equal(r.status, 200);
  const all = [...items, ...r.json.items];
  assert.ok(all.some((x) => x.op === 'upsert' && x.demand.priority === true), 'key enterprises flagged');
  // a session is not a key
  r = await call(srv.base, 'GET', '/api/v1/feed/demands', { token: t.province });
  assert.equal(r.status, 401);
  // 5 a minute: the sixth call within the minute is limited (3 used above)
  let limited = null;
  for (let i = 0; i < 5 && !limited; i++) {
    r = await feed('?since=0&limit=1');
    if (r.status === 429) limited = r;
  }
  assert.ok(limited);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  r = await api('province', 'DELETE', `/api/v1/partner-keys/${k.id}`);
  assert.equal(r.status, 204);
  r = await feed('?since=0');
  assert.equal(r.status, 401);
});

test('seeker import: template, all-or-nothing writes nothing, valid-only writes the good rows', async () => {
  let r = await api('lixia', 'GET', '/api/v1/imports/templates/seekers');
  assert.equal(r.status, 200);
  assert.ok(r.text.includes('身份证号 id_number'));
  const header = '身份证号,姓名,现居住地区划代码,求职工种,技能等级,期望月薪(元),同意推荐';
  const ok1 = nextId('370102', '19930303'), ok2 = nextId('410100', '19940404');
  const bad = ok1.slice(0, 17) + (ok1[17] === '1' ? '2' : '1');
  const csv = [header, `${ok1},甲,370102001,6-18-02-04;6-18-01-01,3,6500,是`, `${bad},乙,370102,6-18-02-04,3,6000,是`,
    `${ok2},丙,370102,6-18-02-04,,5000.50,否`, `${nextId()},丁,370102,9-99-99-99,,5000,是`].join('\r\n');
  const before = sql('SELECT COUNT(*) FROM seekers');
  const up = (mode) => call(srv.base, 'POST', `/api/v1/seekers/import?mode=${mode}`, {
    token: t.lixia, body: csv, headers: { 'content-type': 'text/csv' } });
  r = await up('all_or_nothing');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.failed, 2);
  assert.equal(r.json.inserted, 0);
  assert.deepEqual(r.json.errors.map((e) => [e.row, e.header]), [[3, '身份证号'], [5, '求职工种']]);
  assert.ok(!r.text.includes(bad));
  assert.equal(sql('SELECT COUNT(*) FROM seekers'), before);
  r = await up('valid_only');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inserted, 2);
  assert.equal(sql('SELECT COUNT(*) FROM seekers'), String(Number(before) + 2));
  const errs = await api('lixia', 'GET', `/api/v1/imports/${r.json.id}/errors`);
  assert.equal(errs.status, 200);
  // the same file again: every row a duplicate now
  r = await up('valid_only');
  assert.equal(r.json.inserted, 0);
  assert.ok(r.json.errors.some((e) => e.reason.startsWith('duplicate')));
  r = await api('specialist', 'POST', '/api/v1/seekers/import', csv);
  assert.equal(r.status, 403);
});
