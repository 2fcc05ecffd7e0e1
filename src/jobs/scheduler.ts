// A once-a-minute tick that lets features enqueue scheduled work (daily plan draw, digests).
// Each schedule enqueues with a dedupe key (e.g. plan:draw:2026-11-25), so several instances
// ticking at once still create one job.
import type { Logger } from 'pino';

export type ScheduleTick = (now: Date) => Promise<void>;

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly ticks: ScheduleTick[], private readonly logger?: Logger, private readonly clock: () => Date = () => new Date()) {}

  async tick(): Promise<void> {
    for (const t of this.ticks) {
      try {
        await t(this.clock());
      } catch (e) {
        this.logger?.error({ err: e }, 'schedule tick failed');
      }
    }
  }

  start(intervalMs = 60_000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
