// End-to-end tests of the console against a real server (issue 3): login with TOTP, the
// wrong-password and lockout messages, an admin creates a county user who then sees their own
// jurisdiction, and the auditor sees those logins. Run from the repository root:
//   NP_BIN=build/<dir>/nineplus node --test tests/ui/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, uiLogin, freshTotp, startServer, uiSkipReason, BIN, UI_DIR } from './lib.mjs';

const skip = uiSkipReason(BIN);

let srv;
let browser;
let page;

/** Creates a user on the command line; returns {password, uri}. */
function addUser(username, role, password, extra = []) {
  const r = srv.cli(['user', 'add', '--db', srv.db, '--username', username, '--role', role, ...extra, '--password-stdin'],
    { input: `${password}\n` });
  assert.equal(r.status, 0, `user add ${username}: ${r.stderr}`);
  const m = /otpauth:\/\/\S+/.exec(r.stdout + r.stderr);
  return { password, uri: m ? m[0] : '' };
}

/** After sign-in: completes the forced password change when the server asks for it. */
async function changePasswordIfAsked(oldPw, newPw) {
  await page.waitForLoadState('networkidle');
  if (!new URL(page.url()).pathname.startsWith('/password/change')) return;
  await page.getByTestId('pw-old').fill(oldPw);
  await page.getByTestId('pw-new').fill(newPw);
  await page.getByTestId('pw-confirm').fill(newPw);
  await page.getByTestId('pw-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/password/change'));
}

async function logout() {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await page.locator('.np-confirm .el-button--primary').click();
  await page.waitForURL(/\/login/);
}

before(async () => {
  if (skip) return;
  srv = await startServer({ uiDir: UI_DIR });
  browser = await launchBrowser();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('console: sign-in, user creation, jurisdiction, lockout, audit', { skip, timeout: 240000 }, async (t) => {
  const admin = addUser('root1', 'sys_admin', 'Root-Pass-2026x');
  const auditor = addUser('audit1', 'auditor', 'Audit-Pass-2026x');
  assert.ok(admin.uri && auditor.uri, 'staff roles are enrolled at once (otpauth URI printed)');
  const base = srv.base;
  let county;

  await t.test('wrong password shows one clear message', async () => {
    const r = await uiLogin(page, base, 'root1', 'Wrong-Pass-2026x');
    assert.match(r.error || '', /用户名或密码错误/);
  });

  await t.test('admin signs in with a TOTP code', async () => {
    const r = await uiLogin(page, base, 'root1', admin.password, { totp: () => freshTotp(admin.uri) });
    assert.deepEqual(r, {});
    await changePasswordIfAsked(admin.password, 'Root-Pass-2027x');
    await page.getByTestId('side-menu').waitFor();
    assert.match(await page.getByTestId('header-role').innerText(), /系统管理员/);
  });

  await t.test('admin creates a county user', async () => {
    await page.goto(`${base}/system/users`);
    await page.getByTestId('users-table').waitFor();
    await page.getByTestId('user-add').click();
    await page.getByTestId('user-username').fill('county.lixia');
    await page.getByTestId('user-display-name').fill('历下区人社局 张三');
    await page.getByTestId('user-role').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '县级人社局' }).click();
    await page.getByTestId('user-region').click();
    await page.locator('.el-tree-node__content:visible', { hasText: '山东省' }).locator('.el-tree-node__expand-icon').click();
    await page.locator('.el-tree-node__content:visible', { hasText: '济南市' }).locator('.el-tree-node__expand-icon').click();
    await page.locator('.el-tree-node__content:visible', { hasText: '历下区' }).first().click();
    await page.getByTestId('user-submit').click();
    await page.getByTestId('secret-dialog').waitFor();
    county = {
      password: await page.getByTestId('secret-password').inputValue(),
      uri: await page.getByTestId('secret-totp-uri').inputValue(),
    };
    assert.ok(county.password.length >= 10, 'an initial password is shown once');
    assert.match(county.uri, /^otpauth:\/\/totp\//);
    await page.getByTestId('secret-close').click();
    await page.getByTestId('user-row-county.lixia').waitFor();
    await logout();
  });

  await t.test('the county user sees their own jurisdiction', async () => {
    const r = await uiLogin(page, base, 'county.lixia', county.password, { totp: () => freshTotp(county.uri) });
    assert.deepEqual(r, {});
    await changePasswordIfAsked(county.password, 'Lixia-Pass-2026x');
    await page.getByTestId('header-jurisdiction').waitFor();
    assert.match(await page.getByTestId('header-jurisdiction').innerText(), /历下区/);
    assert.match(await page.getByTestId('welcome-jurisdiction').innerText(), /历下区/);
    const menu = await page.getByTestId('side-menu').innerText();
    assert.doesNotMatch(menu, /用户管理|操作日志/, 'no administrator menus for county staff');
    await logout();
  });

  await t.test('five wrong passwords lock the account', async () => {
    let r;
    for (let i = 0; i < 6; i++) r = await uiLogin(page, base, 'county.lixia', `Bad-Pass-2026-${i}`);
    assert.match(r.error || '', /账号已锁定/);
  });

  await t.test('the auditor sees those logins', async () => {
    const r = await uiLogin(page, base, 'audit1', auditor.password, { totp: () => freshTotp(auditor.uri) });
    assert.deepEqual(r, {});
    await changePasswordIfAsked(auditor.password, 'Audit-Pass-2027x');
    await page.goto(`${base}/audit/logins`);
    const table = page.getByTestId('audit-table-logins');
    await table.waitFor();
    await page.waitForLoadState('networkidle');
    const text = await table.innerText();
    assert.match(text, /county\.lixia/);
    assert.match(text, /登录失败/);
    assert.match(text, /登录成功/);
    await page.getByTestId('audit-verify').click();
    await page.getByTestId('audit-verify-result').waitFor();
    assert.equal(await page.getByTestId('audit-verify-result').getAttribute('data-ok'), 'true');
  });
});
