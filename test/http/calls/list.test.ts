import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, signIn, type TestApp } from '../../helpers/app';
import { makeCall } from '../../helpers/builders';
import { tashkentDate } from '../../../src/time';
import { CALL_COUNT_CAP } from '../../../src/features/calls/calls.filters';
import { makeOrganisation } from './calls-fixtures';

function callIds(html: string): number[] {
  return [...html.matchAll(/<tr data-href="\/calls\/(\d+)"/g)].map((m) => Number(m[1]));
}

function link(html: string, rel: 'next' | 'prev'): string | null {
  const m = new RegExp(`<a class="btn btn-sm" href="([^"]+)" rel="${rel}">`).exec(html);
  return m ? m[1]!.replace(/&amp;/g, '&') : null;
}

describe('the call list (/calls)', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof makeOrganisation>>;
  const now = Date.now();
  const hoursAgo = (h: number) => new Date(now - h * 3600_000).toISOString();

  before(async () => {
    t = await createTestApp();
    org = await makeOrganisation(t.db);
  });
  after(() => t.close());

  it('is open to admins, specialists and supervisors; leadership and operators get 403; strangers sign in first', async () => {
    for (const u of [org.admin, org.specialist, org.supervisor]) {
      const { agent } = await signIn(t.app, u.username, u.password);
      expect((await agent.get('/calls')).status, u.username).to.equal(200);
    }
    for (const u of [org.leadership, org.operatorUser]) {
      const { agent } = await signIn(t.app, u.username, u.password);
      expect((await agent.get('/calls')).status, u.username).to.equal(403);
    }
    const anon = await request(t.app).get('/calls');
    expect(anon.status).to.equal(302);
    expect(anon.headers.location).to.match(/^\/login/);
  });

  it('says what to do when no call matches', async () => {
    const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
    const res = await agent.get('/calls?from=2020-01-01&to=2020-01-02');
    expect(res.text).to.contain('No calls match').and.contain('Widen the period');
  });

  describe('with calls', () => {
    let mine: number;
    let theirs: number;
    let old: number;
    let region: number;
    before(async () => {
      region = Number((await t.db('regions').where({ code: 'SA' }).first('id')).id);
      mine = await makeCall(t.db, { operatorId: org.operatorId, startedAt: hoursAgo(2), category: 'fire', services: '101', language: 'ru', durationSec: 300, dropped: true, regionId: region });
      theirs = await makeCall(t.db, { operatorId: org.otherOperatorId, startedAt: hoursAgo(3), category: 'medical', language: 'uz', durationSec: 40 });
      old = await makeCall(t.db, { operatorId: org.operatorId, startedAt: hoursAgo(24 * 10), category: 'crime' });
      await t.db('calls').where({ id: theirs }).update({ evaluated_at: new Date().toISOString() });
    });

    it('shows the last 7 days by default, and older calls when the period asks for them', async () => {
      const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
      const ids = callIds((await agent.get('/calls')).text);
      expect(ids).to.include.members([mine, theirs]).and.not.include(old);
      const from = tashkentDate(new Date(now - 12 * 86400_000));
      expect(callIds((await agent.get(`/calls?from=${from}`)).text)).to.include(old);
    });

    it('takes the period as typed in the date fields (dd.mm.yyyy) and shows it back the same way', async () => {
      const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
      const iso = tashkentDate(new Date(now - 12 * 86400_000));
      const dotted = `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
      const res = await agent.get(`/calls?from=${dotted}`);
      expect(callIds(res.text)).to.include(old);
      expect(res.text).to.contain(`name="from" value="${dotted}"`).and.not.contain('type="date"');
    });

    it('a supervisor sees only the calls of their teams\' operators', async () => {
      const { agent } = await signIn(t.app, org.supervisor.username, org.supervisor.password);
      const res = await agent.get('/calls');
      expect(callIds(res.text)).to.include(mine).and.not.include(theirs);
      // even when asking for the other team or operator by hand
      expect(callIds((await agent.get(`/calls?team=${org.otherTeam}`)).text)).to.deep.equal([]);
      expect(callIds((await agent.get(`/calls?operator=${org.otherOperatorId}`)).text)).to.deep.equal([]);
    });

    it('filters by operator, team, region, category, language, duration, dropped and evaluated', async () => {
      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      const ids = async (q: string) => callIds((await agent.get(`/calls?${q}`)).text);
      expect(await ids(`operator=${org.operatorId}`)).to.deep.equal([mine]);
      expect(await ids(`team=${org.otherTeam}`)).to.deep.equal([theirs]);
      expect(await ids(`region=${region}`)).to.deep.equal([mine]);
      expect(await ids('category=medical')).to.deep.equal([theirs]);
      expect(await ids('language=ru')).to.deep.equal([mine]);
      expect(await ids('minDuration=100')).to.deep.equal([mine]);
      expect(await ids('maxDuration=100')).to.deep.equal([theirs]);
      expect(await ids('dropped=yes')).to.deep.equal([mine]);
      expect(await ids('dropped=no')).to.deep.equal([theirs]);
      expect(await ids('evaluated=yes')).to.deep.equal([theirs]);
      expect(await ids('evaluated=no')).to.deep.equal([mine]);
    });

    it('sorts by duration when asked', async () => {
      const { agent } = await signIn(t.app, org.admin.username, org.admin.password);
      expect(callIds((await agent.get('/calls?sort=longest')).text)).to.deep.equal([mine, theirs]);
      expect(callIds((await agent.get('/calls?sort=shortest')).text)).to.deep.equal([theirs, mine]);
    });

    it('shows caller numbers to the roles that need them, each row linking to its call page', async () => {
      const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
      const res = await agent.get('/calls');
      expect(res.text).to.contain('+998901234567').and.contain(`href="/calls/${mine}"`);
    });

    it('explains bad filter values and still lists calls', async () => {
      const { agent } = await signIn(t.app, org.specialist.username, org.specialist.password);
      const res = await agent.get('/calls?from=not-a-date&minDuration=-5&category=volcano');
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('Not a date').and.contain('Enter seconds').and.contain('Unknown value');
      expect(callIds(res.text)).to.include(mine);
    });
  });

  describe('paging', () => {
    let t2: TestApp;
    let org2: Awaited<ReturnType<typeof makeOrganisation>>;
    before(async () => {
      t2 = await createTestApp();
      org2 = await makeOrganisation(t2.db);
      // 120 calls a minute apart, some sharing a start time (the keyset breaks ties by id)
      for (let i = 0; i < 120; i++) await makeCall(t2.db, { operatorId: org2.operatorId, startedAt: new Date(now - 3600_000 - Math.floor(i / 2) * 60_000).toISOString() });
    });
    after(() => t2.close());

    it('pages forwards and backwards by keyset without losing or repeating a call', async () => {
      const { agent } = await signIn(t2.app, org2.specialist.username, org2.specialist.password);
      const p1 = await agent.get('/calls');
      const ids1 = callIds(p1.text);
      expect(ids1).to.have.length(50);
      expect(link(p1.text, 'prev')).to.equal(null);
      const p2 = await agent.get(link(p1.text, 'next')!);
      const ids2 = callIds(p2.text);
      const p3 = await agent.get(link(p2.text, 'next')!);
      const ids3 = callIds(p3.text);
      expect(ids2).to.have.length(50);
      expect(ids3).to.have.length(20);
      expect(link(p3.text, 'next')).to.equal(null);
      const all = [...ids1, ...ids2, ...ids3];
      expect(new Set(all).size).to.equal(120);
      const back = await agent.get(link(p3.text, 'prev')!);
      expect(callIds(back.text)).to.deep.equal(ids2);
      const back2 = await agent.get(link(back.text, 'prev')!);
      expect(callIds(back2.text)).to.deep.equal(ids1);
      expect(link(back2.text, 'prev')).to.equal(null);
    });

    it('counts exactly up to the cap, then says "more than"', async () => {
      const { agent } = await signIn(t2.app, org2.specialist.username, org2.specialist.password);
      expect((await agent.get('/calls')).text).to.contain('calls found: 120');
      const base = { source: 'bulk', call_date: tashkentDate(new Date(now - 7200_000)), channel: 'voice', dropped: false, created_at: new Date().toISOString(), updated_at: new Date().toISOString() };
      const rows = Array.from({ length: CALL_COUNT_CAP }, (_, i) => ({ ...base, external_id: `bulk-${i}`, started_at: new Date(now - 7200_000 - i * 1000).toISOString() }));
      for (let i = 0; i < rows.length; i += 200) await t2.db('calls').insert(rows.slice(i, i + 200));
      const res = await agent.get('/calls');
      expect(res.text).to.contain(`calls found: more than ${CALL_COUNT_CAP.toLocaleString('en-GB')}`);
    });
  });
});
