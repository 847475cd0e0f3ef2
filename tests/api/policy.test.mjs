// Policy runs, decisions, explanations, the 免申即享 workflow, 政策找人 and the bank whitelist against a real
// server with the small demo (docs/API-POLICY.md). NP_TEST_CLOCK=1 lets X-NP-Now move the workflow's clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, call, login } from './harness.mjs';

const PW = 'Shandong@2023';
const POL = 'ui_job_stabilisation_refund';
let srv;
const tok = {};
const me = {};

before(async () => {
  srv = await startServer({ demo: true, env: { NP_TEST_CLOCK: '1' } });
  for (const u of ['province', 'jinan', 'lixia', 'enterprise', 'bank', 'auditor']) {
    const l = await login(srv.base, u, PW);
    tok[u] = l.token;
    me[u] = l.user;
  }
});
after(async () => { await srv.stop(); });

const day = 86400e3;
const clock = (days) => ({ 'X-NP-Now': new Date(Date.now() + days * day).toISOString().replace(/\.\d+Z$/, 'Z') });
const get = (u, url, headers) => call(srv.base, 'GET', url, { token: tok[u], headers });
const post = (u, url, body = {}, headers) => call(srv.base, 'POST', url, { token: tok[u], body, headers });
const put = (u, url, body) => call(srv.base, 'PUT', url, { token: tok[u], body });

