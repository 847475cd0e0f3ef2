// The home page's work overview against a real server on a fresh small demo database: the province
// sees its jurisdiction's figures (equal to the list endpoints' totals) and a to-do list, a figure opens
// its page already filtered; an enterprise user sees its own figures and none of the bureau's; the
// administrator duties see no business figures; shortcuts follow the menu's role filters.
//   NP_BIN=build/<dir>/nineplus node --test tests/ui/dashboard.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, signInDemo, startServer, uiSkipReason, call, login, BIN, UI_DIR, DEMO_PASSWORD as PW } from './lib.mjs';

const skip = uiSkipReason(BIN);

let srv;
let browser;
let page;

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

const signIn = (username) => signInDemo(page, srv.base, username);

async function total(username, url) {
  const { token } = await login(srv.base, username, PW);
  const r = await call(srv.base, 'GET', url, { token });
  assert.equal(r.status, 200, `${url}: ${r.text}`);
  return r.json;
}

async function kpi(key) {
  const card = page.getByTestId(`kpi-${key}`);
  await card.getByTestId('kpi-value').waitFor();
  return Number((await card.getByTestId('kpi-value').innerText()).replace(/,/g, ''));
}

test('province home: figures equal the lists, the to-do list shows alerts, a figure opens its filtered list', { skip }, async () => {
  await signIn('province');
  await page.getByTestId('work-overview').waitFor();
  const ents = await total('province', '/api/v1/enterprises?limit=1');
  const keys = await total('province', '/api/v1/enterprises?is_key=true&limit=1');
  const alerts = await total('province', '/api/v1/alerts?status=open&limit=1');
  const shortage = await total('province', '/api/v1/shortage?group=region');
  assert.ok(ents.total > 0 && keys.total > 0 && keys.total < ents.total);
  assert.equal(await kpi('enterprises'), ents.total);
  assert.equal(await kpi('keyEnterprises'), keys.total);
  assert.equal(await kpi('openAlerts'), alerts.total);
  assert.equal(await kpi('openings'), shortage.openings);
  assert.ok(alerts.total > 0, 'the demo raises alerts');
  const todo = page.getByTestId('work-todo');
  await todo.waitFor();
  assert.ok((await todo.locator('.el-table__row').count()) >= 1);
  await page.getByTestId('work-shortage-chart').waitFor();
  // no enterprise-only or specialist-only figures or shortcuts for the province
  assert.equal(await page.getByTestId('kpi-myDemands').count(), 0);
  assert.equal(await page.getByTestId('kpi-policiesForMe').count(), 0);
  // the key-enterprise figure opens the list filtered on key enterprises
  await page.getByTestId('kpi-keyEnterprises').click();
  await page.waitForURL(/\/firms\/enterprises\?is_key=true/);
  const pagerTotal = page.getByTestId('pager-total');
  await pagerTotal.waitFor();
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid="pager-total"]');
    return el && el.innerText.replace(/,/g, '').includes(String(n));
  }, keys.total);
});

test('enterprise home: its own figures only', { skip }, async () => {
  await signIn('enterprise');
  await page.getByTestId('work-overview').waitFor();
  const mine = await total('enterprise', '/api/v1/demands?status=active&limit=1');
  assert.equal(await kpi('myDemands'), mine.total);
  await page.getByTestId('kpi-policiesForMe').waitFor();
  for (const k of ['enterprises', 'keyEnterprises', 'openings', 'seekers', 'policyBatches'])
    assert.equal(await page.getByTestId(`kpi-${k}`).count(), 0, `enterprise must not see ${k}`);
});

test('administrator duties: no business figures', { skip }, async () => {
  await signIn('admin');
  await page.getByTestId('welcome-card').waitFor();
  assert.equal(await page.getByTestId('work-overview').count(), 0);
});
