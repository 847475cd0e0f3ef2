// End-to-end tests of the employment-guarantee pages (issue 4) against a real server on a fresh
// small demo database: a county user lists its enterprises, opens one and adds a demand line; the
// province sees the alert board (green channel first) and a county user acknowledges an alert; a
// specialist sees "my enterprises"; a county user opening another city's enterprise by URL sees
// "not found", never the data. Run from the repository root:
//   NP_BIN=build/<dir>/nineplus node --test tests/ui/firms.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, uiLogin, startServer, uiSkipReason, call, login, BIN, UI_DIR } from './lib.mjs';

const skip = uiSkipReason(BIN);
const PW = 'Shandong@2023';

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

/** Signs in through the login page (after signing out whoever is signed in). */
async function signIn(username) {
  await page.context().clearCookies();
  await page.goto(`${srv.base}/login`);
  const r = await uiLogin(page, srv.base, username, PW);
  assert.deepEqual(r, {}, `sign-in ${username}`);
  await page.getByTestId('side-menu').waitFor();
}

/** API token of a demo user. */
async function token(username) {
  return (await login(srv.base, username, PW)).token;
}

/** Opens a page of the 用工保障 menu group (expanding the group first). */
async function menu(name) {
  const item = page.getByTestId(`menu-${name}`);
  if (!(await item.isVisible())) await page.getByTestId('menu-firms').locator('.el-sub-menu__title').click();
  await item.click();
}

/** Picks an option of a searchable Element Plus select by typing into it. */
async function pickRemote(testid, text) {
  const sel = page.getByTestId(testid);
  await sel.click();
  await sel.locator('input').fill(text);
  const opt = page.locator(`.np-popper-${testid} .el-select-dropdown__item`, { hasText: text }).first();
  await opt.waitFor();
  await opt.click();
}

test('lixia lists its enterprises, opens one and adds a demand line', { skip, timeout: 60000 }, async () => {
  await signIn('lixia');
  await menu('enterprises');
  await page.waitForURL(/\/firms\/enterprises$/);
  const table = page.getByTestId('ent-table');
  await table.locator('tbody tr').first().waitFor();
  const regions = await table.locator('[data-region]').evaluateAll((els) => els.map((e) => e.getAttribute('data-region')));
  assert.ok(regions.length > 0, 'some enterprises are listed');
  for (const r of regions) assert.ok(r.startsWith('370102'), `only 历下区 enterprises (got ${r})`);
  const total = await page.getByTestId('pager-total').innerText();
  assert.match(total, /\d+/);

  // open the first enterprise
  const first = table.locator('a[data-testid^="ent-row-"]').first();
  const name = (await first.innerText()).trim();
  await first.click();
  await page.waitForURL(/\/firms\/enterprises\/ent_\d+$/);
  await page.getByTestId('ent-profile').waitFor();
  await page.getByTestId('ent-name').filter({ hasText: name }).waitFor();
  assert.equal((await page.getByTestId('ent-name').innerText()).trim(), name);
  assert.ok(await page.getByTestId('watermark').count(), 'the page shows contacts: watermark on');

  // add a demand line
  await page.getByTestId('dem-add').click();
  await page.getByTestId('dem-form').waitFor();
  await pickRemote('dem-f-occupation', '焊工');
  await page.getByTestId('dem-f-count').locator('input').fill('7');
  await page.getByTestId('dem-f-salary-min').fill('5000');
  await page.getByTestId('dem-f-salary-max').fill('7500.50');
  await page.getByTestId('dem-f-submit').click();
  await page.locator('.el-message--success').first().waitFor();
  const rows = page.getByTestId('ent-demands-table').locator('tbody tr', { hasText: '焊工' });
  await rows.first().waitFor();
  assert.match(await rows.first().innerText(), /5,000–7,500\.5/);

  // it is in the demand list across enterprises (newest first)
  await menu('demands');
  await page.waitForURL(/\/firms\/demands$/);
  const line = page.getByTestId('demands-table').locator('tbody tr', { hasText: name }).filter({ hasText: '焊工' });
  await line.first().waitFor();
  assert.match(await line.first().innerText(), /7/);
});

