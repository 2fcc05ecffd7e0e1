// For load balancers and process supervisors: /healthz says the process is alive and answering
// (no database involved: a database outage must not get every instance restarted), /readyz says
// it can serve — database reachable, migrations applied, recording store writable — and turns 503
// as soon as shutdown begins, so the balancer stops sending it requests while it drains.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import type { AppDeps } from '../app-context';
import { isDatabaseReachable, pendingMigrations } from '../db';

const CHECK_TIMEOUT_MS = 3000;

function within<T>(p: Promise<T>, fallback: T, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)))]).finally(() => clearTimeout(timer));
}

/** Writes and removes a small file: a read-only or vanished mount (NFS) fails here, not on an upload. */
export async function isRecordingStoreWritable(dir: string): Promise<boolean> {
  const probe = path.join(dir, `.readyz-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(probe, 'ok');
    await fs.rm(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(deps: Pick<AppDeps, 'db' | 'config' | 'lifecycle'>): Router {
  const r = Router();
  // Once every migration was seen applied it stays so for this process (migrations only add).
  let migrated = false;
  r.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const [database, recordings] = await Promise.all([within(isDatabaseReachable(deps.db), false), within(isRecordingStoreWritable(deps.config.recordingsDir), false)]);
    if (database && !migrated) migrated = (await within(pendingMigrations(deps.db).then((p) => p.length === 0), false).catch(() => false)) === true;
    const draining = deps.lifecycle?.stopping ?? false;
    const ready = database && migrated && recordings && !draining;
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({
        status: draining ? 'draining' : ready ? 'ready' : 'unavailable',
        checks: { database: database ? 'ok' : 'unreachable', migrations: migrated ? 'ok' : database ? 'pending' : 'unknown', recordings: recordings ? 'ok' : 'not writable' },
      });
  });
  return r;
}
