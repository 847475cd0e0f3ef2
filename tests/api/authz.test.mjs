// Roles × resources over HTTP (the demo accounts, second factor off in the demo), and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, call, login, totp } from './harness.mjs';

const PW = 'Shandong@2023';
const ROLES = {
  admin: 'sys_admin', security: 'security_admin', auditor: 'auditor', province: 'province_staff',
  jinan: 'city_staff', lixia: 'county_staff', specialist: 'specialist', bank: 'bank', seeker: 'seeker',
  enterprise: 'enterprise',
};
// resource → the users allowed to read it (everyone else: 403)
const MATRIX = {
  '/api/v1/users': ['admin', 'security'],
  '/api/v1/sessions': ['admin', 'security'],
  '/api/v1/settings': ['security'],
  '/api/v1/audit': ['auditor'],
  '/api/v1/audit/logins': ['auditor'],
  '/api/v1/ref/regions?parent=370100': Object.keys(ROLES),
  '/api/v1/ref/skill-levels': Object.keys(ROLES),
  '/api/v1/me': Object.keys(ROLES),
};

let srv;
const tokens = {};
before(async () => {
  srv = await startServer({ demo: true });
  for (const u of Object.keys(ROLES)) tokens[u] = (await login(srv.base, u, PW)).token;
});
after(async () => { await srv.stop(); });

test('every demo account logs in with its role and jurisdiction', async () => {
  for (const [u, role] of Object.entries(ROLES)) {
    const r = await call(srv.base, 'GET', '/api/v1/me', { token: tokens[u] });
    assert.equal(r.status, 200, u);
    assert.equal(r.json.role, role, u);
  }
  const r = await call(srv.base, 'GET', '/api/v1/me', { token: tokens.lixia });
  assert.equal(r.json.region_code, '370102');
  assert.equal(r.json.settings.mfa_enforced, false);
});

for (const [url, allowed] of Object.entries(MATRIX)) {
  test(`role matrix: GET ${url}`, async () => {
    for (const u of Object.keys(ROLES)) {
      const r = await call(srv.base, 'GET', url, { token: tokens[u] });
      if (allowed.includes(u)) assert.equal(r.status, 200, `${u} may read ${url}: ${r.text}`);
      else assert.ok(r.status === 403 || r.status === 404, `${u} must not read ${url}: ${r.status}`);
    }
  });
}

test('an administrator creates a county user, who sees their own jurisdiction', async () => {
  let r = await call(srv.base, 'POST', '/api/v1/users', {
    token: tokens.admin,
    body: { username: 'licheng.staff', display_name: '历城区人社局 李四', role: 'county_staff', region_code: '370112' },
  });
  assert.equal(r.status, 201, r.text);
  const pw = r.json.initial_password;
  assert.ok(pw);
  assert.equal(r.json.user.must_change_password, true);
  assert.match(r.json.totp_uri, /^otpauth:\/\/totp\//, 'staff get their second factor at creation');
  const s = await login(srv.base, 'licheng.staff', pw, totp(r.json.totp_uri));
  r = await call(srv.base, 'POST', '/api/v1/me/password', { token: s.token, body: { old: pw, new: 'Licheng#2024ok' } });
  assert.ok(r.status === 204 || r.status === 200, r.text);
  r = await call(srv.base, 'GET', '/api/v1/me', { token: s.token });
  assert.equal(r.json.region_code, '370112');
  assert.equal(r.json.role, 'county_staff');
  r = await call(srv.base, 'POST', '/api/v1/users', {
    token: tokens.admin, body: { username: 'bad.region', display_name: 'x', role: 'county_staff', region_code: '379999' },
  });
  assert.ok(r.status === 422 || r.status === 400, r.text);
  assert.equal(r.json.error.field, 'region_code');
  r = await call(srv.base, 'POST', '/api/v1/users', {
    token: tokens.province, body: { username: 'sneaky', display_name: 'x', role: 'sys_admin' },
  });
  assert.equal(r.status, 403);
});

test('the auditor sees logins and failures; the audit log cannot be edited; the chain verifies', async () => {
  await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'jinan', password: 'wrong-password-1A' } });
  let r = await call(srv.base, 'GET', '/api/v1/audit/logins?limit=100', { token: tokens.auditor });
  assert.equal(r.status, 200);
  const actions = r.json.items.map((x) => x.action);
  assert.ok(actions.includes('login.success'), actions.join(','));
  assert.ok(actions.includes('login.failure'), actions.join(','));
  assert.ok(r.json.items.every((x) => x.request_id !== undefined && x.at));
  r = await call(srv.base, 'DELETE', '/api/v1/audit', { token: tokens.auditor });
  assert.ok(r.status === 405 || r.status === 404);
  r = await call(srv.base, 'GET', '/api/v1/audit/export', { token: tokens.auditor });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml|octet-stream/);
  r = await call(srv.base, 'GET', '/api/v1/audit?action=audit.export', { token: tokens.auditor });
  assert.ok(r.json.items.length >= 1, 'the export itself is audited');
  r = await call(srv.base, 'GET', '/api/v1/audit/verify', { token: tokens.auditor });
  assert.equal(r.json.ok, true);
  const v = srv.cli(['audit', 'verify', '--db', srv.db]);
  assert.equal(v.status, 0, v.stderr + v.stdout);
});

test('an edited audit row is found by nineplus audit verify', async () => {
  const path = srv.db.replace(/^sqlite:/, '');
  const e = spawnSync('sqlite3', [path, "UPDATE audit_log SET ip = '10.9.9.9' WHERE seq = (SELECT MIN(seq) + 1 FROM audit_log)"], { encoding: 'utf8' });
  assert.equal(e.status, 0, e.stderr);
  const v = srv.cli(['audit', 'verify', '--db', srv.db]);
  assert.notEqual(v.status, 0);
  assert.match(v.stdout + v.stderr, /seq \d+/);
});
