// `npm run worker`: a process that runs jobs (media preparation, imports, digests, plan draws,
// sums) and the schedules, and serves no pages. A national deployment runs web instances with
// JOBS_ENABLED=false and scales background work by adding workers; every process may start at
// the same time (migrations run once, under a lock). Graceful shutdown on SIGTERM: running jobs
// finish within SHUTDOWN_GRACE_SECONDS or go back to the queue for another worker.
import { createRuntime, installShutdown, loadConfigOrExit } from './runtime';

async function main(): Promise<void> {
  // A worker exists to run jobs, whatever JOBS_ENABLED says for the web instances beside it.
  const config = loadConfigOrExit({ jobsEnabled: true });
  const rt = await createRuntime(config);
  rt.jobs.start();
  rt.scheduler.start();
  installShutdown(rt);
  rt.logger.info({ worker: rt.jobs.workerId, concurrency: config.jobConcurrency, leaseSeconds: config.jobLeaseMs / 1000 }, 'worker running');
  process.stdout.write(`Sifat worker ${rt.jobs.workerId} is running jobs (${config.jobConcurrency} at once).\n`);
}

main().catch((e) => {
  process.stderr.write(`Sifat worker failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
