// Surplus and shortage sharing (用工余缺调剂) over HTTP on the small demo: the demo's posts and
// agreements, explained pairings, posting as an enterprise user and as staff, bad input, agreements
// that never exceed the remaining counts, status steps, the board by economic circle, jurisdiction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call, login } from './harness.mjs';

const PW = 'Shandong@2023';
let srv;
const t = {};
const api = (who, method, url, body) => call(srv.base, method, url, { token: t[who], body });
let lixiaEnt; // an enterprise in 历下 (370102) with the HR account
let qdEnt;    // an enterprise in 青岛

function today(offset = 0) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000); // Asia/Shanghai civil date
  return d.toISOString().slice(0, 10);
}

async function all(who, url) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const sep = url.includes('?') ? '&' : '?';
    const r = await api(who, 'GET', `${url}${sep}limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return { items, total: r.json.total };
  }
  throw new Error('too many pages');
}

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['province', 'jinan', 'lixia', 'specialist', 'seeker', 'auditor']) t[u] = (await login(srv.base, u, PW)).token;
  let r = await api('province', 'GET', '/api/v1/enterprises?region=370102&limit=20');
  assert.equal(r.status, 200, r.text);
  lixiaEnt = r.json.items[r.json.items.length - 1].id;
  r = await api('province', 'GET', '/api/v1/enterprises?region=370200&limit=1');
  qdEnt = r.json.items[0].id;
  const c = srv.cli(['user', 'add', '--db', srv.db, '--username', 'share.hr', '--role', 'enterprise', '--enterprise',
    lixiaEnt.replace('ent_', ''), '--display-name', '企业人事', '--password-stdin'], { input: `${PW}\n` });
  assert.equal(c.status, 0, c.stderr);
  const hr = await login(srv.base, 'share.hr', PW);
  const ch = await call(srv.base, 'POST', '/api/v1/me/password', { token: hr.token, body: { old: PW, new: 'Share#HR2024ok' } });
  assert.equal(ch.status, 204, ch.text);
  t.hr = (await login(srv.base, 'share.hr', 'Share#HR2024ok')).token;
});
after(async () => { await srv.stop(); });

test('demo: a dozen posts in three circles, two agreements, explained pairings in 济南 and 青岛', async () => {
  const { items, total } = await all('province', '/api/v1/sharing/posts');
  assert.equal(items.length, total);
  assert.ok(total >= 12, `posts: ${total}`);
  const circles = new Set(items.map((p) => p.circle));
  for (const c of ['省会经济圈', '胶东经济圈', '鲁南经济圈']) assert.ok(circles.has(c), c);
  const p = items[0];
  assert.match(p.id, /^shp_\d+$/);
  assert.match(p.enterprise_id, /^ent_\d+$/);
  assert.ok(p.occupation_name && p.county_name && p.city_name);
  const ag = await all('province', '/api/v1/sharing/agreements');
  assert.equal(ag.total, 2);
  assert.ok(ag.items.some((a) => a.status === 'in_progress'));
  assert.ok(ag.items.some((a) => a.status === 'agreed'));
  for (const a of ag.items) {
    assert.ok(a.surplus_post.remaining <= a.surplus_post.count - a.workers);
    assert.equal(a.surplus_post.kind, 'surplus');
    assert.equal(a.shortage_post.kind, 'shortage');
  }
  // a 济南 surplus has a same-county exact pairing, best first, with five explained terms
  const jnSurplus = items.find((x) => x.county_code === '370102' && x.kind === 'surplus' && x.occupation_code === '6-20-01-01');
  assert.ok(jnSurplus);
  let r = await api('lixia', 'GET', `/api/v1/sharing/posts/${jnSurplus.id}/pairings`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.total >= 1);
  const best = r.json.items[0];
  assert.equal(best.occupation_relation, 'exact');
  assert.equal(best.region_band, 'same_county');
  assert.deepEqual(best.terms.map((x) => x.term), ['occupation', 'distance', 'region', 'overlap', 'count']);
  assert.equal(best.terms.reduce((s, x) => s + x.points, 0), best.score);
  assert.ok(best.distance_km < 50);
  assert.ok(best.overlap_days > 0);
  assert.ok(best.movable > 0);
  assert.ok(best.terms.every((x) => typeof x.reason === 'string' && x.reason.length > 0));
  assert.equal(best.partner.kind, 'shortage');
  for (let i = 1; i < r.json.items.length; i++) assert.ok(r.json.items[i - 1].score >= r.json.items[i].score);
  // 青岛 has a pairing too
  const qd = items.find((x) => x.city_code === '370200' && x.kind === 'shortage' && x.status === 'open');
  r = await api('province', 'GET', `/api/v1/sharing/posts/${qd.id}/pairings`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.total >= 1);
});

test('board: grouped by circle with counts; a pairing across circles; filters and bad input', async () => {
  let r = await api('province', 'GET', '/api/v1/sharing/board');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.circles.map((c) => c.circle), ['省会经济圈', '胶东经济圈', '鲁南经济圈']);
  for (const c of r.json.circles) {
    assert.ok(c.counts.surplus_posts + c.counts.shortage_posts > 0, c.circle);
    assert.ok(c.pairings.length > 0, c.circle);
    assert.ok(c.posts.every((p) => p.circle === c.circle));
  }
  const cross = r.json.circles.flatMap((c) => c.pairings).filter((p) => p.cross_circle);
  assert.ok(cross.length >= 1, 'one pairing across circles');
  assert.notEqual(cross[0].surplus.circle, cross[0].shortage.circle);
  assert.ok(cross[0].distance_km <= 200);
  const totals = r.json.totals;
  assert.equal(totals.surplus_posts, r.json.circles.reduce((s, c) => s + c.counts.surplus_posts, 0));
  r = await api('province', 'GET', '/api/v1/sharing/board?circle=%E8%83%B6%E4%B8%9C'); // 胶东
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.circles.map((c) => c.circle), ['胶东经济圈']);
  r = await api('province', 'GET', '/api/v1/sharing/board?city=370100');
  assert.ok(r.json.circles.flatMap((c) => c.posts).every((p) => p.city_code === '370100'));
  r = await api('province', 'GET', '/api/v1/sharing/board?county=370102&circle=capital');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.circles[0].posts.every((p) => p.county_code === '370102'));
  assert.equal((await api('province', 'GET', '/api/v1/sharing/board?circle=xx')).status, 422);
  assert.equal((await api('province', 'GET', '/api/v1/sharing/board?city=370102')).status, 422);
  assert.equal((await api('province', 'GET', '/api/v1/sharing/board?top=0')).status, 422);
  // a county's board shows its own posts only
  r = await api('lixia', 'GET', '/api/v1/sharing/board');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.circles.flatMap((c) => c.posts).every((p) => p.county_code === '370102'));
});

test('enterprise user posts its own surplus; bad input changes nothing; another enterprise is 404', async () => {
  const before = (await api('province', 'GET', '/api/v1/sharing/posts')).json.total;
  const good = { kind: 'surplus', occupation_code: '6-18-01-01', count: 6, period_start: today(), period_end: today(30), notes: '检修停线' };
  const bad = [
    [{ ...good, occupation_code: '6-18-01' }, 'occupation_code', 'unknown_occupation'],
    [{ ...good, occupation_code: '9-99-99-99' }, 'occupation_code', 'unknown_occupation'],
    [{ ...good, count: 0 }, 'count', 'range'],
    [{ ...good, count: 5001 }, 'count', 'range'],
    [{ ...good, period_start: today(10), period_end: today(5) }, 'period_end', 'period_order'],
    [{ ...good, period_start: today(-30), period_end: today(-1) }, 'period_end', 'period_past'],
    [{ ...good, period_end: today(366) }, 'period_end', 'period_too_long'],
    [{ ...good, period_end: '2023-02-30' }, 'period_end', 'format'],
    [{ ...good, kind: 'both' }, 'kind', 'format'],
    [{ ...good, region_code: '999999' }, 'region_code', 'unknown_region'],
    [{ ...good, extra: 1 }, 'extra', 'unknown_field'],
  ];
  for (const [body, field, code] of bad) {
    const r = await api('hr', 'POST', '/api/v1/sharing/posts', body);
    assert.equal(r.status, 422, `${field}: ${r.text}`);
    assert.equal(r.json.error.field, field);
    assert.equal(r.json.error.code, code);
  }
  assert.equal((await api('province', 'GET', '/api/v1/sharing/posts')).json.total, before, 'nothing written');
  let r = await api('hr', 'POST', '/api/v1/sharing/posts', { ...good, enterprise_id: qdEnt });
  assert.equal(r.status, 404, r.text);
  r = await api('hr', 'POST', '/api/v1/sharing/posts', good);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.enterprise_id, lixiaEnt);
  assert.equal(r.json.region_code.slice(0, 6), '370102');
  assert.equal(r.json.status, 'open');
  assert.equal(r.json.remaining, 6);
  // the enterprise sees its own posts only, and pairings of its post (partners elsewhere are shown)
  const mine = await all('hr', '/api/v1/sharing/posts');
  assert.ok(mine.items.length >= 1);
  assert.ok(mine.items.every((p) => p.enterprise_id === lixiaEnt));
  r = await api('hr', 'GET', `/api/v1/sharing/posts/${r.json.id}/pairings`);
  assert.equal(r.status, 200, r.text);
  const other = (await api('province', 'GET', '/api/v1/sharing/posts?region=370200')).json.items[0];
  assert.equal((await api('hr', 'GET', `/api/v1/sharing/posts/${other.id}`)).status, 404);
  // enterprises do not record agreements
  r = await api('hr', 'POST', '/api/v1/sharing/agreements', {});
  assert.equal(r.status, 403);
  // audited
  r = await api('auditor', 'GET', '/api/v1/audit?action=sharing_post.create&limit=100');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.some((x) => x.entity === 'sharing_post' && x.username === 'share.hr'));
});

test('agreements: never more than remaining, dates inside both periods, steps, cancel gives back', async () => {
  // staff post a pair in 历下 on behalf of two enterprises
  const ents = (await api('lixia', 'GET', '/api/v1/enterprises?region=370102&limit=10')).json.items;
  const [e1, e2] = [ents[4].id, ents[5].id];
  let r = await api('lixia', 'POST', '/api/v1/sharing/posts', { kind: 'surplus', enterprise_id: e1, occupation_code: '6-31-01-01', count: 5, period_start: today(), period_end: today(40) });
  if (r.status === 422 && r.json.error.field === 'occupation_code') {
    r = await api('lixia', 'POST', '/api/v1/sharing/posts', { kind: 'surplus', enterprise_id: e1, occupation_code: '6-18-02-01', count: 5, period_start: today(), period_end: today(40) });
  }
  assert.equal(r.status, 201, r.text);
  const sp = r.json;
  r = await api('lixia', 'POST', '/api/v1/sharing/posts', { kind: 'shortage', enterprise_id: e2, occupation_code: sp.occupation_code, count: 3, period_start: today(2), period_end: today(60) });
  assert.equal(r.status, 201, r.text);
  const sh = r.json;
  // the pairing is proposed and explained
  r = await api('lixia', 'GET', `/api/v1/sharing/posts/${sp.id}/pairings?partner=${sh.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items[0].proposed, true);
  assert.equal(r.json.items[0].movable, 3);
  const body = { surplus_post_id: sp.id, shortage_post_id: sh.id, workers: 3, start_date: today(2), end_date: today(40) };
  r = await api('lixia', 'POST', '/api/v1/sharing/agreements', { ...body, workers: 4 });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'exceeds_remaining');
  r = await api('lixia', 'POST', '/api/v1/sharing/agreements', { ...body, start_date: today(1) });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.code, 'outside_period');
  r = await api('lixia', 'POST', '/api/v1/sharing/agreements', { ...body, surplus_post_id: sh.id, shortage_post_id: sp.id });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.code, 'wrong_kind');
  r = await api('lixia', 'POST', '/api/v1/sharing/agreements', { ...body, workers: 0 });
  assert.equal(r.status, 422, r.text);
  r = await api('lixia', 'POST', '/api/v1/sharing/agreements', body);
  assert.equal(r.status, 201, r.text);
  const ag = r.json;
  assert.equal(ag.status, 'agreed');
  assert.equal(ag.surplus_post.remaining, 2);
  assert.equal(ag.shortage_post.remaining, 0);
  assert.equal(ag.shortage_post.status, 'filled');
  r = await api('lixia', 'POST', '/api/v1/sharing/agreements', { ...body, workers: 1 });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'exceeds_remaining');
  // steps
  r = await api('lixia', 'PATCH', `/api/v1/sharing/agreements/${ag.id}`, { status: 'completed' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'bad_transition');
  r = await api('lixia', 'PATCH', `/api/v1/sharing/agreements/${ag.id}`, { status: 'in_progress', note: '已到岗', version: ag.version });
  assert.equal(r.status, 200, r.text);
  r = await api('lixia', 'PATCH', `/api/v1/sharing/agreements/${ag.id}`, { status: 'cancelled', version: ag.version });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'stale');
  r = await api('lixia', 'PATCH', `/api/v1/sharing/agreements/${ag.id}`, { status: 'cancelled', note: '订单取消' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.surplus_post.remaining, 5);
  assert.equal(r.json.shortage_post.remaining, 3);
  assert.deepEqual(r.json.history.map((h) => h.status_after), ['agreed', 'in_progress', 'cancelled']);
  r = await api('lixia', 'GET', `/api/v1/sharing/agreements?post=${sp.id}`);
  assert.equal(r.json.total, 1);
  // close the shortage: then no agreement
  r = await api('lixia', 'PATCH', `/api/v1/sharing/posts/${sh.id}`, { status: 'closed', reason: '已招满' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'closed');
  assert.equal(r.json.close_reason, '已招满');
  r = await api('lixia', 'PATCH', `/api/v1/sharing/posts/${sh.id}`, { status: 'closed' });
  assert.equal(r.status, 409);
  r = await api('lixia', 'PATCH', `/api/v1/sharing/posts/${sh.id}`, { status: 'open' });
  assert.equal(r.status, 422);
  r = await api('lixia', 'POST', '/api/v1/sharing/agreements', body);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'closed');
});

