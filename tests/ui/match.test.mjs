// End-to-end tests of the issue-5 pages against a real server with the small demo: public
// self-registration (then the same ID number again → the 409 text), a county officer (lixia) opens a
// demand line's candidates with readable explanations, recommends one and moves the referral to
// "interviewed" on the board, and the sharing board shows the three economic circles.
// Run from the repository root:  NP_BIN=build/<dir>/nineplus node --test tests/ui/match.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, uiLogin, startServer, uiSkipReason, call, login, BIN, UI_DIR } from './lib.mjs';

const skip = uiSkipReason(BIN);
const PW = 'Shandong@2023';

let srv;
let browser;
let page;

/** A valid resident ID number (GB 11643 check character) for a 历下 birth registration. */
function idNumber(seq) {
  const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const body = `370102199${seq % 10}0${1 + (seq % 9)}1${seq % 10}${String(100 + (seq % 900)).padStart(3, '0')}`;
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(body[i]) * W[i];
  return body + '10X98765432'[s % 11];
}

/** Clicks a tree-select node by its text (expanding parents by their arrow first). */
async function pickRegion(testid, path) {
  await page.getByTestId(testid).click();
  for (let i = 0; i < path.length; i++) {
    const node = page.locator('.el-tree-node__content:visible').filter({ hasText: path[i] }).first();
    await node.waitFor();
    if (i < path.length - 1) await node.locator('.el-tree-node__expand-icon').click();
    else await node.locator('.np-region-node').click();
  }
}

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

test('public self-registration creates a seeker; the same ID again shows the 409 text', { skip, timeout: 30000 }, async () => {
  const id = idNumber(Date.now() % 997);
  await page.goto(`${srv.base}/public/register`, { waitUntil: 'networkidle' });
  await page.getByTestId('reg-id-number').fill(id);
  await page.getByTestId('reg-name').fill('测试求职者');
  await page.getByTestId('reg-phone').fill('13905310000');
  await pickRegion('reg-region', ['山东省', '济南市', '历下区']);
  await page.getByTestId('reg-occupations').click();
  await page.keyboard.type('焊工');
  await page.locator('.np-popper-reg-occupations .el-select-dropdown__item').filter({ hasText: '6-18-02-04' }).click();
  await page.keyboard.press('Escape');
  await page.getByTestId('reg-salary').locator('input').fill('6500');
  assert.match(await page.getByTestId('reg-consent-text').innerText(), /同意.*推荐/);
  await page.getByTestId('reg-consent').click();
  await page.getByTestId('reg-submit').click();
  const done = page.getByTestId('reg-done');
  const outcome = await Promise.race([done.waitFor().then(() => 'done'), page.getByTestId('reg-error').waitFor().then(() => 'error')]);
  if (outcome === 'error') assert.fail(`registration refused: ${await page.getByTestId('seeker-form').innerText()}`);
  const sid = await done.getAttribute('data-id');
  assert.match(sid || '', /^skr_\d+$/);

  // the record is there, with the salary in fen and consent given
  const s = await login(srv.base, 'lixia', PW);
  const r = await call(srv.base, 'GET', `/api/v1/seekers/${sid}`, { token: s.token });
  assert.equal(r.status, 200);
  assert.equal(r.json.expected_salary, 650000);
  assert.equal(r.json.consent, true);
  assert.deepEqual(r.json.occupation_codes, ['6-18-02-04']);

  // the same person again: the fixed duplicate message on the ID field
  await page.getByTestId('reg-again').click();
  await page.getByTestId('reg-id-number').fill(id.toLowerCase());
  await page.getByTestId('reg-name').fill('测试求职者');
  await pickRegion('reg-region', ['山东省', '济南市', '历下区']);
  await page.getByTestId('reg-occupations').click();
  await page.keyboard.type('焊工');
  await page.locator('.np-popper-reg-occupations .el-select-dropdown__item').filter({ hasText: '6-18-02-04' }).click();
  await page.keyboard.press('Escape');
  await page.getByTestId('reg-consent').click();
  await page.getByTestId('reg-submit').click();
  await page.getByTestId('reg-error').waitFor();
  assert.match(await page.getByTestId('reg-error').innerText(), /已经登记过/);
  const fieldError = page.getByTestId('reg-item-id_number').locator('.el-form-item__error');
  await fieldError.waitFor();
  assert.match(await fieldError.innerText(), /已经登记过/);
});

