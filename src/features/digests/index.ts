// The digests feature (ma'lumotnoma): on demand and on each supervisor's schedule, as a printable
// page, an Excel workbook and an e-mail; every digest stored with its delivery history.
import type { Feature } from '../../app-context';
import { digestsRoutes } from './digests.routes';
import { PREPARE_JOB, SEND_JOB, prepareScheduledDigest, scheduleTick, sendDigest } from './digests.service';
import { seedDigests } from './digests.seed';

export const digestsFeature: Feature = {
  name: 'digests',
  routes: digestsRoutes,
  seed: seedDigests,
  nav: [{ key: 'digests.nav', href: '/digests', roles: ['supervisor', 'admin', 'specialist'], order: 410 }],
  jobHandlers: (deps) => ({
    [PREPARE_JOB]: (payload) => prepareScheduledDigest(deps, payload as { userId: number; periodStart: string; periodEnd: string }),
    [SEND_JOB]: (payload, ctx) => sendDigest(deps, Number(payload.digestId), ctx),
  }),
  schedules: (deps) => [async (now) => void (await scheduleTick(deps)(now))],
};
