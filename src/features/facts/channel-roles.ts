// Which side of a stereo recording is the operator, per call source: an admin-editable table
// rather than a setting, because sources come and go with the telephony platforms a centre
// connects (each names its own `source`), an administrator fixes a swapped source without a
// redeploy, the change is audited, and the database triggers recompute that source's facts at
// once. Source '*' is the default for every source without its own row; with no row at all the
// operator is left (channel 0), as before.
import { z } from 'zod';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { ValidationError } from '../../http/errors';
import * as repo from './facts.repository';
import { kickFacts, operatorChannelFor } from './facts.service';

export const DEFAULT_SOURCE_KEY = '*';

export const channelRoleSchema = z.object({
  source: z
    .string({ error: 'facts.roles.sourceInvalid' })
    .trim()
    .regex(/^(\*|[a-z0-9][a-z0-9_.-]{0,31})$/i, 'facts.roles.sourceInvalid'),
  operatorChannel: z.enum(['0', '1'], { error: 'facts.roles.sideInvalid' }).transform(Number),
});

export interface RoleRow {
  source: string;
  operatorChannel: number;
  /** Has its own row (else it follows the default). */
  configured: boolean;
  updatedAt: string | null;
  updatedByName: string | null;
  swap: { flagged: number; measured: number } | null;
}

export async function channelRolesOverview(deps: Pick<AppDeps, 'db'>): Promise<{ defaultRow: RoleRow; rows: RoleRow[] }> {
  const [roles, recent] = await Promise.all([repo.listChannelRoles(deps.db), repo.recentSources(deps.db)]);
  const byRole = new Map(roles.map((r) => [r.source, r]));
  const map = new Map(roles.map((r) => [r.source, r.operatorChannel]));
  const sources = [...new Set([...roles.map((r) => r.source), ...recent])].filter((s) => s !== DEFAULT_SOURCE_KEY).sort();
  const hints = await repo.swapHints(deps.db, sources);
  const def = byRole.get(DEFAULT_SOURCE_KEY);
  return {
    defaultRow: { source: DEFAULT_SOURCE_KEY, operatorChannel: def?.operatorChannel ?? 0, configured: Boolean(def), updatedAt: def?.updatedAt ?? null, updatedByName: def?.updatedByName ?? null, swap: null },
    rows: sources.map((source) => {
      const own = byRole.get(source);
      return {
        source,
        operatorChannel: operatorChannelFor(map, source),
        configured: Boolean(own),
        updatedAt: own?.updatedAt ?? null,
        updatedByName: own?.updatedByName ?? null,
        swap: hints.get(source) ?? null,
      };
    }),
  };
}

/** Sets a source's operator side (audited); the triggers mark its calls and the facts job recomputes them. */
export async function setChannelRole(deps: Pick<AppDeps, 'db' | 'jobs' | 'clock'>, body: unknown, actor: { userId: number; ip?: string }): Promise<{ source: string; operatorChannel: number }> {
  const parsed = channelRoleSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'source'), key: i.message })));
  const { source, operatorChannel } = parsed.data;
  await deps.db.transaction(async (trx) => {
    await repo.saveChannelRole(trx, source, operatorChannel, actor.userId, deps.clock);
    await audit(trx, { userId: actor.userId, action: 'facts.channelRole.set', entityType: 'channel_role', entityId: source, ip: actor.ip, details: { operatorChannel } }, deps.clock);
  });
  await kickFacts(deps);
  return { source, operatorChannel };
}

/** Removes a source's own row: it follows the default again. */
export async function removeChannelRole(deps: Pick<AppDeps, 'db' | 'jobs' | 'clock'>, source: string, actor: { userId: number; ip?: string }): Promise<boolean> {
  const removed = await deps.db.transaction(async (trx) => {
    const done = await repo.deleteChannelRole(trx, source);
    if (done) await audit(trx, { userId: actor.userId, action: 'facts.channelRole.remove', entityType: 'channel_role', entityId: source, ip: actor.ip }, deps.clock);
    return done;
  });
  if (removed) await kickFacts(deps);
  return removed;
}
