// Enterprises, zones, projects and imports against a real server with the small demo data set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call, login } from './harness.mjs';

const PW = 'Shandong@2023';
let srv;
const tok = {};

// A valid unified social credit code: "91" + region + 8-digit serial + GB 11714 check + GB 32100 check.
function uscc(region6, serial) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const ow = [3, 7, 9, 10, 5, 8, 4, 2];
  let org = String(serial).padStart(8, '0');
  const c = 11 - ([...org].reduce((s, d, i) => s + Number(d) * ow[i], 0) % 11);
  org += c === 10 ? 'X' : c === 11 ? '0' : String(c);
  const s = `91${region6}${org}`;
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const k = 31 - ([...s].reduce((acc, ch, i) => acc + chars.indexOf(ch) * w[i], 0) % 31);
  return s + chars[k === 31 ? 0 : k];
}

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['province', 'jinan', 'lixia', 'specialist', 'admin']) tok[u] = (await login(srv.base, u, PW)).token;
});
after(async () => { await srv.stop(); });

const get = (u, url) => call(srv.base, 'GET', url, { token: tok[u] });

test('create, duplicate credit code, validation errors', async () => {
  const body = {
    uscc: uscc('370102', 88000001), name: '济南接口测试机械有限公司', industry_code: '3484', region_code: '370102001',
    employees: 350, revenue_fen: 2500000000, is_key: true, contacts: [{ name: '张三', phone: '13800138000' }],
  };
  let r = await call(srv.base, 'POST', '/api/v1/enterprises', { token: tok.lixia, body });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.id, /^ent_\d+$/);
  assert.equal(r.json.size_class, 'medium');
  assert.equal(r.json.above_scale, true);
  assert.equal(r.json.county_code, '370102');
  assert.equal(r.json.location_approx, true);
  assert.equal(r.json.contacts[0].phone, '138****8000');
  r = await call(srv.base, 'POST', '/api/v1/enterprises', { token: tok.lixia, body });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'duplicate_uscc');
  const bad = [
    [{ ...body, uscc: '913701020000000000' }, 'uscc'],
    [{ ...body, uscc: uscc('370102', 88000002), industry_code: '9999' }, 'industry_code'],
    [{ ...body, uscc: uscc('370102', 88000002), region_code: '370102999' }, 'region_code'],
    [{ ...body, uscc: uscc('370102', 88000002), lat: 40.1, lon: 116.3 }, 'lat'],
  ];
  for (const [b, field] of bad) {
    r = await call(srv.base, 'POST', '/api/v1/enterprises', { token: tok.lixia, body: b });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.field, field);
  }
  // a region outside the county's jurisdiction
  r = await call(srv.base, 'POST', '/api/v1/enterprises', {
    token: tok.lixia, body: { ...body, uscc: uscc('370112', 88000003), region_code: '370112001' },
  });
  assert.equal(r.status, 403);
});