async function all(u, url) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 200; i++) {
    const sep = url.includes('?') ? '&' : '?';
    const r = await get(u, `${url}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return { items, total: r.json.total };
  }
  throw new Error('too many pages');
}

async function runToEnd(policy, asOf = '2023-12-31') {
  const r = await post('province', '/api/v1/policy-runs', { policy, as_of: asOf });
  assert.equal(r.status, 202, r.text);
  assert.match(r.json.id, /^prun_\d+$/);
  for (let i = 0; i < 300; i++) {
    const g = await get('province', `/api/v1/policy-runs/${r.json.id}`);
    assert.equal(g.status, 200, g.text);
    if (g.json.status === 'done') return g.json;
    assert.notEqual(g.json.status, 'failed', g.json.error);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('run did not finish');
}

let runA;

test('runs: 202 then done in the background; the same inputs give the same result hash', async () => {
  runA = await runToEnd(POL);
  assert.equal(runA.progress, 100);
  assert.match(runA.result_hash, /^[0-9a-f]{64}$/);
  assert.match(runA.input_hash, /^[0-9a-f]{64}$/);
  assert.equal(runA.engine_version, 'nineplus-policy/1');
  assert.equal(runA.eligible + runA.ineligible, runA.decisions);
  assert.ok(runA.eligible > 0 && runA.ineligible > 0);
  assert.equal(runA.per_policy[0].policy, POL);
  assert.ok(runA.params[POL].some((p) => p.reference && p.effective_from), 'parameters with references and dates');
  const runB = await runToEnd(POL);
  assert.equal(runB.result_hash, runA.result_hash);
  assert.equal(runB.input_hash, runA.input_hash);
  assert.equal(runB.ruleset_hash, runA.ruleset_hash);
  // who may start a run, and bad input
  assert.equal((await post('lixia', '/api/v1/policy-runs', { policy: POL, as_of: '2023-12-31' })).status, 403);
  assert.equal((await post('enterprise', '/api/v1/policy-runs', { policy: POL, as_of: '2023-12-31' })).status, 403);
  const bad = await post('province', '/api/v1/policy-runs', { policy: 'no_such_policy', as_of: '2023-12-31' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.field, 'policy');
  assert.equal((await post('province', '/api/v1/policy-runs', { policy: POL, as_of: '2023-02-30' })).status, 422);
  const list = await get('jinan', '/api/v1/policy-runs');
  assert.equal(list.status, 200);
  assert.ok(list.json.items.some((x) => x.id === runA.id));
  assert.equal((await get('bank', '/api/v1/policy-runs')).status, 403);
  assert.equal((await get('auditor', '/api/v1/policy-runs')).status, 403);
});

test('decisions: scoped to the jurisdiction, filters, reasons chart, explained decision, export', async () => {
  const lx = await all('lixia', `/api/v1/policy-runs/${runA.id}/decisions`);
  assert.ok(lx.items.length > 0);
  assert.ok(lx.items.every((d) => d.county_code === '370102'), 'a county sees its county only');
  const jn = await get('jinan', `/api/v1/policy-runs/${runA.id}/decisions?limit=1`);
  assert.ok(jn.json.total > lx.total, 'the city sees more than one county');
  const no = await all('lixia', `/api/v1/policy-runs/${runA.id}/decisions?eligible=false`);
  assert.ok(no.items.length > 0 && no.items.every((d) => !d.eligible && d.reason && d.reason_zh && d.reason_en));
  const yes = await all('lixia', `/api/v1/policy-runs/${runA.id}/decisions?eligible=true&min_amount=1000`);
  assert.ok(yes.items.every((d) => d.eligible && d.amount_fen >= 100000));
  const reasons = await get('lixia', `/api/v1/policy-runs/${runA.id}/reasons`);
  assert.equal(reasons.status, 200);
  assert.equal(reasons.json.items.reduce((s, x) => s + x.count, 0), lx.total);
  assert.ok(reasons.json.items.some((x) => x.reason === null && x.zh === '符合条件'));
  const one = no.items[0];
  const ex = await get('lixia', `/api/v1/policy-runs/${runA.id}/decisions/${one.entity}`);
  assert.equal(ex.status, 200, ex.text);
  assert.equal(ex.json.decision.reason, one.reason);
  assert.ok(ex.json.text_zh.includes('不符合条件') && ex.json.text_en.includes('not eligible'));
  assert.ok(ex.json.criteria.some((c) => c.passed === false));
  assert.ok(ex.json.parameters.length > 0 && ex.json.parameters.every((p) => p.reference && p.effective_from));
  assert.ok(ex.json.legal_reference.length > 0);
  assert.equal(ex.json.inputs_changed, false);
  // another county's decision is not found
  const other = (await all('jinan', `/api/v1/policy-runs/${runA.id}/decisions`)).items.find((d) => d.county_code !== '370102');
  assert.ok(other);
  assert.equal((await get('lixia', `/api/v1/policy-runs/${runA.id}/decisions/${other.entity}`)).status, 404);
  assert.equal((await get('jinan', `/api/v1/policy-runs/${runA.id}/decisions/${other.entity}`)).status, 200);
  const x = await get('lixia', `/api/v1/policy-runs/${runA.id}/export?eligible=true`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
});

test('person-payee decisions (skill subsidy) belong to the province: listed and explained for it, not for a city', async () => {
  const run = await runToEnd('skill_upgrade_subsidy');
  const pv = await get('province', `/api/v1/policy-runs/${run.id}/decisions?limit=5`);
  assert.equal(pv.status, 200, pv.text);
  assert.ok(pv.json.total > 0, 'the province sees them');
  const d = pv.json.items[0];
  assert.match(d.entity, /^certificate-\d+$/);
  assert.equal(d.enterprise_id, null);
  const ex = await get('province', `/api/v1/policy-runs/${run.id}/decisions/${d.entity}`);
  assert.equal(ex.status, 200, ex.text);
  assert.equal(ex.json.decision.entity, d.entity);
  assert.equal(ex.json.trace.entity.kind, 'certificate');
  assert.equal(ex.json.inputs_changed, false);
  assert.equal((await get('jinan', `/api/v1/policy-runs/${run.id}/decisions?limit=1`)).json.total, 0);
  assert.equal((await get('jinan', `/api/v1/policy-runs/${run.id}/decisions/${d.entity}`)).status, 404);
});

test('workflow: review → approve (budget) → notice → objection → push → pay → failed → re-pay, idempotent and guarded', async () => {
  const b = await post('lixia', `/api/v1/policy-runs/${runA.id}/batches`, { policy: POL });
  assert.equal(b.status, 201, b.text);
  const batch = b.json.id;
  assert.equal((await post('lixia', `/api/v1/policy-runs/${runA.id}/batches`, { policy: POL })).json.id, batch);
  const items = (await all('lixia', `/api/v1/policy-batches/${batch}/items?lane=auto`)).items;
  assert.ok(items.length >= 4, 'several 历下 items');
  assert.ok(items.every((i) => i.state === 'candidate' && i.county_code === '370102'));
  // exclusion needs a reason; the city cannot approve before the review
  assert.equal((await post('lixia', `/api/v1/policy-items/${items[0].id}/exclude`, {})).status, 422);
  const exc = await post('lixia', `/api/v1/policy-items/${items[0].id}/exclude`, { reason: '企业已注销' });
  assert.equal(exc.status, 200, exc.text);
  assert.equal(exc.json.state, 'excluded');
  const early = await post('jinan', `/api/v1/policy-batches/${batch}/approve`);
  assert.equal(early.status, 409);
  assert.equal(early.json.error.code, 'not_reviewed');
  assert.equal((await post('jinan', `/api/v1/policy-batches/${batch}/review`)).status, 403);
  // the review, idempotent with a key
  const k = { 'Idempotency-Key': `review-${batch}` };
  const r1 = await post('lixia', `/api/v1/policy-batches/${batch}/review`, {}, k);
  assert.equal(r1.status, 200, r1.text);
  const r2 = await post('lixia', `/api/v1/policy-batches/${batch}/review`, {}, k);
  assert.equal(r2.status, 200);
  assert.equal(r2.headers.get('idempotent-replay'), 'true');
  assert.deepEqual(r2.json, r1.json);
  const r3 = await post('lixia', `/api/v1/policy-batches/${batch}/review`);
  assert.equal(r3.status, 409);
  assert.equal(r3.json.error.code, 'already_reviewed');
  assert.equal(r1.json.counts.reviewed, items.length - 1);
  // the budget: just short → refused, raised → approved
  const bud = (await get('jinan', '/api/v1/policy-budgets?year=2023')).json.items.find((x) => x.policy === POL);
  const need = items.slice(1).reduce((s, i) => s + i.amount_fen, 0);
  assert.equal((await put('province', `/api/v1/policy-budgets/${POL}/2023`, { budget_fen: bud.approved_fen + need - 1 })).status, 200);
  const over = await post('jinan', `/api/v1/policy-batches/${batch}/approve`);
  assert.equal(over.status, 409);
  assert.equal(over.json.error.code, 'over_budget');
  assert.equal((await put('lixia', `/api/v1/policy-budgets/${POL}/2023`, { budget_fen: 1 })).status, 403);
  assert.equal((await put('province', `/api/v1/policy-budgets/${POL}/2023`, { budget_fen: bud.approved_fen + need })).status, 200);
  const ap = await post('jinan', `/api/v1/policy-batches/${batch}/approve`);
  assert.equal(ap.status, 200, ap.text);
  assert.equal(ap.json.counts.approved, items.length - 1);
  assert.equal(ap.json.budget.remaining_fen, 0);
  // public notice; publishing twice is refused
  assert.equal((await post('lixia', `/api/v1/policy-batches/${batch}/notice`, {})).status, 403);
  const no = await post('jinan', `/api/v1/policy-batches/${batch}/notice`, { days: 5 }, clock(0));
  assert.equal(no.status, 200, no.text);
  assert.equal(no.json.state, 'notice');
  assert.equal((await post('jinan', `/api/v1/policy-batches/${batch}/notice`, {}, clock(0))).json.error.code, 'nothing_to_publish');
  const pub = await get('lixia', '/api/v1/policy-notices');
  assert.ok(pub.json.items.some((i) => i.id === items[1].id));
  // objections: one upheld (excluded), one dismissed
  const o1 = await post('lixia', `/api/v1/policy-items/${items[1].id}/objections`, { text: '存在未申报裁员', by: '职工举报' }, clock(1));
  assert.equal(o1.status, 201, o1.text);
  const o2 = await post('lixia', `/api/v1/policy-items/${items[2].id}/objections`, { text: '地址不符', by: '网格员' }, clock(1));
  assert.equal(o2.status, 201);
  const early2 = await post('jinan', `/api/v1/policy-batches/${batch}/push`, {}, clock(2));
  assert.equal(early2.status, 409);
  assert.equal(early2.json.error.code, 'notice_running');
  assert.equal((await post('lixia', `/api/v1/policy-objections/${o1.json.id}/handle`, { outcome: 'upheld', note: '经核查属实' }, clock(3))).status, 200);
  assert.equal((await post('lixia', `/api/v1/policy-objections/${o2.json.id}/handle`, { outcome: 'dismissed', note: '地址已核实' }, clock(3))).status, 200);
  assert.equal((await post('lixia', `/api/v1/policy-objections/${o2.json.id}/handle`, { outcome: 'upheld', note: 'x' }, clock(3))).json.error.code, 'already_handled');
  assert.equal((await get('lixia', `/api/v1/policy-items/${items[1].id}`)).json.state, 'excluded');
  const late = await post('lixia', `/api/v1/policy-items/${items[3].id}/objections`, { text: 'late', by: 'x' }, clock(7));
  assert.equal(late.status, 409);
  assert.equal(late.json.error.code, 'notice_closed');
  const pu = await post('jinan', `/api/v1/policy-batches/${batch}/push`, {}, clock(7));
  assert.equal(pu.status, 200, pu.text);
  assert.equal(pu.json.counts.pushed, items.length - 2);
  assert.equal((await post('jinan', `/api/v1/policy-batches/${batch}/push`, {}, clock(7))).json.error.code, 'nothing_to_push');
  // payments: recorded once; a failure is queued, re-contacted and re-paid
  const pay = await post('lixia', `/api/v1/policy-batches/${batch}/payments`, { paid_on: '2024-01-20', reference_prefix: `T${batch}-` }, clock(8));
  assert.equal(pay.status, 200, pay.text);
  assert.equal(pay.json.created, items.length - 2);
  const again = await post('lixia', `/api/v1/policy-batches/${batch}/payments`, { paid_on: '2024-01-21' }, clock(8));
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'nothing_to_pay');
  const pays = (await all('lixia', `/api/v1/policy-payments?batch=${batch}`)).items;
  assert.equal(pays.length, items.length - 2);
  const p0 = pays[0];
  const f = await post('lixia', `/api/v1/policy-payments/${p0.id}/fail`, { reason: '账户已销户' }, clock(9));
  assert.equal(f.status, 200, f.text);
  assert.equal(f.json.status, 'failed');
  assert.equal((await get('lixia', `/api/v1/policy-items/${p0.item_id}`)).json.state, 'payment_failed');
  const c = await post('lixia', `/api/v1/policy-payments/${p0.id}/contact`, { note: '已联系企业财务' }, clock(9));
  assert.equal(c.json.contacts.length, 1);
  const rp = await post('lixia', `/api/v1/policy-items/${p0.item_id}/repay`, { paid_on: '2024-01-25', reference: `R-${batch}-1` }, clock(10));
  assert.equal(rp.status, 201, rp.text);
  assert.equal(rp.json.state, 'paid');
  assert.equal(rp.json.payment.reference, `R-${batch}-1`);
  const rp2 = await post('lixia', `/api/v1/policy-items/${p0.item_id}/repay`, { paid_on: '2024-01-26', reference: `R-${batch}-2` }, clock(10));
  assert.equal(rp2.status, 409);
  const h = await get('lixia', `/api/v1/policy-items/${p0.item_id}/history`);
  assert.deepEqual(h.json.items.map((e) => e.to), ['reviewed', 'approved', 'notice', 'pushed', 'paid', 'payment_failed', 'paid']);
  // cross-jurisdiction: another county's item is not found, for reads and writes
  const jinanItems = (await all('jinan', `/api/v1/policy-batches/${batch}/items`)).items;
  const foreign = jinanItems.find((i) => i.county_code !== '370102');
  assert.ok(foreign);
  assert.equal((await get('lixia', `/api/v1/policy-items/${foreign.id}`)).status, 404);
  assert.equal((await post('lixia', `/api/v1/policy-items/${foreign.id}/exclude`, { reason: 'x' })).status, 404);
  const audit = await get('auditor', '/api/v1/audit?action=policy.approve');
  assert.equal(audit.status, 200);
});

test('bank: only its own bank\'s whitelist; nothing else', async () => {
  const wl = await all('bank', '/api/v1/loan-whitelist');
  assert.ok(wl.items.length > 0, 'the demo pushed a whitelist');
  assert.ok(wl.items.every((i) => i.bank === me.bank.bank && ['pushed', 'confirmed'].includes(i.state)));
  assert.ok(wl.items.every((i) => i.policy === 'special_loan_whitelist' || i.policy === 'startup_guarantee_loan'));
  const dec = await get('bank', `/api/v1/policy-runs/${runA.id}/decisions`);
  assert.equal(dec.status, 200);
  assert.equal(dec.json.total, 0);
  assert.equal((await get('bank', `/api/v1/enterprises/${wl.items[0].enterprise_id}/policies`)).status, 404);
  assert.equal((await get('bank', '/api/v1/policy-batches')).status, 403);
  const lx = await all('lixia', '/api/v1/loan-whitelist');
  assert.ok(lx.items.every((i) => i.region_code.startsWith('370102')));
  const x = await get('bank', '/api/v1/loan-whitelist/export');
  assert.equal(x.status, 200);
});

test('bank: another partner bank sees none of the whitelist pushed to 中国银行', async () => {
  const c = srv.cli(['user', 'add', '--db', srv.db, '--username', 'ccb.sd', '--role', 'bank', '--bank', '建设银行山东省分行',
    '--display-name', '建行山东省分行', '--password-stdin'], { input: `${PW}\n` });
  assert.equal(c.status, 0, c.stderr);
  const first = await login(srv.base, 'ccb.sd', PW);
  const ch = await call(srv.base, 'POST', '/api/v1/me/password', { token: first.token, body: { old: PW, new: 'Ccb#Shandong2024' } });
  assert.equal(ch.status, 204, ch.text);
  const ccb = (await login(srv.base, 'ccb.sd', 'Ccb#Shandong2024')).token;
  const own = await all('bank', '/api/v1/loan-whitelist');
  assert.ok(own.items.length > 0);
  const other = await call(srv.base, 'GET', '/api/v1/loan-whitelist?limit=100', { token: ccb });
  assert.equal(other.status, 200, other.text);
  assert.equal(other.json.total, 0);
  assert.equal(other.json.items.length, 0);
  const item = await call(srv.base, 'GET', `/api/v1/policy-items/${own.items[0].item_id || own.items[0].id}`, { token: ccb });
  assert.equal(item.status, 404);
});

test('政策找人: an enterprise sees its own policies (amount and why, or what it lacks), nobody else\'s', async () => {
  const mine = await get('enterprise', '/api/v1/me/policies');
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.enterprise.id, me.enterprise.enterprise_id);
  assert.equal(mine.json.qualified.length + mine.json.not_qualified.length, 7);
  for (const q of mine.json.qualified) assert.ok(q.amount_fen >= 0 && q.why_zh && q.why_en);
  for (const n of mine.json.not_qualified) assert.ok(n.reason && n.lacks_zh && n.lacks_en);
  const same = await get('enterprise', `/api/v1/enterprises/${me.enterprise.enterprise_id}/policies`);
  assert.deepEqual(same.json, mine.json);
  const others = (await all('lixia', `/api/v1/policy-runs/${runA.id}/decisions`)).items.filter((d) => d.enterprise_id !== me.enterprise.enterprise_id);
  assert.equal((await get('enterprise', `/api/v1/enterprises/${others[0].enterprise_id}/policies`)).status, 404);
  const dec = await all('enterprise', `/api/v1/policy-runs/${runA.id}/decisions`);
  assert.ok(dec.items.every((d) => d.enterprise_id === me.enterprise.enterprise_id));
  assert.equal((await get('lixia', `/api/v1/enterprises/${others[0].enterprise_id}/policies`)).status, 200);
});

test('local parameter values: province only, overlay later runs (new ruleset hash), diff lists the changes and why', async () => {
  const cat = await get('lixia', '/api/v1/policies');
  assert.equal(cat.status, 200);
  assert.equal(cat.json.policies.length, 7);
  const p = cat.json.parameters.find((x) => x.name === 'refund_layoff_rate_max');
  assert.ok(p.national && p.admin_settable);
  const body = { value: '8%', from: '2023-01-01', to: '2023-12-31', reference: '鲁人社字〔2023〕测试号' };
  assert.equal((await put('lixia', '/api/v1/policies/params/refund_layoff_rate_max', body)).status, 403);
  assert.equal((await put('province', '/api/v1/policies/params/refund_layoff_rate_max', { ...body, reference: '' })).status, 422);
  assert.equal((await put('province', '/api/v1/policies/params/refund_layoff_rate_max', { ...body, value: 'lots' })).status, 422);
  const ok = await put('province', '/api/v1/policies/params/refund_layoff_rate_max', body);
  assert.equal(ok.status, 200, ok.text);
  assert.ok(ok.json.values.some((v) => v.source === 'local' && v.value === '8%'));
  const runC = await runToEnd(POL);
  assert.notEqual(runC.ruleset_hash, runA.ruleset_hash);
  assert.equal(runC.input_hash, runA.input_hash);
  const diff = await get('province', `/api/v1/policy-runs/${runA.id}/diff/${runC.id}?limit=100`);
  assert.equal(diff.status, 200, diff.text);
  assert.ok(diff.json.summary.eligibility > 0, 'a higher limit makes some enterprises eligible');
  const flip = diff.json.items.find((x) => x.change === 'eligibility');
  assert.equal(flip.before.eligible, false);
  assert.equal(flip.before.reason, 'layoff_rate');
  assert.equal(flip.after.eligible, true);
  assert.ok(flip.why_zh.length > 0 && flip.why_en.includes('eligibility'));
  const lx = await get('lixia', `/api/v1/policy-runs/${runA.id}/diff/${runC.id}?limit=100`);
  assert.ok(lx.json.total <= diff.json.total);
});