test('jobs near me (public, phone size): by the device position or a chosen township; list equals the API; the map shows them', { skip, timeout: 60000 }, async () => {
  await page.context().clearCookies();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.context().grantPermissions(['geolocation'], { origin: srv.base });
    await page.context().setGeolocation({ latitude: 36.6554, longitude: 117.098 }); // 历下
    await page.goto(`${srv.base}/public/jobs`, { waitUntil: 'networkidle' });
    await page.getByTestId('jobs-locate').click();
    await page.getByTestId('jobs-located').waitFor();
    await page.getByTestId('jobs-search').click();
    await page.getByTestId('jobs-found').waitFor();
    const api = await call(srv.base, 'GET', '/api/v1/public/jobs?lat=36.6554&lon=117.098&radius_km=30');
    assert.equal(api.status, 200, api.text);
    assert.ok(api.json.items.length > 0, 'the demo has jobs near 历下');
    assert.equal(await page.getByTestId('jobs-item').count(), api.json.items.length);
    // no device position: a chosen township's centre (济南 历下 泉城路街道) gives the same kind of search
    await page.goto(`${srv.base}/public/jobs`, { waitUntil: 'networkidle' });
    await pickRegion('jobs-place', ['济南市', '历下区']);
    await page.getByTestId('jobs-located').waitFor();
    assert.match(await page.getByTestId('jobs-located').innerText(), /36\.65537/);
    await page.getByTestId('jobs-search').click();
    await page.getByTestId('jobs-found').waitFor();
    assert.ok((await page.getByTestId('jobs-item').count()) > 0);
    await page.getByRole('tab', { name: /地图|Map/ }).click();
    await page.locator('canvas').first().waitFor();
  } finally {
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.context().clearPermissions();
  }
});

test('lixia sees explained candidates, recommends one and moves the referral to interviewed', { skip, timeout: 30000 }, async () => {
  // an open 历下 line that has candidates nobody has recommended yet
  const s = await login(srv.base, 'lixia', PW);
  const lines = await call(srv.base, 'GET', '/api/v1/demands?status=active&limit=100', { token: s.token });
  let demand = null;
  let seeker = null;
  for (const d of lines.json.items) {
    const c = await call(srv.base, 'GET', `/api/v1/demands/${d.id}/candidates?limit=20`, { token: s.token });
    if (c.status !== 200 || !c.json.items.length) continue;
    const refs = await call(srv.base, 'GET', `/api/v1/referrals?demand=${d.id}&limit=100`, { token: s.token });
    const taken = new Set(refs.json.items.map((x) => x.seeker_id));
    const free = c.json.items.find((x) => !taken.has(x.seeker.id) && x.seeker.consent !== false);
    if (free) { demand = d; seeker = free.seeker; break; }
  }
  assert.ok(demand, 'a demo line with candidates');

  const r = await uiLogin(page, srv.base, 'lixia', PW);
  assert.deepEqual(r, {});
  await page.goto(`${srv.base}/match/candidates?demand=${demand.id}`);
  await page.getByTestId('cand-table').waitFor();
  const reasons = page.getByTestId(`cand-reasons-${seeker.id}`);
  await reasons.waitFor();
  const text = await reasons.innerText();
  assert.match(text, /职业|同一职业/);
  assert.match(text, /距离 [\d.]+ 公里 \+\d+/);
  assert.match(text, /\+\d+/);
  await page.getByTestId(`cand-recommend-${seeker.id}`).click();
  await page.locator('.el-message--success').first().waitFor();
  assert.match(await page.getByTestId(`cand-recommend-${seeker.id}`).innerText(), /已推荐/);

  // the board: the new card is in 已推荐; move it two stages with the card's button
  await page.goto(`${srv.base}/match/referrals`);
  const card = page.locator(`[data-testid^="ref-card-"][data-seeker="${seeker.id}"][data-demand="${demand.id}"]`);
  await page.getByTestId('ref-col-recommended').locator(card).waitFor();
  const refId = (await card.getAttribute('data-testid')).replace('ref-card-', '');
  await page.getByTestId(`ref-next-${refId}`).click();
  await page.getByTestId('ref-col-contacted').getByTestId(`ref-card-${refId}`).waitFor();
  await page.getByTestId(`ref-next-${refId}`).click();
  await page.getByTestId('ref-col-interviewed').getByTestId(`ref-card-${refId}`).waitFor();
  const after = await call(srv.base, 'GET', `/api/v1/referrals/${refId}`, { token: s.token });
  assert.equal(after.json.status, 'interviewed');
});

