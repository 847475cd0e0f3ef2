// Helpers for the console's end-to-end tests (node:test + playwright-core).
// - launchBrowser(): Debian's /usr/bin/chromium, headless, hermetic (no network side traffic,
//   a fresh profile in a temporary folder that close() removes).
// - totp(): RFC 6238 codes (SHA-1, 30 s, 6 digits) from a base32 secret or an otpauth:// URI.
// - uiLogin(): fills the login page (and the second-factor step when asked).
// Server start-up helpers come from tests/api/harness.mjs (re-exported here).
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { totp } from '../api/harness.mjs';

export { startServer, call, login, cli, BIN, totp, totpSecret } from '../api/harness.mjs';

export const CHROMIUM = process.env.NP_CHROMIUM || '/usr/bin/chromium';
export const UI_DIR = process.env.NP_UI_DIR || path.resolve('ui/dist');

/**
 * false when the binary, Chromium and the built UI are there; otherwise the reason to skip — or,
 * under CTest (NP_REQUIRE_UI=1, set by `make check`), an error: a check must never pass by skipping.
 */
export function uiSkipReason(bin) {
  const missing = [bin, CHROMIUM, path.join(UI_DIR, 'index.html')].filter((f) => !existsSync(f));
  if (!missing.length) return false;
  if (process.env.NP_REQUIRE_UI === '1') throw new Error(`UI tests need: ${missing.join(', ')}`);
  return `needs ${missing.join(', ')}`;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--password-store=basic',
];

/**
 * Launches headless Chromium with a fresh --user-data-dir (persistent context, so the profile is
 * ours and thrown away). Returns {context, page, close()}. opts: {locale, viewport, headless}.
 */
export async function launchBrowser(opts = {}) {
  const tmp = process.env.NP_TEST_TMP || os.tmpdir();
  mkdirSync(tmp, { recursive: true });
  const profile = mkdtempSync(path.join(tmp, 'np-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: opts.headless !== false,
    args: CHROMIUM_ARGS,
    locale: opts.locale || 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: opts.viewport || { width: 1366, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(opts.timeout || 15000);
  const page = context.pages()[0] || await context.newPage();
  return {
    context,
    page,
    profile,
    async close() {
      try { await context.close(); } finally { rmSync(profile, { recursive: true, force: true }); }
    },
  };
}

/**
 * A code for a step no earlier login used: servers accept each code once, so a second login in the
 * same 30 s window waits for the next step. `used` is a Set kept by the caller per secret.
 */
export async function freshTotp(secretOrUri, used = new Set()) {
  for (;;) {
    const c = totp(secretOrUri);
    if (!used.has(c)) { used.add(c); return c; }
    const wait = 30000 - (Date.now() % 30000) + 200;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * Signs in through the login page. opts.totp: secret/URI (a code is computed when the second step
 * appears) or a function returning a code. Resolves when the URL leaves /login or an error shows;
 * returns {error} with the shown message, or {}.
 */
export async function uiLogin(page, base, username, password, opts = {}) {
  if (!page.url().startsWith(`${base}/login`)) await page.goto(`${base}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  const outcome = await Promise.race([
    page.getByTestId('totp-code').waitFor().then(() => 'mfa'),
    page.getByTestId('login-error').waitFor().then(() => 'error'),
    page.waitForURL((u) => !u.pathname.startsWith('/login')).then(() => 'in'),
  ]);
  if (outcome === 'error') return { error: (await page.getByTestId('login-error').innerText()).trim() };
  if (outcome === 'mfa') {
    if (!opts.totp) return { mfa: true };
    const code = typeof opts.totp === 'function' ? await opts.totp() : totp(opts.totp);
    await page.getByTestId('totp-code').fill(code);
    await page.getByTestId('totp-submit').click();
    const r = await Promise.race([
      page.getByTestId('login-error').waitFor().then(() => 'error'),
      page.waitForURL((u) => !u.pathname.startsWith('/login')).then(() => 'in'),
    ]);
    if (r === 'error') return { error: (await page.getByTestId('login-error').innerText()).trim() };
  }
  return {};
}

/** The demo accounts' password (src/demo, printed by make run). */
export const DEMO_PASSWORD = 'Shandong@2023';

/**
 * Signs a demo account in through the login page after signing out whoever was signed in (cookies
 * cleared) and waits for the console's menu. Throws with the login error when it fails.
 */
export async function signInDemo(page, base, username, password = DEMO_PASSWORD) {
  await page.context().clearCookies();
  await page.goto(`${base}/login`);
  const r = await uiLogin(page, base, username, password);
  if (r.error || r.mfa) throw new Error(`sign-in ${username}: ${r.error || 'second factor asked'}`);
  await page.getByTestId('side-menu').waitFor();
}

/** Text of the Element Plus message toasts currently shown. */
export async function toasts(page) {
  return page.locator('.el-message').allInnerTexts();
}
