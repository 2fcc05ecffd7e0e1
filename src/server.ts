// Entry point: config → database → migrations → demo seed → app → listen; graceful shutdown.
import { loadConfig, ConfigError } from './config';
import { createRuntime, sessionSecret } from './runtime';
import { createApp } from './app';
import { seedDemoIfEmpty, demoLoginsText } from './seed/demo';
import { startDemoFloor } from './features/events/demo-floor';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const rt = await createRuntime(config);
  const where = config.database.client === 'sqlite' ? `SQLite ${config.database.filename}` : 'PostgreSQL';
  rt.logger.info(`database ready (${where})`);
  const seeded = await seedDemoIfEmpty(rt, undefined, (m) => rt.logger.info(m));
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
  const shutdown = (signal: string) => {
    rt.logger.info(`${signal}: shutting down`);
    server.close(() => void rt.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`Sifat failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