test('the sharing board shows the three economic circles with pairings', { skip, timeout: 30000 }, async () => {
  if (!new URL(page.url()).pathname.startsWith('/match')) assert.deepEqual(await uiLogin(page, srv.base, 'lixia', PW), {});
  await page.goto(`${srv.base}/match/sharing`);
  await page.getByTestId('sharing-circles').waitFor();
  await page.getByTestId('sharing-circle-capital').waitFor();
  assert.match(await page.getByTestId('sharing-circle-capital').innerText(), /省会经济圈/);
  assert.match(await page.getByTestId('sharing-circle-jiaodong').innerText(), /胶东经济圈/);
  assert.match(await page.getByTestId('sharing-circle-lunan').innerText(), /鲁南经济圈/);
  await page.getByTestId('sharing-pair-0').waitFor();
  assert.match(await page.getByTestId('sharing-pair-0').innerText(), /\+\d+/);
});

test('organised batch: upload a worker list, run the allocation, commit as referrals', { skip, timeout: 30000 }, async () => {
  if (!new URL(page.url()).pathname.startsWith('/match')) assert.deepEqual(await uiLogin(page, srv.base, 'lixia', PW), {});
  // six workers from 南阳 (outside Shandong), two of them declared as one group
  const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const rows = ['姓名,身份证号,工种,技能等级,学历,组'];
  for (let i = 0; i < 6; i++) {
    const body = `41130019920304${String(300 + i)}`;
    let s = 0;
    for (let k = 0; k < 17; k++) s += Number(body[k]) * W[k];
    rows.push(`工人${i},${body}${'10X98765432'[s % 11]},4-02-02-02;6-18-02-04,3,senior_middle,${i < 2 ? '甲村' : ''}`);
  }
  await page.goto(`${srv.base}/match/batches`);
  await page.getByTestId('batch-name').fill('东西部协作 测试批次');
  await pickRegion('batch-region', ['山东省', '济南市', '历下区']);
  await page.getByTestId('batch-file').setInputFiles({ name: 'workers.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n'), 'utf8') });
  await page.getByTestId('batch-upload').click();
  await page.locator('[data-testid="batch-detail"][data-status="uploaded"]').waitFor();
  await page.getByTestId('batch-run').click();
  await page.locator('[data-testid="batch-detail"][data-status="allocated"]').waitFor();
  const assigned = Number(await page.getByTestId('batch-assigned').innerText());
  assert.ok(assigned > 0, 'some workers are assigned to 历下 lines');
  await page.getByTestId('batch-commit').click();
  await page.locator('.np-confirm .el-button--danger').click();
  await page.getByTestId('batch-commit-result').waitFor();
  assert.match(await page.getByTestId('batch-commit-result').innerText(), new RegExp(`已生成 ${assigned} 条推荐`));
});

