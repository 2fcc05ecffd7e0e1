// The documented nginx site (deploy/nginx/sifat.conf) in front of two app instances, as operators
// run it: Debian's nginx as a child process with its files in a temp folder, TLS with a throw-away
// certificate. Checked through it: the http→https redirect, sign-in (secure cookies: the forwarded
// protocol reaches the app), an upload, a recording's Range request, /metrics kept inside.
// Without nginx or openssl the test is skipped locally; under CI=true it fails (.ci/run installs them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import http from 'node:http';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { loadConfig, ROOT_DIR } from '../../../src/config';
import { makeOperator, makeUser, TEST_PASSWORD } from '../../helpers/builders';
import { createSharedDb, freePort, startApp, waitUntil, type AppProcess, type SharedDb } from '../../helpers/processes';
import { synthesizeCallWav } from '../../../src/features/media/synth';
import { tashkentDate } from '../../../src/time';

const config = loadConfig();

function findBinary(name: string, candidates: string[]): string | null {
  for (const c of candidates) if (fs.existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return null;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request through nginx (https with the throw-away certificate, or plain http). */
function send(url: string, o: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Answer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method: o.method ?? 'GET', headers: o.headers, rejectUnauthorized: false, servername: 'localhost' } as https.RequestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

class Jar {
  private cookies = new Map<string, string>();
  raw: string[] = [];
  take(a: Answer): void {
    for (const c of (a.headers['set-cookie'] ?? []) as string[]) {
      this.raw.push(c);
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const tokenIn = (html: string) => /<meta name="csrf-token" content="([^"]+)"/.exec(html)![1]!;

function multipart(fields: Record<string, string>, file: { field: string; name: string; type: string; content: Buffer }): { body: Buffer; type: string } {
  const boundary = `----sifat${Date.now().toString(16)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

/** The documented site with this machine's addresses: listen ports, certificate, upstream instances. */
export function siteForTest(site: string, o: { httpPort: number; httpsPort: number; cert: string; key: string; upstreams: number[] }): string {
  let out = site
    .replace(/^\s*listen \[::\]:.*$/gm, '')
    .replace(/listen 80;/g, `listen 127.0.0.1:${o.httpPort};`)
    .replace(/listen 443 ssl http2;/g, `listen 127.0.0.1:${o.httpsPort} ssl http2;`)
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate     ${o.cert};`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${o.key};`)
    .replace(/server_name [^;]+;/g, 'server_name localhost;');
  const servers = o.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`).join('\n');
  out = out.replace(/(upstream sifat_web \{[\s\S]*?)((?:\s*server \S+:\d+[^;]*;)+)/, (_m, head: string) => `${head}\n${servers}`);
  return out;
}

describe('the documented nginx site in front of two instances', function () {
  this.timeout(180_000);
  const nginxBin = findBinary('nginx', ['/usr/sbin/nginx']);
  const opensslBin = findBinary('openssl', ['/usr/bin/openssl']);
  let shared: SharedDb;
  let apps: AppProcess[] = [];
  let nginx: ChildProcess | null = null;
  let dir: string;
  let base: string;
  let plain: string;

  before(async function () {
    if (!nginxBin || !opensslBin) {
      if (config.ci) throw new Error(`nginx or openssl not found (${nginxBin}, ${opensslBin}): the deployment test cannot run (CI=true)`);
      // eslint-disable-next-line no-console
      console.log('      (skipped: nginx or openssl is not installed)');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-nginx-'));
    fs.chmodSync(dir, 0o755);
    const recordings = path.join(dir, 'recordings');
    shared = await createSharedDb();
    const env = { DATABASE_URL: shared.url, RECORDINGS_DIR: recordings, TRUST_PROXY: 'true', APP_BASE_URL: 'https://localhost' };
    apps = await Promise.all([startApp({ ...env, JOBS_ENABLED: 'true' }), startApp({ ...env, JOBS_ENABLED: 'false' })]);

    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(opensslBin!, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    const site = siteForTest(fs.readFileSync(path.join(ROOT_DIR, 'deploy/nginx/sifat.conf'), 'utf8'), { httpPort, httpsPort, cert, key, upstreams: apps.map((a) => a.port) });
    fs.writeFileSync(path.join(dir, 'sifat.conf'), site);
    for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, 'temp', t), { recursive: true, mode: 0o777 });
    fs.chmodSync(path.join(dir, 'temp'), 0o777);
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'daemon off;',
        'events { worker_connections 256; }',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  default_type application/octet-stream;',
        "  log_format upstreams '$upstream_addr $status $request';",
        `  access_log ${dir}/access.log upstreams;`,
        ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t === 'body' ? 'client_body' : t}_temp_path ${dir}/temp/${t};`),
        `  include ${dir}/sifat.conf;`,
        '}',
      ].join('\n'),
    );
    let log = '';
    nginx = spawn(nginxBin!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stdout!.on('data', (c: Buffer) => (log += c));
    nginx.stderr!.on('data', (c: Buffer) => (log += c));
    base = `https://127.0.0.1:${httpsPort}`;
    plain = `http://127.0.0.1:${httpPort}`;
    await waitUntil(async () => {
      if (nginx!.exitCode !== null) throw new Error(`nginx exited: ${log}\n${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`);
      return send(`${base}/healthz`).then((a) => a.status === 200, () => false);
    }, 20_000, 'nginx to answer');
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await new Promise((r) => nginx!.once('exit', r));
    }
    await Promise.all(apps.map((a) => a.stop()));
    await shared?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends plain http to https, signs in with secure cookies, takes an upload and answers a Range request on its recording', async () => {
    const redirect = await send(`${plain}/login`);
    expect(redirect.status).to.equal(301);
    expect(redirect.headers.location).to.equal('https://127.0.0.1/login');

    const operatorId = await makeOperator(shared.db, { code: 'OP-NGX' });
    expect(operatorId).to.be.greaterThan(0);
    const u = await makeUser(shared.db, { role: 'specialist', language: 'en' });
    const jar = new Jar();
    const login = await send(`${base}/login`);
    expect(login.status).to.equal(200);
    jar.take(login);
    const signed = await send(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ username: u.username, password: TEST_PASSWORD, _csrf: tokenIn(login.body.toString()) }).toString(),
    });
    expect(signed.status).to.equal(302);
    jar.take(signed);
    const sid = jar.raw.find((c) => c.startsWith('sifat.sid='));
    expect(sid, 'a session cookie').to.be.a('string');
    expect(sid!, 'marked Secure: the app saw https through the proxy').to.match(/;\s*Secure/i);

    const form = await send(`${base}/calls/upload`, { headers: { cookie: jar.header() } });
    expect(form.status).to.equal(200);
    const wav = synthesizeCallWav({ seed: 21, durationSec: 3 });
    const mp = multipart(
      { _csrf: tokenIn(form.body.toString()), operatorCode: 'OP-NGX', startedAt: `${tashkentDate(new Date())}T09:30`, language: 'uz', channel: 'voice', category: 'medical', regionCode: 'TK', callerNumber: '+998901112233' },
      { field: 'recording', name: 'through-nginx.wav', type: 'audio/wav', content: wav },
    );
    const upload = await send(`${base}/calls/upload`, { method: 'POST', headers: { cookie: jar.header(), accept: 'application/json', 'content-type': mp.type }, body: mp.body });
    expect(upload.status, upload.body.toString().slice(0, 300)).to.equal(201);
    const callId = JSON.parse(upload.body.toString()).results[0].callId as number;

    const ranged = await send(`${base}/calls/${callId}/audio`, { headers: { cookie: jar.header(), range: 'bytes=0-99' } });
    expect(ranged.status).to.equal(206);
    expect(ranged.body.length).to.equal(100);
    expect(ranged.headers['content-range']).to.match(/^bytes 0-99\/\d+$/);
    const tail = await send(`${base}/calls/${callId}/audio`, { headers: { cookie: jar.header(), range: 'bytes=1000-' } });
    expect(tail.status).to.equal(206);
    const total = Number(String(ranged.headers['content-range']).split('/')[1]);
    expect(tail.body.length).to.equal(total - 1000);

    // LIVE-BOARD CHECK — added by the lead at merge (live engineer's work): a live board opened
    // through this nginx receives an event sent to the other instance, unbuffered.
  });

  it('shares the requests between both instances', async () => {
    for (let i = 0; i < 12; i++) expect((await send(`${base}/healthz`)).status).to.equal(200);
    const log = fs.readFileSync(path.join(dir, 'access.log'), 'utf8');
    for (const a of apps) expect(log, `requests reached the instance on port ${a.port}`).to.contain(`127.0.0.1:${a.port} 200`);
  });

  it('keeps /metrics inside: 404 through the public site', async () => {
    expect((await send(`${base}/metrics`)).status).to.equal(404);
  });
});
