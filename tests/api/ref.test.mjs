// Reference data over HTTP: regions (tree, chain, circle), industries, occupations, skill levels, min wage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call } from './harness.mjs';

let srv;
before(async () => { srv = await startServer({}); });
after(async () => { await srv.stop(); });

test('the 16 cities without a parent; children of a city include its functional zones', async () => {
  let r = await call(srv.base, 'GET', '/api/v1/ref/regions');
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 16);
  r = await call(srv.base, 'GET', '/api/v1/ref/regions?parent=370100&limit=100');
  const codes = r.json.items.map((x) => x.code);
  assert.ok(codes.includes('370102'));
  assert.ok(codes.includes('370176'), 'functional zone 济南高新区 under 济南');
});

test('a village with its parent chain and economic circle', async () => {
  const t = await call(srv.base, 'GET', '/api/v1/ref/regions?parent=370102001&limit=5');
  assert.equal(t.status, 200);
  const village = t.json.items[0].code;
  assert.equal(village.length, 12);
  const r = await call(srv.base, 'GET', `/api/v1/ref/regions/${village}`);
  assert.equal(r.status, 200);
  const chain = JSON.stringify(r.json);
  for (const c of ['370102001', '370102', '370100', '370000']) assert.ok(chain.includes(c), c);
  assert.match(chain, /省会经济圈/);
  const q = await call(srv.base, 'GET', `/api/v1/ref/regions/370211`);
  assert.match(JSON.stringify(q.json), /胶东经济圈/);
});

test('unknown and malformed codes', async () => {
  let r = await call(srv.base, 'GET', '/api/v1/ref/regions/379999');
  assert.equal(r.status, 404);
  assert.ok(r.json.error.code);
  r = await call(srv.base, 'GET', '/api/v1/ref/regions/abc');
  assert.ok(r.status === 404 || r.status === 400);
  r = await call(srv.base, 'GET', '/api/v1/ref/regions?parent=370100&limit=0');
  assert.ok(r.status === 400 || r.status === 422);
});

test('industries and occupations search; skill levels', async () => {
  let r = await call(srv.base, 'GET', `/api/v1/ref/industries?q=${encodeURIComponent('飞机制造')}`);
  assert.equal(r.status, 200);
  assert.ok(r.json.items.some((x) => x.code === '3741'));
  r = await call(srv.base, 'GET', `/api/v1/ref/occupations?q=${encodeURIComponent('焊工')}`);
  assert.ok(r.json.items.some((x) => x.code === '6-18-02-04'));
  r = await call(srv.base, 'GET', '/api/v1/ref/skill-levels');
  assert.equal(r.json.items.length, 8);
});

test('minimum wage: known tier, and unknown tier never guessed', async () => {
  let r = await call(srv.base, 'GET', '/api/v1/ref/min-wage?county=371302&date=2023-06-01');
  assert.equal(r.status, 200);
  assert.match(JSON.stringify(r.json), /190000/);
  r = await call(srv.base, 'GET', '/api/v1/ref/min-wage?county=370102&date=2024-01-01');
  assert.equal(r.status, 200);
  assert.match(JSON.stringify(r.json), /unknown/);
  r = await call(srv.base, 'GET', '/api/v1/ref/min-wage?county=370102&date=2023-02-30');
  assert.ok(r.status === 400 || r.status === 422);
});
