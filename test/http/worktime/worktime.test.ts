// The working-time page and the shift-plan upload: who sees what, the figures from operator
// states against an uploaded plan (Tashkent times), and every bad file refused with a clear
// message and nothing stored.
import { expect } from 'chai';
import { createTestApp, signIn, type Agent, type TestApp } from '../../helpers/app';
import { makeOperator, makeTeam, makeUser } from '../../helpers/builders';
import { ingestBatch } from '../../../src/features/events/events.service';

// 7 December 2026, 14:00 Tashkent: the day shift (08:00–20:00) is under way.
const NOW = new Date('2026-12-07T09:00:00.000Z');

describe('working time and feedback (/worktime)', () => {
  let t: TestApp;
  let supervisor: Awaited<ReturnType<typeof makeUser>>;
  let specialist: Awaited<ReturnType<typeof makeUser>>;
  let leadership: Awaited<ReturnType<typeof makeUser>>;
  let ownTeam: number;
  let otherTeam: number;
  let mine: number;
  let theirs: number;

  before(async () => {
    t = await createTestApp({ clock: () => NOW });
    supervisor = await makeUser(t.db, { role: 'supervisor', language: 'en' });
    specialist = await makeUser(t.db, { role: 'specialist', language: 'en' });
    leadership = await makeUser(t.db, { role: 'leadership', language: 'en' });
    ownTeam = await makeTeam(t.db, { name: 'Own team', supervisorUserId: supervisor.id });
    otherTeam = await makeTeam(t.db, { name: 'Other team', supervisorUserId: null });
    mine = await makeOperator(t.db, { teamId: ownTeam, code: 'WT-MINE', name: 'Mine Operatorova' });
    theirs = await makeOperator(t.db, { teamId: otherTeam, code: 'WT-THEIRS', name: 'Theirs Operatorov' });
    // WT-MINE: signed in at 08:20 Tashkent (20 minutes late), ready, a call 09:00–09:30, a break 11:00–11:30.
    const at = (hm: string) => new Date(`2026-12-07T${hm}:00+05:00`).toISOString();
    const state = (id: string, code: string, s: string, time: string) => ({ id, type: 'operator.state', at: at(time), operatorCode: code, state: s });
    await ingestBatch(t, {
      events: [
        state('wt-1', 'WT-MINE', 'logged_in', '08:20'),
        state('wt-2', 'WT-MINE', 'ready', '08:20'),
        { id: 'wt-3', type: 'call.offered', at: at('09:00'), callId: 'wt-call-1' },
        { id: 'wt-4', type: 'call.answered', at: at('09:00'), callId: 'wt-call-1', operatorCode: 'WT-MINE' },
        state('wt-5', 'WT-MINE', 'busy', '09:00'),
        { id: 'wt-6', type: 'call.ended', at: at('09:30'), callId: 'wt-call-1', reason: 'normal' },
        state('wt-7', 'WT-MINE', 'ready', '09:30'),
        state('wt-8', 'WT-MINE', 'break', '11:00'),
        state('wt-9', 'WT-MINE', 'ready', '11:30'),
        { id: 'wt-10', type: 'satisfaction.scored', at: at('09:40'), callId: 'wt-call-1', score: 4 },
        state('wt-11', 'WT-THEIRS', 'logged_in', '08:00'),
        state('wt-12', 'WT-THEIRS', 'ready', '08:00'),
      ],
    }, { apiTokenId: null });
  });
  after(() => t.close());

  const page = async (agent: Agent, query = '') => agent.get(`/worktime${query}`);
  const plans = () => t.db('shift_plans').orderBy('starts_at').select('operator_id', 'starts_at', 'ends_at', 'shift_date');
  async function upload(agent: Agent, csrf: string, body: Buffer | string, name = 'plan.csv') {
    return agent.post('/worktime/plans').field('_csrf', csrf).attach('file', Buffer.from(body), name);
  }

  it('a specialist sees every team’s operators per shift with signed-in, ready, busy, break, calls per hour and occupancy, and satisfaction with n', async () => {
    const { agent } = await signIn(t.app, specialist.username, specialist.password);
    const res = await page(agent);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Mine Operatorova');
    expect(res.text).to.contain('Theirs Operatorov');
    // 08:20 → 14:00 Tashkent: 5:40 signed in; 1 call in 5.67 h = 0.2 calls per hour; busy 0:30; break 0:30.
    expect(res.text).to.contain('5:40');
    expect(res.text).to.contain('0:30');
    expect(res.text).to.match(/>0\.2</);
    expect(res.text).to.contain('scored calls: n = 1');
    // No plan yet: adherence cannot be measured, and the page says how to get one.
    expect(res.text).to.contain('No shift plan covers this period');
    expect(res.text).to.contain('href="/worktime/plans"');
    expect(res.text).to.contain('data-chart="time"');
  });

  it('a supervisor sees only their teams’ operators; another team is refused; an operator may not open the page', async () => {
    const sup = await signIn(t.app, supervisor.username, supervisor.password);
    const res = await page(sup.agent);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Mine Operatorova');
    expect(res.text).not.to.contain('Theirs Operatorov');
    expect((await page(sup.agent, `?team=${otherTeam}`)).status).to.equal(403);
    expect((await page(sup.agent, '?team=99999')).status).to.equal(400);
    const op = await makeUser(t.db, { role: 'operator', operatorId: mine });
    expect((await page((await signIn(t.app, op.username, op.password)).agent)).status).to.equal(403);
  });

  it('leadership reads the figures but cannot upload a plan', async () => {
    const { agent, csrf } = await signIn(t.app, leadership.username, leadership.password);
    const res = await page(agent);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Mine Operatorova');
    expect(res.text).not.to.contain('href="/worktime/plans"');
    expect(res.text).to.contain('A specialist or a supervisor can upload one.');
    expect((await agent.get('/worktime/plans')).status).to.equal(403);
    expect((await upload(agent, await csrf(), 'operator_code,date,start,end\nWT-MINE,2026-12-07,08:00,20:00\n')).status).to.equal(403);
    expect(await plans()).to.have.length(0);
  });

  it('a bad period is a clear 400 with the field named, not an empty page', async () => {
    const { agent } = await signIn(t.app, specialist.username, specialist.password);
    const res = await page(agent, '?from=2026-12-07&to=2026-11-01');
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('The start is after the end.');
    const long = await page(agent, '?from=2026-01-01&to=2026-12-07');
    expect(long.status).to.equal(400);
    expect(long.text).to.contain('At most 31 days at a time.');
  });

  it('an empty period says where working time comes from and what to do', async () => {
    const { agent } = await signIn(t.app, specialist.username, specialist.password);
    const res = await page(agent, '?from=2026-11-01&to=2026-11-02');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('No working time in this period');
    expect(res.text).to.contain('operator.state');
    expect(res.text).to.contain('No satisfaction scores in this period');
  });

  describe('shift plan upload (/worktime/plans)', () => {
    it('refuses a file without the required columns, naming them, and stores nothing', async () => {
      const { agent, csrf } = await signIn(t.app, specialist.username, specialist.password);
      const res = await upload(agent, await csrf(), 'operator,day,from\nWT-MINE,2026-12-07,08:00\n');
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('was not stored');
      expect(res.text).to.contain('The header lacks these columns: date, start, end.');
      expect(await plans()).to.have.length(0);
    });

    it('lists every bad row with its column, value and reason, and stores none of the file, good rows included', async () => {
      const { agent, csrf } = await signIn(t.app, supervisor.username, supervisor.password);
      const csv = [
        'operator_code;date;start;end',
        'WT-MINE;08.12.2026;08:00;20:00', // good
        'WT-NOBODY;2026-12-08;08:00;20:00',
        'WT-THEIRS;2026-12-08;08:00;20:00', // not the supervisor's team
        'WT-MINE;2026-13-40;08:00;20:00',
        'WT-MINE;2026-12-09;8.00;20:00',
        'WT-MINE;2026-12-10;08:00;08:30',
        'WT-MINE;2026-12-08;19:00;23:00', // overlaps row 2
      ].join('\r\n');
      const res = await upload(agent, await csrf(), `\uFEFF${csv}\r\n`);
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('Problems: 6, in rows: 6.');
      for (const msg of [
        'No operator has the employee code “WT-NOBODY”.',
        'The operator “WT-THEIRS” is not in one of your teams.',
        'Not a date: write YYYY-MM-DD or DD.MM.YYYY.',
        'Not a time: write HH:MM, from 00:00 to 23:59.',
        'The shift would last 0.5 hours; a shift lasts 1 to 16 hours.',
        'This shift of “WT-MINE” overlaps the one in row 2.',
      ])
        expect(res.text).to.contain(msg);
      expect(await plans()).to.have.length(0);
    });

    it('refuses what is not a UTF-8 CSV with a message saying what to do', async () => {
      const { agent, csrf } = await signIn(t.app, specialist.username, specialist.password);
      const cp1251 = Buffer.concat([Buffer.from('operator_code,date,start,end,note\nWT-MINE,2026-12-08,08:00,20:00,'), Buffer.from([0xcf, 0xf0, 0xe8, 0xec, 0xe5, 0xf0]), Buffer.from('\n')]);
      expect((await upload(agent, await csrf(), cp1251)).text).to.contain('The file is not in UTF-8');
      const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
      expect((await upload(agent, await csrf(), xlsx, 'plan.xlsx')).text).to.contain('This is an Excel workbook, not a CSV.');
      expect((await upload(agent, await csrf(), '')).text).to.contain('The file is empty.');
      expect((await upload(agent, await csrf(), 'operator_code,date,start,end\n')).text).to.contain('The file has a header but no shifts.');
      const none = await agent.post('/worktime/plans').field('_csrf', await csrf());
      expect(none.status).to.equal(400);
      expect(none.text).to.contain('Choose a CSV file.');
      expect(await plans()).to.have.length(0);
    });

    it('refuses an upload without a CSRF token and stores nothing', async () => {
      const { agent } = await signIn(t.app, specialist.username, specialist.password);
      const res = await agent.post('/worktime/plans').attach('file', Buffer.from('operator_code,date,start,end\nWT-MINE,2026-12-07,08:00,20:00\n'), 'plan.csv');
      expect(res.status).to.equal(403);
      expect(await plans()).to.have.length(0);
    });

    it('stores a good plan in Tashkent time (a night shift ends the next morning), audits it, and adherence appears on the page', async () => {
      const { agent, csrf } = await signIn(t.app, specialist.username, specialist.password);
      const csv = 'Operator Code,Date,Start,End,Comment\nWT-MINE,07.12.2026,08:00,20:00,kunduzgi\nWT-THEIRS,2026-12-07,20:00,08:00,tungi\n';
      const res = await upload(agent, await csrf(), csv);
      expect(res.status, res.text.slice(0, 500)).to.equal(303);
      expect(res.headers.location).to.equal('/worktime/plans');
      const list = await agent.get('/worktime/plans');
      expect(list.text).to.contain('shifts stored: 2, from');
      expect(list.text).to.contain('These columns are not part of the format and were ignored: Comment.');
      expect((await plans()).map((r) => ({ ...r, operator_id: Number(r.operator_id) }))).to.deep.equal([
        { operator_id: mine, starts_at: '2026-12-07T03:00:00.000Z', ends_at: '2026-12-07T15:00:00.000Z', shift_date: '2026-12-07' },
        { operator_id: theirs, starts_at: '2026-12-07T15:00:00.000Z', ends_at: '2026-12-08T03:00:00.000Z', shift_date: '2026-12-07' },
      ]);
      const audit = await t.db('audit_log').where({ action: 'shiftPlan.import' }).first();
      expect(JSON.parse(audit.details)).to.include({ shifts: 2, added: 2, replaced: 0 });
      // 08:00–14:00 planned so far, signed in from 08:20: 5:40 of 6:00 = 94.4 %.
      const wt = await page(agent);
      expect(wt.text).to.contain('94.4%');
      expect(wt.text).to.contain('08:00–20:00');
      expect(wt.text).not.to.contain('No shift plan covers this period');
    });

    it('a shift with the same operator and start replaces the stored one; one overlapping it with another start is refused', async () => {
      const { agent, csrf } = await signIn(t.app, specialist.username, specialist.password);
      const replaced = await upload(agent, await csrf(), 'operator_code,date,start,end\nWT-MINE,2026-12-07,08:00,19:00\n');
      expect(replaced.status).to.equal(303);
      expect((await agent.get('/worktime/plans')).text).to.contain('(new: 0, replaced: 1)');
      const clash = await upload(agent, await csrf(), 'operator_code,date,start,end\nWT-MINE,2026-12-07,12:00,22:00\n');
      expect(clash.status).to.equal(400);
      expect(clash.text).to.contain('overlaps the stored shift 07.12.2026 08:00–19:00');
      const stored = await t.db('shift_plans').where({ operator_id: mine }).select('starts_at', 'ends_at');
      expect(stored).to.deep.equal([{ starts_at: '2026-12-07T03:00:00.000Z', ends_at: '2026-12-07T14:00:00.000Z' }]);
    });

    it('the template is itself a valid plan for the uploader’s operators', async () => {
      const { agent, csrf } = await signIn(t.app, supervisor.username, supervisor.password);
      const tpl = await agent.get('/worktime/plans/template.csv');
      expect(tpl.status).to.equal(200);
      expect(tpl.headers['content-type']).to.match(/text\/csv/);
      expect(tpl.text).to.contain('operator_code;date;start;end');
      expect(tpl.text).to.contain('WT-MINE;08.12.2026;08:00;20:00');
      const res = await upload(agent, await csrf(), tpl.text);
      expect(res.status).to.equal(303);
      const stored = await t.db('shift_plans').where({ operator_id: mine }).where('starts_at', '>=', '2026-12-08T00:00:00.000Z').orderBy('starts_at').pluck('starts_at');
      expect(stored).to.deep.equal(['2026-12-08T03:00:00.000Z', '2026-12-09T15:00:00.000Z']);
    });
  });
});
