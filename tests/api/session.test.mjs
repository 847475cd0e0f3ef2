// Sessions, passwords, lockout, second factor, CSRF — against a real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call, login, totp } from './harness.mjs';

let srv;
before(async () => { srv = await startServer({}); });
after(async () => { await srv.stop(); });

function addUser(args, password) {
  const r = srv.cli(['user', 'add', '--db', srv.db, ...args, ...(password ? ['--password-stdin'] : [])],
    { input: password ? `${password}\n` : undefined });
  assert.equal(r.status, 0, r.stderr);
  const uri = (r.stdout.match(/otpauth:\/\/totp\/\S+/) || [])[0];
  return { out: r.stdout, uri };
}

test('the first user on an empty database is an administrator with a one-time password', () => {
  const r = srv.cli(['user', 'add', '--db', srv.db, '--username', 'root1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sys_admin/);
  assert.match(r.stdout, /otpauth:\/\/totp\//);
});

test('staff login needs the second factor; codes are single use', async () => {
  const { uri } = addUser(['--username', 'county1', '--role', 'county_staff', '--region', '370102', '--display-name', '历下区 测试'], 'Kx9#mQ2vLp7w');
  assert.ok(uri, 'user add prints the otpauth URI for staff roles');
  let r = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'county1', password: 'Kx9#mQ2vLp7w' } });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'mfa_required');
  assert.equal(r.headers.get('set-cookie'), null, 'no session without the second factor');
  const code = totp(uri);
  r = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'county1', password: 'Kx9#mQ2vLp7w', totp: code } });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.token.length >= 43);
  assert.equal(r.json.user.role, 'county_staff');
  assert.equal(r.json.user.region_code, '370102');
  const setCookie = r.headers.get('set-cookie');
  assert.match(setCookie, /np_session=/);
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /SameSite=Strict/i);
  r = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'county1', password: 'Kx9#mQ2vLp7w', totp: code } });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'mfa_invalid');
});

test('unknown user and wrong password get the same answer; five failures lock the account', async () => {
  addUser(['--username', 'ent1', '--role', 'seeker'], 'Qw7!rTy5uIo0');
  const a = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'nobody-here', password: 'Wrong#Pass123' } });
  const b = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'ent1', password: 'Wrong#Pass123' } });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.deepEqual(a.json.error.code, b.json.error.code);
  assert.deepEqual(a.json.error.message, b.json.error.message);
  for (let i = 0; i < 4; i++) {
    const r = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'ent1', password: 'Wrong#Pass123' } });
    assert.ok(r.status === 401 || r.status === 429);
  }
  const r = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 'ent1', password: 'Qw7!rTy5uIo0' } });
  assert.equal(r.status, 429);
  assert.equal(r.json.error.code, 'account_locked');
  const u = srv.cli(['user', 'unlock', '--db', srv.db, '--username', 'ent1']);
  assert.equal(u.status, 0, u.stderr);
  await login(srv.base, 'ent1', 'Qw7!rTy5uIo0');
});

test('bearer and cookie sessions; cookie writes need the CSRF header; logout ends the session', async () => {
  addUser(['--username', 'seek2', '--role', 'seeker'], 'Zx8$cVb6nMq1');
  const s = await login(srv.base, 'seek2', 'Zx8$cVb6nMq1');
  let r = await call(srv.base, 'GET', '/api/v1/me', { token: s.token });
  assert.equal(r.status, 200);
  assert.equal(r.json.username, 'seek2');
  r = await call(srv.base, 'GET', '/api/v1/me', { cookie: s.cookie });
  assert.equal(r.status, 200);
  r = await call(srv.base, 'POST', '/api/v1/me/password', { cookie: s.cookie, body: { old: 'Zx8$cVb6nMq1', new: 'Another#Pass2024' } });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'csrf');
  r = await call(srv.base, 'DELETE', '/api/v1/session', { token: s.token });
  assert.ok(r.status === 204 || r.status === 200);
  r = await call(srv.base, 'GET', '/api/v1/me', { token: s.token });
  assert.equal(r.status, 401);
});

test('password policy and history', async () => {
  addUser(['--username', 'seek3', '--role', 'seeker'], 'Pl9&kJh4gFd2');
  const s = await login(srv.base, 'seek3', 'Pl9&kJh4gFd2');
  const change = (o, n) => call(srv.base, 'POST', '/api/v1/me/password', { token: s.token, body: { old: o, new: n } });
  for (const weak of ['short1A!', 'alllowercaseletters', 'seek3Seek3#99', 'Aa123456789']) {
    const r = await change('Pl9&kJh4gFd2', weak);
    assert.equal(r.status, 422, weak);
    assert.equal(r.json.error.code, 'weak_password', weak);
    assert.equal(r.json.error.field, 'new');
  }
  let r = await change('Wrong#Old123', 'Good#Pass2024x');
  assert.equal(r.status, 401);
  r = await change('Pl9&kJh4gFd2', 'Good#Pass2024x');
  assert.ok(r.status === 204 || r.status === 200, r.text);
  r = await change('Good#Pass2024x', 'Pl9&kJh4gFd2');
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'password_reused');
});

