// Real app processes for the deployment tests: `src/server.ts` (or `src/worker.ts`) started as a
// child on a free port, with its own settings; a database of their own to share (a fresh
// PostgreSQL schema reached through `options=-c search_path=…`, or a SQLite file); a TCP proxy to
// stand between an app and PostgreSQL and be stopped and started.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import knexFactory, { type Knex } from 'knex';
import { loadConfig, parseDatabaseUrl, ROOT_DIR } from '../../src/config';
import { knexConfig, migrate } from '../../src/db';

const baseConfig = loadConfig();

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A database the child processes share: its URL for them, a knex for the test, and its removal. */
export interface SharedDb {
  url: string;
  dialect: 'sqlite' | 'pg';
  db: Knex;
  /** the URL through another host:port (a proxy), same database and schema */
  urlVia(host: string, port: number): string;
  destroy(): Promise<void>;
}

/** A fresh database for processes: on PostgreSQL runs a new schema, else a SQLite file in a temp folder. */
export async function createSharedDb(o: { migrated?: boolean } = {}): Promise<SharedDb> {
  const database = parseDatabaseUrl(baseConfig.testDatabaseUrl, 'TEST_DATABASE_URL');
  if (database.client === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sifat-proc-db-'));
    const file = path.join(dir, 'sifat.db');
    const db = knexFactory(knexConfig({ client: 'sqlite', filename: file }));
    if (o.migrated !== false) await migrate(db);
    return {
      url: `sqlite:${file}`,
      dialect: 'sqlite',
      db,
      urlVia: () => `sqlite:${file}`,
      async destroy() {
        await db.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `p_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: database.connectionString, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const withSchema = (u: URL) => {
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  };
  const url = withSchema(new URL(database.connectionString));
  const db = knexFactory({ ...knexConfig(database, 4), searchPath: [schema] } as Knex.Config);
  if (o.migrated !== false) await migrate(db);
  return {
    url,
    dialect: 'pg',
    db,
    urlVia(host, port) {
      const u = new URL(database.connectionString);
      u.hostname = host;
      u.port = String(port);
      return withSchema(u);
    },
    async destroy() {
      await db.destroy();
      await admin.raw(`drop schema ${schema} cascade`);
      await admin.destroy();
    },
  };
}

export interface AppProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** everything it printed, stdout and stderr */
  output(): string;
  exited: Promise<number | null>;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM and wait for the exit (SIGKILL after `ms`) */
  stop(ms?: number): Promise<number | null>;
}

const CHILD_ENV_KEEP = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'FFMPEG_PATH', 'FFPROBE_PATH'];

/**
 * Starts `src/server.ts` (or another entry, e.g. src/worker.ts) as a child process and waits until
 * it answers /healthz (a worker: until it says it runs). Settings come only from `env`.
 */
export async function startApp(env: Record<string, string>, o: { entry?: string; port?: number; waitMs?: number } = {}): Promise<AppProcess> {
  const port = o.port ?? (await freePort());
  const entry = o.entry ?? 'src/server.ts';
  const base: Record<string, string> = {};
  for (const k of CHILD_ENV_KEEP) if (process.env[k]) base[k] = process.env[k]!;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, entry)], {
    cwd: ROOT_DIR,
    env: { ...base, NODE_ENV: 'production', SESSION_SECRET: 'deployment-test-secret-0123456789', LOG_LEVEL: 'warn', DEMO_MODE: 'false', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve((exitCode = code ?? (signal ? -1 : null)))));
  const proc: AppProcess = {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    alive: () => exitCode === undefined,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
    async stop(ms = 20_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const ready = entry.endsWith('worker.ts')
    ? async () => out.includes('is running jobs')
    : async () => {
        try {
          return (await fetch(`${proc.baseUrl}/healthz`)).ok;
        } catch {
          return false;
        }
      };
  try {
    await waitUntil(async () => {
      if (exitCode !== undefined) throw new Error(`${entry} exited (${exitCode}) before it was ready:\n${out}`);
      return ready();
    }, o.waitMs ?? 60_000, `${entry} to start`);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return proc;
}

/** A TCP proxy to host:port that can be stopped (listener closed, every connection cut) and started again on the same port. */
export interface TcpProxy {
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function tcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const port = await freePort();
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  const proxy: TcpProxy = {
    port,
    async start() {
      if (server) return;
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
    },
    async stop() {
      const s = server;
      server = null;
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
  await proxy.start();
  return proxy;
}

/** A cookie jar of one site for fetch(): keeps Set-Cookie values and sends them back. */
export class CookieJar {
  private cookies = new Map<string, string>();
  store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

/** fetch() with the jar's cookies, no redirect following; stores the answer's cookies. */
export async function fetchWith(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.header()) headers.set('cookie', jar.header());
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(res);
  return res;
}

export function csrfIn(html: string): string {
  const m = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf token on the page');
  return m[1]!;
}

/** Signs in through the form (a real browser's way): returns the jar holding the session cookie. */
export async function signInOver(baseUrl: string, username: string, password: string, jar = new CookieJar()): Promise<CookieJar> {
  const page = await fetchWith(jar, `${baseUrl}/login`);
  const token = csrfIn(await page.text());
  const res = await fetchWith(jar, `${baseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password, _csrf: token }).toString() });
  if (res.status !== 302) throw new Error(`sign-in as ${username} at ${baseUrl} failed: ${res.status}`);
  return jar;
}
