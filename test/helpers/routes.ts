// The app's routes as Express holds them, so security tests cover every route — also the ones added
// after the test was written — without a hand-kept list; and a fingerprint of every table, to show
// that refused requests changed nothing.
import crypto from 'node:crypto';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { DEMO_PASSWORD } from '../../src/features/users/users.seed';
import { seedDemoIfEmpty } from '../../src/seed/demo';
import { FEATURES } from '../../src/features';
import type { TestApp } from './app';
import { signIn, type Agent } from './app';

export interface AppRoute {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** Every method + path the app routes, walking mounted routers (all features mount at the root). */
export function listRoutes(app: Express): AppRoute[] {
  const out: AppRoute[] = [];
  const walk = (stack: RouterLayer[]) => {
    for (const l of stack) {
      if (l.route) for (const m of Object.keys(l.route.methods)) out.push({ method: m.toUpperCase(), path: l.route.path });
      else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return out;
}

export const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** A concrete URL for a route pattern: every `:param` becomes `value` (an existing id in the demo data). */
export function concretePath(path: string, value = '1'): string {
  return path.replace(/:(\w+)/g, () => encodeURIComponent(value));
}

/**
 * The demo data (every feature's seed) in a test app: real rows behind the ids 1, 2, … — but not the
 * reports' 70 days of history (thousands of rows no route needs to exist; a minute on PostgreSQL).
 */
export async function seedDemo(t: TestApp): Promise<void> {
  await seedDemoIfEmpty({ ...t, config: { ...t.config, demoMode: true } }, FEATURES.filter((f) => f.name !== 'reports'));
}

export const DEMO_ROLE_USERS = { admin: 'admin', specialist: 'specialist', supervisor: 'supervisor', leadership: 'leadership', operator: 'operator' } as const;
export type DemoRole = keyof typeof DEMO_ROLE_USERS;

/** A signed-in agent for each demo role. */
export async function signInDemoRoles(app: Express): Promise<Record<DemoRole, { agent: Agent; csrf: () => Promise<string> }>> {
  const out = {} as Record<DemoRole, { agent: Agent; csrf: () => Promise<string> }>;
  for (const [role, username] of Object.entries(DEMO_ROLE_USERS) as [DemoRole, string][]) out[role] = await signIn(app, username, DEMO_PASSWORD);
  return out;
}

/** Table names of the app's schema (not knex's bookkeeping). */
export async function tableNames(db: Knex): Promise<string[]> {
  if (db.client.config.client === 'pg') {
    const r = await db.raw("select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'");
    return (r.rows as { name: string }[]).map((x) => x.name).filter((n) => !n.startsWith('knex_')).sort();
  }
  const rows = (await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'knex_%'")) as { name: string }[];
  return rows.map((x) => x.name).sort();
}

/**
 * A hash of every row of every table, per table. Sessions are left out: a signed-in request always
 * touches its session (rolling expiry).
 */
export async function fingerprint(db: Knex, except: string[] = ['sessions']): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await tableNames(db)) {
    if (except.includes(table)) continue;
    const rows = await db(table).select('*');
    const lines = rows.map((r) => JSON.stringify(r)).sort();
    out[table] = `${rows.length}:${crypto.createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** Names of the tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
}

/** Routes that answer with a never-ending stream (Server-Sent Events): a walker reads their headers only. */
export const STREAMING_PATHS = new Set(['/live/stream']);

/**
 * A GET whose answer may be an endless stream: resolves with the status and headers as soon as they
 * arrive, then closes the connection (an ordinary answer resolves the same way).
 */
export async function headersOnly(test: ReturnType<Agent['get']>): Promise<{ status: number; headers: Record<string, string> }> {
  const res = await test
    .buffer(false)
    .parse((r, cb) => {
      (r as unknown as { destroy(): void }).destroy();
      cb(null, null);
    });
  return { status: res.status, headers: res.headers as Record<string, string> };
}