test('province sees the alert board green channel first; lixia acknowledges an alert', { skip, timeout: 60000 }, async () => {
  await signIn('province');
  await menu('alerts');
  await page.waitForURL(/\/firms\/alerts$/);
  const board = page.getByTestId('alerts-table');
  await board.locator('tbody tr').first().waitFor();
  const greens = await board.locator('a[data-green]').evaluateAll((els) => els.map((e) => e.getAttribute('data-green')));
  assert.ok(greens.length > 1, 'alerts are listed');
  assert.equal(greens[0], '1', 'a green-channel alert comes first');
  const firstOther = greens.indexOf('0');
  if (firstOther >= 0) assert.ok(!greens.slice(firstOther).includes('1'), `green channel sorts first: ${greens.join('')}`);

  await signIn('lixia');
  await page.goto(`${srv.base}/firms/alerts`);
  const ackBtn = page.getByTestId('alerts-table').locator('[data-testid^="alert-ack-"]').first();
  await ackBtn.waitFor();
  const id = (await ackBtn.getAttribute('data-testid')).replace('alert-ack-', '');
  await ackBtn.click();
  await page.getByTestId('alert-ack-note').fill('专班已对接企业，安排专场招聘');
  await page.getByTestId('alert-ack-plan').fill('本周内举办专场招聘会');
  await page.getByTestId('alert-ack-submit').click();
  await page.locator('.el-message--success').first().waitFor();
  await page.getByTestId(`alert-status-${id}`).filter({ hasText: '已响应' }).waitFor();
  const r = await call(srv.base, 'GET', `/api/v1/alerts/${id}`, { token: await token('lixia') });
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'acknowledged');
  assert.equal(r.json.acknowledged.planned_response, '本周内举办专场招聘会');
});

test('a specialist sees "my enterprises" (with who serves them), not another enterprise of the county', { skip, timeout: 30000 }, async () => {
  const mine = await call(srv.base, 'GET', '/api/v1/specialists/me/enterprises', { token: await token('specialist') });
  assert.equal(mine.status, 200);
  assert.ok(mine.json.items.length > 0, 'the demo specialist has an assigned enterprise');
  await signIn('specialist');
  await menu('my-enterprises');
  await page.waitForURL(/\/firms\/my-enterprises$/);
  for (const e of mine.json.items) await page.getByTestId(`my-ent-${e.uscc}`).waitFor();
  await page.getByTestId(`my-ent-${mine.json.items[0].uscc}`).click();
  await page.waitForURL(/\/firms\/enterprises\/ent_\d+$/);
  await page.getByTestId('ent-name').filter({ hasText: mine.json.items[0].name }).waitFor();
  assert.equal((await page.getByTestId('ent-name').innerText()).trim(), mine.json.items[0].name);
  // the profile names the specialist serving it (here: the one signed in), phone masked, and the grid cell
  const ent = await call(srv.base, 'GET', `/api/v1/enterprises/${mine.json.items[0].id}`, { token: await token('specialist') });
  assert.equal(ent.status, 200);
  assert.ok(ent.json.specialist, 'GET /enterprises/{id} names the specialist');
  await page.getByTestId('ent-specialist-name').filter({ hasText: ent.json.specialist.name }).waitFor();
  if (ent.json.specialist.phone) {
    const phone = await page.getByTestId('ent-specialist-phone').innerText();
    assert.match(phone, /\d{3}\*{4}\d{4}/);
  }
  if (process.env.NP_UI_SHOT) await page.screenshot({ path: process.env.NP_UI_SHOT, fullPage: true });
  // an enterprise of the same county that is not assigned to them: not found by URL, nothing shown
  const all = await call(srv.base, 'GET', '/api/v1/enterprises?limit=100', { token: await token('lixia') });
  const mineIds = new Set(mine.json.items.map((e) => e.id));
  const other = all.json.items.find((e) => !mineIds.has(e.id));
  assert.ok(other, 'an enterprise of 历下 the specialist does not serve');
  await page.goto(`${srv.base}/firms/enterprises/${other.id}`);
  await page.getByTestId('ent-not-found').waitFor();
  assert.equal(await page.getByTestId('ent-profile').count(), 0);
  assert.ok(!(await page.locator('body').innerText()).includes(other.uscc), 'nothing of it is shown');
});

test('lixia cannot open a 青岛 enterprise by its URL: not found, no data', { skip, timeout: 30000 }, async () => {
  const r = await call(srv.base, 'GET', '/api/v1/enterprises?region=370200&limit=1', { token: await token('province') });
  assert.equal(r.status, 200);
  const qd = r.json.items[0];
  assert.ok(qd && qd.city_code === '370200', 'the province sees a 青岛 enterprise');
  await signIn('lixia');
  await page.goto(`${srv.base}/firms/enterprises/${qd.id}`);
  await page.getByTestId('ent-not-found').waitFor();
  assert.match(await page.getByTestId('ent-not-found').innerText(), /不存在或不在您的管辖范围内/);
  assert.equal(await page.getByTestId('ent-profile').count(), 0);
  const body = await page.locator('body').innerText();
  assert.ok(!body.includes(qd.name) && !body.includes(qd.uscc), 'nothing of the enterprise is shown');
  // by credit code as well
  await page.goto(`${srv.base}/firms/enterprises/${qd.uscc}`);
  await page.getByTestId('ent-not-found').waitFor();
});