test('province staff change the matching settings: weights, a limit, a related pair added and removed', { skip, timeout: 60000 }, async () => {
  await page.context().clearCookies();
  await page.goto(`${srv.base}/login`);
  assert.deepEqual(await uiLogin(page, srv.base, 'province', PW), {});
  await page.getByTestId('side-menu').waitFor();
  if (!(await page.getByTestId('menu-match-settings').isVisible())) await page.getByTestId('menu-match').locator('.el-sub-menu__title').click();
  await page.getByTestId('menu-match-settings').click();
  await page.waitForURL(/\/match\/settings$/);
  const key = page.getByTestId('msettings-w-key_enterprise').locator('input');
  await page.waitForFunction(() => document.querySelector('[data-testid="msettings-sum"]')?.textContent === '1000');
  assert.equal(await key.inputValue(), '50');
  await key.fill('80');
  await key.press('Tab');
  const pushes = page.getByTestId('msettings-pushes').locator('input');
  await pushes.fill('15');
  await pushes.press('Tab');
  assert.equal(await page.getByTestId('msettings-sum').innerText(), '1030');
  await page.getByTestId('msettings-save').click();
  await page.locator('.el-message--success').first().waitFor();
  const s = await login(srv.base, 'province', PW);
  let r = await call(srv.base, 'GET', '/api/v1/match/config', { token: s.token });
  assert.equal(r.json.weights.key_enterprise, 80);
  assert.equal(r.json.seeker_daily_pushes, 15);
  assert.equal(r.json.weights.occupation, 400);
  // a related pair: 中式烹调师 ↔ 焊工 (picked by search), then removed after a confirmation
  await page.getByTestId('msettings-add-a').click();
  await page.keyboard.type('焊工');
  await page.locator('.np-popper-msettings-add-a .el-select-dropdown__item').filter({ hasText: '6-18-02-04' }).click();
  await page.getByTestId('msettings-add-b').click();
  await page.keyboard.type('4-03-02-01');
  await page.locator('.np-popper-msettings-add-b .el-select-dropdown__item').filter({ hasText: '4-03-02-01' }).click();
  await page.getByTestId('msettings-add-note').fill('界面测试');
  await page.getByTestId('msettings-add-submit').click();
  const remove = page.getByTestId('msettings-remove-4-03-02-01-6-18-02-04');
  await remove.waitFor();
  assert.match(await page.getByTestId('msettings-related').innerText(), /界面测试/);
  r = await call(srv.base, 'GET', '/api/v1/match/config', { token: s.token });
  assert.ok(r.json.related_occupations.some((p) => p.occupation_a === '4-03-02-01' && p.occupation_b === '6-18-02-04'));
  await remove.click();
  await page.locator('.np-confirm .el-button--danger').click();
  await remove.waitFor({ state: 'detached' });
  r = await call(srv.base, 'GET', '/api/v1/match/config', { token: s.token });
  assert.ok(!r.json.related_occupations.some((p) => p.occupation_a === '4-03-02-01'));
  // back to the defaults
  r = await call(srv.base, 'PUT', '/api/v1/match/config', { token: s.token, body: { weights: { key_enterprise: 50 }, seeker_daily_pushes: 20 } });
  assert.equal(r.status, 200, r.text);
  // a county officer has no such menu entry
  await page.context().clearCookies();
  await page.goto(`${srv.base}/login`);
  assert.deepEqual(await uiLogin(page, srv.base, 'lixia', PW), {});
  await page.getByTestId('side-menu').waitFor();
  await page.getByTestId('menu-match').locator('.el-sub-menu__title').click();
  await page.getByTestId('menu-match-seekers').waitFor();
  assert.equal(await page.getByTestId('menu-match-settings').count(), 0);
});
