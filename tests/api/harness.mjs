// Test harness: a real nineplus server on a temporary database, and small HTTP/TOTP helpers.
// Used by tests/api/*.test.mjs and tests/ui/*.test.mjs (node:test, no dependencies).
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const BIN = process.env.NP_BIN || path.resolve('build/check/nineplus');
const TMP = process.env.NP_TEST_TMP || '/tmp';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Runs the CLI synchronously; returns {status, stdout, stderr}. */
export function cli(args, { input, env } = {}) {
  const r = spawnSync(BIN, args, {
    input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300000,
  });
  return { status: r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
}

/**
 * Starts a server on a fresh database. opts.demo loads the small demo data set.
 * Returns {base, db, dir, cli(args, opts), stop()}.
 */
export async function startServer(opts = {}) {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(path.join(TMP, 'np-api-'));
  const db = `sqlite:${dir}/test.db`;
  // NP_LOGIN_RATE_LIMIT: the suites sign in far more than 20 times a minute from 127.0.0.1; the
  // limiter's own test sets it back to the production default.
  const env = { NP_MASTER_KEY: 'a'.repeat(64), NP_ARGON2_FAST: '1', NP_LOGIN_RATE_LIMIT: '100000', ...(opts.env || {}) };
  const run = (args, o = {}) => cli(args, { ...o, env: { ...env, ...(o.env || {}) } });
  let r = run(['migrate', '--db', db]);
  if (r.status !== 0) throw new Error(`migrate failed: ${r.stderr}`);
  if (opts.demo) {
    r = run(['demo', '--db', db, '--scale', 'small', '--seed', '2023']);
    if (r.status !== 0) throw new Error(`demo failed: ${r.stderr}`);
  }
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`];
  if (opts.uiDir) args.push('--ui-dir', opts.uiDir);
  const proc = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; if (log.length > 1 << 20) log = log.slice(-(1 << 19)); });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${log}`);
    try {
      const res = await fetch(`${base}/api/v1/health`);
      if (res.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server did not start: ${log}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    base, db, dir, port, env,
    cli: run,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return new Promise((res) => proc.on('exit', (code) => res(code)));
    },
  };
}

/**
 * One HTTP call. opts: {token, body (object → JSON, string → raw), headers, cookie}.
 * Returns {status, headers, json, text}.
 */
export async function call(base, method, url, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  let body;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' || opts.body instanceof Uint8Array ? opts.body : JSON.stringify(opts.body);
    if (!headers['content-type']) headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, headers: res.headers, json, text };
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) continue;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/** The base32 secret inside an otpauth:// URI (or the argument itself when it is a secret). */
export function totpSecret(secretOrUri) {
  if (secretOrUri.startsWith('otpauth://')) return new URL(secretOrUri).searchParams.get('secret') || '';
  return secretOrUri.replace(/\s+/g, '');
}

/** RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 secret or an otpauth:// URI, at time t (ms). */
export function totp(secretOrUri, t = Date.now(), stepOffset = 0) {
  const secret = totpSecret(secretOrUri);
  const counter = Math.floor(t / 1000 / 30) + stepOffset;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const code = ((h.readUInt32BE(o) & 0x7fffffff) % 1000000).toString();
  return code.padStart(6, '0');
}

/** Logs in and returns {token, user, cookie}; throws with the server's answer on failure. */
export async function login(base, username, password, code) {
  const body = { username, password };
  if (code) body.totp = code;
  const r = await call(base, 'POST', '/api/v1/session', { body });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  const setCookie = r.headers.get('set-cookie') || '';
  return { token: r.json.token, user: r.json.user, cookie: setCookie.split(';')[0] };
}