test('jurisdiction: 济南 sees its city, 历下 its county, 404 outside; roles without the action 403', async () => {
  const jn = await all('jinan', '/api/v1/sharing/posts');
  assert.ok(jn.items.length > 0 && jn.items.every((p) => p.city_code === '370100'));
  const lx = await all('lixia', '/api/v1/sharing/posts?kind=surplus');
  assert.ok(lx.items.every((p) => p.county_code === '370102' && p.kind === 'surplus'));
  const qd = (await api('province', 'GET', '/api/v1/sharing/posts?region=370200&limit=1')).json.items[0];
  assert.equal((await api('jinan', 'GET', `/api/v1/sharing/posts/${qd.id}`)).status, 404);
  assert.equal((await api('jinan', 'GET', `/api/v1/sharing/posts/${qd.id}/pairings`)).status, 404);
  assert.equal((await api('jinan', 'PATCH', `/api/v1/sharing/posts/${qd.id}`, { status: 'closed' })).status, 404);
  assert.equal((await api('lixia', 'GET', '/api/v1/sharing/posts/shp_999999')).status, 404);
  assert.equal((await api('lixia', 'GET', '/api/v1/sharing/posts/ent_1')).status, 404);
  const qdAg = (await all('province', '/api/v1/sharing/agreements')).items.find((a) => a.surplus_post.city_code === '370200');
  assert.ok(qdAg);
  assert.equal((await api('jinan', 'GET', `/api/v1/sharing/agreements/${qdAg.id}`)).status, 404);
  assert.equal((await api('jinan', 'PATCH', `/api/v1/sharing/agreements/${qdAg.id}`, { status: 'cancelled' })).status, 404);
  assert.equal((await api('province', 'GET', `/api/v1/sharing/agreements/${qdAg.id}`)).status, 200);
  assert.equal((await api('seeker', 'GET', '/api/v1/sharing/posts')).status, 403);
  assert.equal((await api('auditor', 'GET', '/api/v1/sharing/board')).status, 403);
  assert.equal((await api('specialist', 'GET', '/api/v1/sharing/board')).status, 200);
  assert.equal((await call(srv.base, 'GET', '/api/v1/sharing/posts')).status, 401);
  // list filters
  assert.equal((await api('province', 'GET', '/api/v1/sharing/posts?status=nope')).status, 422);
  assert.equal((await api('province', 'GET', '/api/v1/sharing/posts?kind=nope')).status, 422);
  assert.equal((await api('province', 'GET', '/api/v1/sharing/posts?region=12')).status, 422);
  const occ = await all('province', '/api/v1/sharing/posts?occupation=6-20');
  assert.ok(occ.items.length > 0 && occ.items.every((p) => p.occupation_code.startsWith('6-20-')));
});