test('an initial password must be changed at first login', async () => {
  const r0 = srv.cli(['user', 'add', '--db', srv.db, '--username', 'seek4', '--role', 'seeker']);
  assert.equal(r0.status, 0, r0.stderr);
  const pw = (r0.stdout.match(/password:\s*(\S+)/i) || [])[1];
  assert.ok(pw, `one-time password printed: ${r0.stdout}`);
  const s = await login(srv.base, 'seek4', pw);
  assert.equal(s.user.must_change_password, true);
  let r = await call(srv.base, 'GET', '/api/v1/users', { token: s.token });
  assert.equal(r.status, 403);
  r = await call(srv.base, 'POST', '/api/v1/me/password', { token: s.token, body: { old: pw, new: 'Fresh#Start2024' } });
  assert.ok(r.status === 204 || r.status === 200, r.text);
  r = await call(srv.base, 'GET', '/api/v1/me', { token: s.token });
  assert.equal(r.json.must_change_password, false);
});

test('sign-in attempts are limited per address: 20 a minute, then 429 rate_limited with Retry-After', async () => {
  const own = await startServer({ env: { NP_LOGIN_RATE_LIMIT: '' } }); // the production default
  try {
    const r0 = own.cli(['user', 'add', '--db', own.db, '--username', 'rl.seeker', '--role', 'seeker', '--password-stdin'],
      { input: 'Rl9#mQ2vLp7w\n' });
    assert.equal(r0.status, 0, r0.stderr);
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      // different (unknown) names: the per-account lockout does not kick in, only the address counts
      const r = await call(own.base, 'POST', '/api/v1/session', { body: { username: `nobody${i}`, password: 'Wrong#Pass123' } });
      assert.equal(r.status, 401, `attempt ${i + 1}: ${r.text}`);
    }
    // a bucket of 20 refilled at 20 a minute: one more attempt per 3 s that passed (a slow machine)
    let r;
    let extra = 0;
    for (;;) {
      r = await call(own.base, 'POST', '/api/v1/session', { body: { username: 'nobody', password: 'Wrong#Pass123' } });
      if (r.status !== 401) break;
      extra++;
      assert.ok(extra <= Math.ceil((Date.now() - t0) / 3000), `attempt ${20 + extra} allowed after ${Date.now() - t0} ms`);
    }
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'rate_limited');
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra >= 1 && ra <= 60, `Retry-After ${r.headers.get('retry-after')}`);
    assert.ok(r.headers.get('x-request-id'));
    // even the right password waits, and no session is opened
    r = await call(own.base, 'POST', '/api/v1/session', { body: { username: 'rl.seeker', password: 'Rl9#mQ2vLp7w' } });
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'rate_limited');
    assert.equal(r.headers.get('set-cookie'), null);
    // the limiter guards sign-in only: other routes still answer
    r = await call(own.base, 'GET', '/api/v1/health');
    assert.equal(r.status, 200);
  } finally {
    await own.stop();
  }
});

test('login CSRF: a sign-in a cross-site form could send (no JSON content type, no X-Requested-With) is refused', async () => {
  const r0 = srv.cli(['user', 'add', '--db', srv.db, '--username', 'csrf.seeker', '--role', 'seeker', '--password-stdin'],
    { input: 'Cs9#mQ2vLp7w\n' });
  assert.equal(r0.status, 0, r0.stderr);
  const body = JSON.stringify({ username: 'csrf.seeker', password: 'Cs9#mQ2vLp7w' });
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
    const r = await call(srv.base, 'POST', '/api/v1/session', { body, headers: { 'content-type': ct } });
    assert.equal(r.status, 415, ct);
    assert.equal(r.json.error.code, 'unsupported_media_type');
    assert.equal(r.headers.get('set-cookie'), null);
  }
  let r = await call(srv.base, 'POST', '/api/v1/session', { body, headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(r.status, 200, r.text);
  r = await call(srv.base, 'POST', '/api/v1/session', { body, headers: { 'content-type': 'text/plain', 'x-requested-with': 'nineplus' } });
  assert.equal(r.status, 200, r.text);
});
