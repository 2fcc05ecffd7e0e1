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

export function demoLoginsText(): string {
  const w = Math.max(...DEMO_USERS.map((u) => u.username.length));
  return DEMO_USERS.map((u) => `  ${u.username.padEnd(w)}  ${DEMO_PASSWORD}   (${u.role})`).join('\n');
}
