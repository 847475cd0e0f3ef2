// The HTTP layer against a real server: health, OpenAPI, routing errors, limits, bad input, static files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, call, login } from './harness.mjs';

let srv;
let tok;
before(async () => {
  srv = await startServer({ demo: true, uiDir: process.env.NP_UI_DIR || `${process.env.NP_SOURCE_DIR}/ui/dist` });
  tok = (await login(srv.base, 'province', 'Shandong@2023')).token;
});
after(async () => { assert.equal(await srv.stop(), 0, 'server exits cleanly on SIGTERM'); });

/** Sends raw bytes over a socket and returns the whole response text. */
function raw(port, text) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(text));
    let buf = '';
    s.on('data', (d) => { buf += d; });
    s.on('end', () => resolve(buf));
    s.on('error', reject);
    s.setTimeout(10000, () => { s.destroy(); resolve(buf); });
  });
}

test('health reports the store and schema versions', async () => {
  const r = await call(srv.base, 'GET', '/api/v1/health');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.schema_version, r.json.binary_schema_version);
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
});

test('openapi document is served and is OpenAPI 3.1', async () => {
  const r = await call(srv.base, 'GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.match(r.json.openapi, /^3\.1/);
  assert.ok(r.json.paths['/api/v1/session']);
});

test('unknown API path is 404 in the envelope; wrong method is 405 with Allow', async () => {
  let r = await call(srv.base, 'GET', '/api/v1/nothing-here', { token: tok });
  assert.equal(r.status, 404);
  assert.equal(typeof r.json.error.code, 'string');
  assert.equal(typeof r.json.error.message, 'string');
  r = await call(srv.base, 'PATCH', '/api/v1/health');
  assert.equal(r.status, 405);
  assert.match(r.headers.get('allow'), /GET/);
});

test('malformed JSON, duplicate keys, wrong types and invalid UTF-8 are 4xx and change nothing', async () => {
  let r = await call(srv.base, 'POST', '/api/v1/session', { body: '{"username": "province", ' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid_json');
  r = await call(srv.base, 'POST', '/api/v1/session', { body: '{"username":"a","username":"b","password":"x"}' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'duplicate_key');
  r = await call(srv.base, 'POST', '/api/v1/session', { body: { username: 12, password: 'x' } });
  assert.ok(r.status === 400 || r.status === 422, `status ${r.status}`);
  assert.equal(r.json.error.field, 'username');
  const bad = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","password":"x"}')]);
  r = await call(srv.base, 'POST', '/api/v1/session', { body: new Uint8Array(bad) });
  assert.equal(r.status, 400);
  r = await call(srv.base, 'POST', '/api/v1/session', { body: '[1,2,3]' });
  assert.ok(r.status === 400 || r.status === 422);
  r = await call(srv.base, 'POST', '/api/v1/session', { body: '{"username":"province","password":"Shandong@2023","x":' + '['.repeat(200) + ']'.repeat(200) + '}' });
  assert.equal(r.status, 400);
});

test('an oversize body is refused with 413 before it is read', async () => {
  const res = await raw(srv.port, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\nConnection: close\r\n\r\n{');
  assert.match(res, /^HTTP\/1\.1 413/);
  assert.match(res, /"error"/);
});

test('absurd numbers are rejected with a field error', async () => {
  const r = await call(srv.base, 'GET', '/api/v1/users?limit=100000000000000000000000', { token: tok });
  assert.ok([400, 403, 422].includes(r.status), `status ${r.status}`);
});

test('missing, forged and expired tokens are 401', async () => {
  let r = await call(srv.base, 'GET', '/api/v1/me');
  assert.equal(r.status, 401);
  r = await call(srv.base, 'GET', '/api/v1/me', { token: 'A'.repeat(43) });
  assert.equal(r.status, 401);
  r = await call(srv.base, 'GET', '/api/v1/me', { headers: { authorization: 'Bearer' } });
  assert.equal(r.status, 401);
  r = await call(srv.base, 'GET', '/api/v1/me', { cookie: 'np_session=forged' });
  assert.equal(r.status, 401);
});

test('static files: content types, caching, SPA fallback, no traversal', async () => {
  let r = await call(srv.base, 'GET', '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.headers.get('cache-control'), /no-cache/);
  const m = r.text.match(/\/assets\/[^"]+\.js/);
  assert.ok(m, 'index.html references a hashed script');
  r = await call(srv.base, 'GET', m[0]);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /javascript/);
  assert.match(r.headers.get('cache-control'), /immutable/);
  r = await call(srv.base, 'GET', '/system/users');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  r = await call(srv.base, 'GET', '/assets/missing-file.js');
  assert.equal(r.status, 404);
  for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd',
    '/assets/%2e%2e/%2e%2e/etc/passwd', '/assets/..\\..\\etc\\passwd', '/assets/%00x.js']) {
    const res = await raw(srv.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.doesNotMatch(res, /root:x:0:0/, p);
    const status = Number(res.slice(9, 12));
    assert.ok(status === 400 || status === 404 || (status === 200 && /<html/i.test(res)), `${p} → ${status}`);
  }
  r = await call(srv.base, 'GET', '/assets/');
  assert.notEqual(r.status, 500);
  assert.doesNotMatch(r.text, /Index of/);
});
