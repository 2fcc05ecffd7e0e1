// Who reaches which page: every main page for every role, as one table. A specialist does their own
// work per the standard — the queue and evaluations, the plan with sizing and rule proposals, the
// ma'lumotnoma, the dashboard and regional analysis with the workbook for leadership (B2.01.4,
// B2.02.4, B2.03.4, B3.01.4, B3.02.4) — while approving rules, duty, drawing, schedules and the
// review of evaluators stay with supervisors and administrators. Leadership sees aggregates only.
import { expect } from 'chai';
import { createTestApp, signIn, type Agent, type TestApp } from '../../helpers/app';
import { makeOperator, makeUser } from '../../helpers/builders';
import type { Role } from '../../../src/auth/roles';

const ALL: Role[] = ['admin', 'specialist', 'supervisor', 'leadership', 'operator'];
const ok = (...roles: Role[]) => roles;

/** path → the roles that get 200; every other role gets 403. */
const MATRIX: [string, Role[]][] = [
  ['/', ALL],
  ['/calls', ok('admin', 'specialist', 'supervisor')],
  ['/calls/upload', ok('admin', 'specialist', 'supervisor')],
  ['/evaluations', ok('admin', 'specialist', 'supervisor')],
  ['/plans/today', ok('admin', 'specialist', 'supervisor')],
  ['/plans', ok('admin', 'specialist', 'supervisor')],
  ['/plans/sizing', ok('admin', 'specialist', 'supervisor')],
  ['/plans/rules', ok('admin', 'specialist', 'supervisor')],
  ['/errors', ok('admin', 'specialist', 'supervisor')],
  ['/errors/analysis', ok('admin', 'specialist', 'supervisor')],
  ['/digests', ok('admin', 'specialist', 'supervisor')],
  ['/reports', ok('admin', 'specialist', 'supervisor', 'leadership')],
  ['/reports/export.xlsx', ok('admin', 'specialist', 'supervisor', 'leadership')],
  ['/reports/regions.csv', ok('admin', 'specialist', 'supervisor', 'leadership')],
  ['/calibration', ok('admin', 'specialist', 'supervisor')],
  ['/training', ok('admin', 'specialist', 'supervisor')],
  ['/rubrics', ok('admin', 'specialist', 'supervisor')],
  ['/evaluators', ok('admin', 'supervisor')],
  ['/evaluators/mine', ok('specialist')],
  ['/admin/users', ok('admin')],
  ['/admin/audit', ok('admin')],
  ['/admin/imports', ok('admin')],
  ['/my/evaluations', ok('operator')],
];

/** State-changing routes a role must not reach (refused before any body is read). */
const REFUSED_POSTS: [string, Role[]][] = [
  ['/plans/draw', ['specialist', 'leadership', 'operator']],
  ['/plans/duty', ['specialist', 'leadership', 'operator']],
  ['/plans/rules/proposals/1/approve', ['specialist', 'leadership', 'operator']],
  ['/plans/rules', ['leadership', 'operator']],
  ['/digests/schedule', ['specialist', 'leadership', 'operator']],
  ['/digests/1/handover', ['admin', 'supervisor', 'leadership', 'operator']],
  ['/evaluators/second-reviews', ['specialist', 'leadership', 'operator']],
];

describe('the role matrix: who reaches which page', function () {
  this.timeout(60_000);
  let t: TestApp;
  const agents = new Map<Role, { agent: Agent; csrf: () => Promise<string> }>();

  before(async () => {
    t = await createTestApp();
    for (const role of ALL) {
      const u = await makeUser(t.db, { role, ...(role === 'operator' ? { operatorId: await makeOperator(t.db, {}) } : {}) });
      agents.set(role, await signIn(t.app, u.username, u.password));
    }
  });
  after(() => t.close());

  for (const [path, allowed] of MATRIX) {
    it(`${path}: ${allowed.join(', ')}`, async () => {
      const got: Record<string, number> = {};
      for (const role of ALL) got[role] = (await agents.get(role)!.agent.get(path)).status;
      const want = Object.fromEntries(ALL.map((r) => [r, allowed.includes(r) ? 200 : 403]));
      expect(got).to.deep.equal(want);
    });
  }

  for (const [path, refused] of REFUSED_POSTS) {
    it(`POST ${path} is refused to ${refused.join(', ')}`, async () => {
      for (const role of refused) {
        const a = agents.get(role)!;
        expect((await a.agent.post(path).type('form').send({ _csrf: await a.csrf() })).status, role).to.equal(403);
      }
    });
  }
});
