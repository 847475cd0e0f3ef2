// End-to-end tests of the policy pages (issue 6) against a real server on a fresh small demo
// database: the province starts a run and sees it finish with a chart of reasons; a decision opens
// as readable criteria; the enterprise account sees its "policies for you"; the bank sees only the
// loan whitelist. Run from the repository root:
//   NP_BIN=build/<dir>/nineplus node --test tests/ui/policy.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, uiLogin, startServer, uiSkipReason, call, login, BIN, UI_DIR } from './lib.mjs';

const skip = uiSkipReason(BIN);
const PW = 'Shandong@2023';
const AS_OF = '2023-12-31';

let srv;
let browser;
let page;
let runId = '';

before(async () => {
  if (skip) return;
  srv = await startServer({ uiDir: UI_DIR, demo: true });
  browser = await launchBrowser();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

/** Signs in through the login page (after signing out whoever is signed in). */
async function signIn(username) {
  await page.context().clearCookies();
  await page.goto(`${srv.base}/login`);
  const r = await uiLogin(page, srv.base, username, PW);
  assert.deepEqual(r, {}, `sign-in ${username}`);
  await page.getByTestId('side-menu').waitFor();
}

/** Opens a page of the 政策服务 menu group (expanding the group first). */
async function menu(name) {
  const item = page.getByTestId(`menu-${name}`);
  if (!(await item.isVisible())) await page.getByTestId('menu-policy').locator('.el-sub-menu__title').click();
  await item.click();
}

/** A finished run (started over the API by the province when the UI test has not made one yet). */
async function ensureRun() {
  if (runId) return runId;
  const { token } = await login(srv.base, 'province', PW);
  const r = await call(srv.base, 'POST', '/api/v1/policy-runs', { token, body: { policy: 'all', as_of: AS_OF } });
  assert.equal(r.status, 202, r.text);
  const id = r.json.id;
  for (let i = 0; i < 200; i++) {
    const g = await call(srv.base, 'GET', `/api/v1/policy-runs/${id}`, { token });
    if (g.json && g.json.status === 'done') { runId = id; return id; }
    assert.notEqual(g.json && g.json.status, 'failed', g.text);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('run did not finish');
}

test('province starts a run and sees it complete with a reasons chart', { skip, timeout: 30000 }, async () => {
  await signIn('province');
  await menu('policy-runs');
  await page.waitForURL(/\/policy\/runs$/);
  await page.getByTestId('runs-start').click();
  await page.getByTestId('run-form').waitFor();
  const asOf = page.getByTestId('run-as-of').locator('input');
  await asOf.fill(AS_OF);
  await asOf.press('Enter');
  await page.getByTestId('run-submit').click();
  // the new run shows at the top and its progress is polled until done
  const status = page.locator('[data-testid^="run-status-"]').first();
  await status.waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid^="run-status-"]');
    return el && el.getAttribute('data-status') === 'done';
  }, null, { timeout: 20000 });
  const link = page.locator('a[data-testid^="run-link-"]').first();
  runId = (await link.innerText()).trim();
  await link.click();
  await page.waitForURL(new RegExp(`/policy/runs/${runId}$`));
  assert.equal(await page.getByTestId('run-status').getAttribute('data-status'), 'done');
  assert.match(await page.getByTestId('run-result-hash').innerText(), /^[0-9a-f]{64}$/);
  assert.match(await page.getByTestId('run-input-hash').innerText(), /^[0-9a-f]{64}$/);
  // the chart of reasons (ECharts draws into a canvas) and its table
  const chart = page.getByTestId('reasons-chart');
  await chart.locator('canvas').waitFor();
  assert.ok(Number(await chart.getAttribute('data-count')) > 0, 'some reasons');
  assert.ok(await page.getByTestId('reasons-table').locator('tbody tr').count() > 0);
  // the decision list with its total
  await page.getByTestId('decisions-table').locator('tbody tr').first().waitFor();
  assert.match(await page.getByTestId('pager-total').innerText(), /\d+/);
  assert.ok(await page.getByTestId('watermark').count(), 'decisions name enterprises: watermark on');
});

