// Demo data for trying the product: only into an empty database, only in demo mode.
import type { AppDeps, Feature } from '../app-context';
import { countUsers } from '../features/users/users.repository';
import { FEATURES } from '../features';
import { DEMO_PASSWORD, DEMO_USERS } from '../features/users/users.seed';

export async function seedDemoIfEmpty(deps: AppDeps, features: Feature[] = FEATURES, log: (m: string) => void = () => undefined): Promise<boolean> {
  if (!deps.config.demoMode) return false;
  if ((await countUsers(deps.db)) > 0) return false;
  const ctx = { ...deps, log };
  for (const f of features) {
    if (!f.seed) continue;
    const started = Date.now();
    await f.seed(ctx);
    log(`seeded ${f.name} in ${Date.now() - started} ms`);
  }
  return true;
}

/** Seeded by later features: an operator account (OP-101) and the calibration expert. */
const LATER_DEMO_LOGINS = [
  { username: 'operator', role: 'operator' },
  { username: 'expert', role: 'specialist' },
];

export function demoLoginsText(): string {
  const all = [...DEMO_USERS.map((u) => ({ username: u.username, role: u.role as string })), ...LATER_DEMO_LOGINS];
  const w = Math.max(...all.map((u) => u.username.length));
  return all.map((u) => `  ${u.username.padEnd(w)}  ${DEMO_PASSWORD}   (${u.role})`).join('\n');
}