test('list with filters, sort and cursor pages; totals limited to the jurisdiction', async () => {
  let r = await get('province', '/api/v1/enterprises?limit=100');
  assert.equal(r.status, 200);
  const all = r.json.total;
  assert.ok(all >= 300, `province sees ${all}`);
  r = await get('jinan', '/api/v1/enterprises?limit=100');
  assert.ok(r.json.total < all && r.json.total > 0);
  for (const e of r.json.items) assert.equal(e.city_code, '370100');
  r = await get('lixia', '/api/v1/enterprises?limit=100');
  for (const e of r.json.items) assert.equal(e.county_code, '370102');
  r = await get('province', '/api/v1/enterprises?industry=C34&above_scale=true&limit=100');
  for (const e of r.json.items) {
    assert.ok(e.industry_code.startsWith('34'));
    assert.equal(e.above_scale, true);
  }
  r = await get('province', '/api/v1/enterprises?is_key=true&region=370200&limit=100');
  for (const e of r.json.items) {
    assert.equal(e.is_key, true);
    assert.equal(e.city_code, '370200');
  }
  // pages by headcount, descending, green-channel enterprises first: no repeats, ordered, all rows reached
  const seen = new Set();
  let cursor = null, prev = Infinity, prevGreen = true, pages = 0;
  do {
    r = await get('jinan', `/api/v1/enterprises?sort=-headcount&limit=37${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    for (const e of r.json.items) {
      assert.ok(!seen.has(e.id));
      seen.add(e.id);
      if (e.green_channel !== prevGreen) {
        assert.ok(prevGreen && !e.green_channel, 'green-channel enterprises come first');
        prevGreen = e.green_channel;
        prev = Infinity;
      }
      assert.ok(e.headcount <= prev);
      prev = e.headcount;
    }
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  assert.equal(seen.size, r.json.total);
  r = await get('jinan', '/api/v1/enterprises?q=济南&limit=5');
  assert.ok(r.json.total > 0);
  r = await get('jinan', '/api/v1/enterprises?sort=colour');
  assert.equal(r.status, 422);
  r = await get('admin', '/api/v1/enterprises');
  assert.equal(r.status, 403);
  // specialist filter (needs the teams unit's specialist_assignments table)
  r = await get('jinan', '/api/v1/enterprises?specialist=spc_1');
  assert.ok(r.status === 200 || (r.status === 422 && r.json.error.code === 'unavailable'), r.text);
});

test('export uses the filters and returns an XLSX', async () => {
  const res = await fetch(`${srv.base}/api/v1/enterprises/export?industry=C36`, { headers: { authorization: `Bearer ${tok.jinan}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /spreadsheetml/);
  const buf = Buffer.from(await res.arrayBuffer());
  assert.equal(buf.subarray(0, 2).toString(), 'PK');
});

test('cross-jurisdiction: another county\'s enterprise is 404, by id and by credit code', async () => {
  const r = await get('province', '/api/v1/enterprises?region=370211&limit=1');
  assert.equal(r.status, 200);
  const e = r.json.items[0];
  assert.ok(e, 'demo has enterprises in 黄岛');
  assert.equal((await get('province', `/api/v1/enterprises/${e.id}`)).status, 200);
  assert.equal((await get('lixia', `/api/v1/enterprises/${e.id}`)).status, 404);
  assert.equal((await get('jinan', `/api/v1/enterprises/${e.uscc}`)).status, 404);
  const p = await call(srv.base, 'PATCH', `/api/v1/enterprises/${e.id}`, { token: tok.lixia, body: { headcount: 1, version: 1 } });
  assert.equal(p.status, 404);
});

test('PATCH with a stale version is a conflict; If-Match works', async () => {
  let r = await get('lixia', '/api/v1/enterprises?limit=1');
  const id = r.json.items[0].id;
  r = await get('lixia', `/api/v1/enterprises/${id}`);
  const etag = r.headers.get('etag');
  const v = r.json.version;
  r = await call(srv.base, 'PATCH', `/api/v1/enterprises/${id}`, { token: tok.lixia, body: { headcount: 123 }, headers: { 'if-match': etag } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, v + 1);
  r = await call(srv.base, 'PATCH', `/api/v1/enterprises/${id}`, { token: tok.lixia, body: { headcount: 124, version: v } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'stale');
  r = await call(srv.base, 'PATCH', `/api/v1/enterprises/${id}`, { token: tok.lixia, body: { headcount: 125 } });
  assert.equal(r.status, 422);
});

test('import: template, one broken row rejects the file, valid-only imports the rest, error file', async () => {
  let r = await get('lixia', '/api/v1/imports/templates/enterprises?format=csv');
  assert.equal(r.status, 200);
  assert.ok(r.text.includes('统一社会信用代码'));
  const res = await fetch(`${srv.base}/api/v1/imports/templates/enterprises`, { headers: { authorization: `Bearer ${tok.lixia}` } });
  assert.equal(res.status, 200);
  const a = uscc('370102', 89000001), b = uscc('370102', 89000002);
  const csv = '统一社会信用代码,企业名称,行业代码,区划代码,从业人员,重点企业\n'
    + `${a},济南导入甲有限公司,3484,370102001,50,否\n`
    + `${b},济南导入乙有限公司,3484,370102001,很多,否\n`;
  const before = (await get('lixia', '/api/v1/enterprises?limit=1')).json.total;
  r = await call(srv.base, 'POST', '/api/v1/imports?kind=enterprises&mode=all_or_nothing', {
    token: tok.lixia, body: csv, headers: { 'content-type': 'text/csv' },
  });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.failed, 1);
  assert.equal(r.json.inserted, 0);
  assert.deepEqual(r.json.errors.map((e) => [e.row, e.column, e.header]), [[3, 'E', '从业人员']]);
  assert.equal((await get('lixia', '/api/v1/enterprises?limit=1')).json.total, before);
  const errs = await get('lixia', `/api/v1/imports/${r.json.id}/errors`);
  assert.equal(errs.status, 200);
  const raw = Buffer.from(await (await fetch(`${srv.base}/api/v1/imports/${r.json.id}/errors`, {
    headers: { authorization: `Bearer ${tok.lixia}` },
  })).arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
  assert.ok(errs.text.includes('3,E,从业人员'));
  assert.equal((await get('jinan', `/api/v1/imports/${r.json.id}/errors`)).status, 404);
  r = await call(srv.base, 'POST', '/api/v1/imports?kind=enterprises&mode=valid_only', {
    token: tok.lixia, body: csv, headers: { 'content-type': 'text/csv' },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inserted, 1);
  assert.equal(r.json.failed, 1);
  assert.equal((await get('lixia', `/api/v1/enterprises/${a}`)).status, 200);
  r = await call(srv.base, 'POST', '/api/v1/imports?kind=enterprises', {
    token: tok.specialist, body: csv, headers: { 'content-type': 'text/csv' },
  });
  assert.equal(r.status, 403);
});

test('zones and projects', async () => {
  let r = await get('lixia', '/api/v1/zones');
  assert.equal(r.status, 200);
  assert.equal(r.json.total, 15);
  const jn = r.json.items.find((z) => z.code === '370176');
  assert.equal(jn.level, 'national');
  r = await get('province', '/api/v1/projects?limit=100');
  assert.equal(r.status, 200);
  assert.ok(r.json.total > 0);
  const e = (await get('lixia', '/api/v1/enterprises?limit=1')).json.items[0];
  r = await call(srv.base, 'POST', '/api/v1/projects', {
    token: tok.lixia,
    body: { name: '历下区测试技改项目', enterprise_id: e.uscc, investment_fen: '120000000.00', planned_start: '2024-03-01', planned_production: '2023-12-01' },
  });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'planned_production');
  r = await call(srv.base, 'POST', '/api/v1/projects', {
    token: tok.lixia,
    body: { name: '历下区测试技改项目', enterprise_id: e.uscc, investment_fen: '120000000.00', planned_start: '2024-03-01', planned_production: '2025-06-30', stage: 'construction' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.region_code, e.region_code);
  assert.equal((await get('jinan', `/api/v1/projects/${r.json.id}`)).status, 200);
});

test('contacts: a masked phone sent back keeps its number; a masked phone of no contact is refused', async () => {
  let r = await get('lixia', '/api/v1/enterprises?limit=100');
  let e = null;
  for (const it of r.json.items) {
    const d = await get('lixia', `/api/v1/enterprises/${it.id}`);
    if ((d.json.contacts || []).some((c) => c.phone)) { e = d.json; break; }
  }
  assert.ok(e, 'a 历下 enterprise with a contact phone');
  const masked = e.contacts.find((c) => c.phone).phone;
  assert.match(masked, /^\d{3}\*{4}\d{4}$/);
  const contacts = e.contacts.map((c) => ({ name: c.name, title: c.title || '', phone: c.phone || '' }));
  contacts.push({ name: '新联系人', title: '人事专员', phone: '13912345678' });
  r = await call(srv.base, 'PATCH', `/api/v1/enterprises/${e.id}`, { token: tok.lixia, body: { contacts, version: e.version } });
  assert.equal(r.status, 200, r.text);
  const after = (await get('lixia', `/api/v1/enterprises/${e.id}`)).json;
  assert.ok(after.contacts.some((c) => c.phone === masked), 'the old number is kept');
  assert.ok(after.contacts.some((c) => c.phone === '139****5678'));
  r = await call(srv.base, 'PATCH', `/api/v1/enterprises/${e.id}`, {
    token: tok.lixia, body: { contacts: [{ name: 'x', phone: '130****0000' }], version: after.version },
  });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'masked_phone');
});

test('GET /api/v1/dicts carries the firms dictionaries the validators use (public, labelled, tagged)', async () => {
  const r = await call(srv.base, 'GET', '/api/v1/dicts');
  assert.equal(r.status, 200, r.text);
  const want = {
    size_class: ['unknown', 'micro', 'small', 'medium', 'large'],
    project_stage: ['planning', 'approved', 'construction', 'commissioning', 'production', 'suspended'],
    demand_status: ['open', 'partly_filled', 'filled', 'cancelled', 'expired'],
    education: ['none', 'junior_middle', 'senior_middle', 'secondary_vocational', 'junior_college', 'bachelor', 'master', 'doctorate'],
    measure_type: ['special_recruitment', 'labour_cooperation', 'training_order', 'labour_sharing', 'policy_support', 'other'],
    measure_status: ['planned', 'in_progress', 'done', 'cancelled'],
    alert_status: ['open', 'acknowledged', 'resolved'],
    alert_level: ['county', 'city', 'province'],
    alert_deadline: ['pending', 'met', 'missed', 'not_required'],
    log_kind: ['visit', 'call', 'online'],
    grid_duty: ['lead', 'member'],
    target_kind: ['enterprise', 'zone', 'project'],
  };
  for (const [name, values] of Object.entries(want)) {
    assert.ok(Array.isArray(r.json[name]), name);
    assert.deepEqual(r.json[name].map((x) => x.value), values, name);
    for (const it of r.json[name]) {
      assert.ok(it.label_zh && it.label_en && it.tag, `${name}.${it.value} labelled`);
      assert.notEqual(it.label_zh, it.value, `${name}.${it.value} has a Chinese label`);
    }
  }
  for (const k of ['zone_level', 'zone_kind', 'alert_rule_kind', 'team_level', 'division', 'grid_level', 'timeline_type', 'roles', 'user_status', 'audit_outcome'])
    assert.ok(Array.isArray(r.json[k]) && r.json[k].length > 0, k);
  // a value outside the dictionary is refused by the validator the dictionary came from
  const p = (await get('lixia', '/api/v1/projects?limit=1')).json.items[0];
  if (p) {
    const x = await call(srv.base, 'PATCH', `/api/v1/projects/${p.id}`, { token: tok.lixia, body: { stage: 'dreaming', version: p.version } });
    assert.equal(x.status, 422, x.text);
  }
});
