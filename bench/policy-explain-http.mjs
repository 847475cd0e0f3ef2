// HTTP side of bench/61-policy-explain.sh: for each sample enterprise (lines "enterprise spell internship
// certificate" written by `nineplus policy bench-explain --list`), the seven explained decisions one after
// the other over one keep-alive connection, GET /api/v1/policy-runs/{run}/decisions/{entity}?policy=…
// Prints "p50 p99 mean max bytes_per_enterprise n" in milliseconds (wall time of the seven requests), then
// "p50 p99 mean max" of the enterprise's 政策找人 page, GET /api/v1/enterprises/{id}/policies.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [base, token, run, listFile] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL(base);

function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const samples = readFileSync(listFile, 'utf8').trim().split('\n').map((l) => l.split(' '));
const times = [];
const page = [];
let bytes = 0;
for (let i = -1; i < samples.length; i++) {
  const [e, s, it, c] = samples[i < 0 ? 0 : i];
  const seven = [
    [`enterprise-${e}`, 'ui_job_stabilisation_refund'], [`enterprise-${e}`, 'startup_guarantee_loan'],
    [`enterprise-${e}`, 'special_loan_whitelist'], [`spell-${s}`, 'one_time_job_expansion_subsidy'],
    [`spell-${s}`, 'social_insurance_subsidy'], [`internship-${it}`, 'employment_internship_subsidy'],
    [`certificate-${c}`, 'skill_upgrade_subsidy'],
  ];
  const t0 = performance.now();
  let b = 0;
  for (const [ent, pol] of seven) b += await get(`/api/v1/policy-runs/${run}/decisions/${ent}?policy=${pol}`);
  const dt = performance.now() - t0;
  if (i >= 0) { times.push(dt); bytes += b; } // i = −1: warm-up
  const t1 = performance.now();
  await get(`/api/v1/enterprises/ent_${e}/policies`);
  if (i >= 0) page.push(performance.now() - t1);
}
const stats = (xs) => {
  xs.sort((a, b) => a - b);
  const p = (q) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))];
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${p(0.5).toFixed(2)} ${p(0.99).toFixed(2)} ${mean.toFixed(2)} ${xs[xs.length - 1].toFixed(2)}`;
};
console.log(`${stats(times)} ${Math.round(bytes / times.length)} ${times.length}`);
console.log(stats(page));
agent.destroy();