test('a decision opens as readable criteria', { skip, timeout: 30000 }, async () => {
  const id = await ensureRun();
  await signIn('province');
  // an ineligible decision: it has a first failing criterion
  await page.goto(`${srv.base}/policy/runs/${id}?eligible=false`);
  await page.getByTestId('run-status').waitFor();
  const row = page.locator('[data-testid="decisions-table"] a[data-testid^="dec-row-"][data-eligible="0"]').first();
  await row.waitFor();
  await row.click();
  await page.waitForURL(/\/policy\/runs\/[^/]+\/decisions\//);
  await page.getByTestId('decision-criteria').locator('li').first().waitFor();
  const text = (await page.getByTestId('decision-text').innerText()).trim();
  assert.ok(text.length > 10, `a readable paragraph (got "${text}")`);
  const lines = await page.getByTestId('decision-criteria').locator('li').allInnerTexts();
  assert.ok(lines.length > 0);
  const results = await page.getByTestId('decision-criteria').locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-result')));
  assert.ok(results.includes('fail') || results.includes('unknown'), `a criterion not met (${results})`);
  assert.ok(lines.some((l) => /[✓✗?]\s*$/.test(l.trim())), 'criteria read as sentences with a mark');
  assert.ok(/[\u4e00-\u9fa5]/.test(lines.join('')), 'criteria in Chinese');
  assert.equal(await page.getByTestId('decision-result').getAttribute('data-eligible'), '0');
  await page.getByTestId('decision-failing').waitFor();
  assert.ok(await page.getByTestId('decision-params').locator('tbody tr').count() >= 0);
});

test('the enterprise account sees its policies for you', { skip, timeout: 30000 }, async () => {
  await ensureRun();
  await signIn('enterprise');
  await menu('policy-for-you');
  await page.waitForURL(/\/policy\/for-you$/);
  await page.getByTestId('foryou-enterprise').waitFor();
  assert.ok((await page.getByTestId('foryou-enterprise').innerText()).trim().length > 0);
  const q = await page.locator('[data-testid^="fy-q-"]').count();
  const n = await page.locator('[data-testid^="fy-n-"]').count();
  assert.ok(q + n > 0, 'every policy is listed as qualified or not');
  if (n) {
    const lacks = (await page.locator('[data-testid^="fy-lacks-"]').first().innerText()).trim();
    assert.ok(lacks.length > 0, 'what it lacks, in words');
  }
  if (q) {
    const why = (await page.locator('[data-testid^="fy-why-"]').first().innerText()).trim();
    assert.ok(why.length > 0, 'why it qualifies');
  }
  // no staff pages in its menu
  assert.equal(await page.getByTestId('menu-policy-runs').count(), 0);
  assert.equal(await page.getByTestId('menu-policy-batches').count(), 0);
  assert.ok(await page.getByTestId('watermark').count(), 'enterprise data: watermark on');
});

test('the bank sees only the loan whitelist', { skip, timeout: 30000 }, async () => {
  await signIn('bank');
  await menu('policy-whitelist');
  await page.waitForURL(/\/policy\/whitelist$/);
  await page.getByTestId('whitelist-table').waitFor();
  for (const other of ['policy-catalogue', 'policy-runs', 'policy-batches', 'policy-for-you']) {
    assert.equal(await page.getByTestId(`menu-${other}`).count(), 0, `no ${other} for the bank`);
  }
  // the other policy pages are refused by the route guard
  await page.goto(`${srv.base}/policy/runs`);
  await page.getByTestId('forbidden').waitFor();
  // what the page lists is the bank's own list (the server scopes it)
  const { token } = await login(srv.base, 'bank', PW);
  const r = await call(srv.base, 'GET', '/api/v1/loan-whitelist?limit=100', { token });
  assert.equal(r.status, 200, r.text);
  const banks = new Set((r.json.items || []).map((i) => i.bank));
  assert.ok(banks.size <= 1, `one bank only (${[...banks]})`);
  const runs = await call(srv.base, 'GET', '/api/v1/policy-runs', { token });
  assert.ok([403, 404].includes(runs.status), `runs are not the bank's (${runs.status})`);
});
