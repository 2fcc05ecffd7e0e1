// Entry point of a web instance: config → database → migrations (one process at a time) → demo
// seed → app → listen; jobs and schedules too unless JOBS_ENABLED=false (then `npm run worker`
// processes run them). Graceful shutdown on SIGTERM (src/runtime.ts installShutdown).
import { createRuntime, installShutdown, loadConfigOrExit, sessionSecret } from './runtime';
import { createApp } from './app';
import { seedDemoIfEmpty, demoLoginsText } from './seed/demo';
import { withStartupLock } from './db';
import { startDemoFloor } from './features/events/demo-floor';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const rt = await createRuntime(config);
  const where = config.database.client === 'sqlite' ? `SQLite ${config.database.filename}` : 'PostgreSQL';
  rt.logger.info(`database ready (${where})`);
  // One instance seeds an empty demo database; one starting beside it waits and finds it seeded.
  const seeded = config.demoMode && (await withStartupLock(rt.db, () => seedDemoIfEmpty(rt, undefined, (m) => rt.logger.info(m))));
  // Demo mode: a synthetic call floor keeps the live board moving (LIVE_DEMO_REPLAY).
  if (config.live.demoReplay) startDemoFloor(rt);
  if (config.jobsEnabled) {
    rt.jobs.start();
    rt.scheduler.start();
  }
  const app = createApp(rt, { sessionSecret: sessionSecret(config) });
  const server = app.listen(config.port, config.host, () => {
    const lines = [`\nSifat is running at http://localhost:${config.port}`];
    if (config.demoMode) lines.push(`Demo sign-ins${seeded ? ' (demo data was just seeded)' : ''}:\n${demoLoginsText()}`);
    process.stdout.write(`${lines.join('\n')}\n\n`);
  });
  // Behind a proxy that keeps connections open (nginx upstream keepalive), idle sockets must
  // outlive the proxy's own timeout, or a request can meet a socket Node just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  installShutdown(rt, server);
}

main().catch((e) => {
  process.stderr.write(`Sifat failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
