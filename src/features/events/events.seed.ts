// Demo history for the live floor: filled in later (demo-day.ts).
import type { SeedContext } from '../../app-context';

export async function seedEvents(_ctx: SeedContext): Promise<void> {}
