// The process's shutdown: a registry of hooks features add to (e.g. the live board closes its open
// event streams), and a `stopping` flag that /readyz and new long-lived connections look at.
// server.ts and worker.ts run it on SIGTERM after the job queue stopped taking work.
import type { Logger } from 'pino';

export type ShutdownHook = () => void | Promise<void>;

export class Lifecycle {
  private hooks: { name: string; fn: ShutdownHook }[] = [];
  private state: 'running' | 'stopping' | 'stopped' = 'running';

  constructor(private readonly logger?: Logger) {}

  /** True from the moment shutdown began: refuse new long-lived connections, answer /readyz with 503. */
  get stopping(): boolean {
    return this.state !== 'running';
  }

  /** Marks the process as draining (the load balancer stops sending it requests) without running hooks yet. */
  beginStopping(): void {
    if (this.state === 'running') this.state = 'stopping';
  }

  /**
   * Adds a hook run once at shutdown, newest first. Returns a function that removes it (call it
   * when the thing it closes went away by itself, e.g. a browser closed its event stream).
   */
  onShutdown(name: string, fn: ShutdownHook): () => void {
    const entry = { name, fn };
    this.hooks.push(entry);
    return () => {
      this.hooks = this.hooks.filter((h) => h !== entry);
    };
  }

  /** Runs every hook (newest first), each bounded by `timeoutMs`; a failing hook is logged, not fatal. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    const hooks = this.hooks.splice(0).reverse();
    for (const h of hooks) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([Promise.resolve().then(h.fn), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)))]);
      } catch (e) {
        this.logger?.warn({ hook: h.name, err: e }, 'shutdown hook failed');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
