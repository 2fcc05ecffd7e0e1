// The sign-in limit holds when attempts arrive together; names and file names are stored in one
// Unicode form and refused, with a clear message, when they carry invisible control characters.
import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, csrfFrom, signIn, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';
import { mayAttempt } from '../../../src/auth/sign-in-limit';
import { textProblem } from '../../../src/http/text';
import { synthesizeCallWav } from '../../../src/features/media/synth';

describe('the sign-in limit under parallel attempts', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ config: { login: { maxFailures: 5, windowMinutes: 15 } } });
  });
  after(() => t.close());

  it('checks at most 5 passwords when 12 wrong ones arrive at once; the rest are throttled (429)', async () => {
    const u = await makeUser(t.db, { role: 'admin' });
    const agents = await Promise.all(Array.from({ length: 12 }, async () => {
      const agent = request.agent(t.app);
      return { agent, csrf: csrfFrom((await agent.get('/login')).text) };
    }));
    const answers = await Promise.all(agents.map(({ agent, csrf }, i) => agent.post('/login').type('form').send({ username: u.username, password: `wrong-${i}`, _csrf: csrf })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).to.have.length(5);
    expect(statuses.filter((s) => s === 429)).to.have.length(7);
    expect(await t.db('audit_log').where({ action: 'auth.signInFailed', subject: u.username })).to.have.length(5);
    expect(await t.db('audit_log').where({ action: 'auth.signInThrottled', subject: u.username })).to.have.length(7);
    // Even the right password waits now.
    const late = request.agent(t.app);
    const token = csrfFrom((await late.get('/login')).text);
    const res = await late.post('/login').type('form').send({ username: u.username, password: u.password, _csrf: token });
    expect(res.status).to.equal(429);
  });

  it('successful sign-ins do not use up the limit', async () => {
    const u = await makeUser(t.db, { role: 'specialist' });
    for (let i = 0; i < 8; i++) await signIn(t.app, u.username, u.password);
  });

  it('mayAttempt counts per user name and per address', () => {
    expect(mayAttempt({ user: 4, address: 10 }, { perUser: 5, perAddress: 50 })).to.equal(true);
    expect(mayAttempt({ user: 5, address: 10 }, { perUser: 5, perAddress: 50 })).to.equal(false);
    expect(mayAttempt({ user: 0, address: 50 }, { perUser: 5, perAddress: 50 })).to.equal(false);
  });
});

describe('names and file names: NFC, and no bidi controls or NUL', function () {
  this.timeout(30_000);
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  before(async () => {
    t = await createTestApp();
    const a = await makeUser(t.db, { role: 'admin', language: 'en' });
    admin = await signIn(t.app, a.username, a.password);
  });
  after(() => t.close());

  // "Йўлдош" typed with combining marks (NFD): Й = И + U+0306, ў = у + U+0306.
  const decomposed = 'И\u0306у\u0306лдош Qo\u0301ziyev';

  it('a user created with a decomposed name is stored in NFC', async () => {
    const res = await admin.agent.post('/admin/users').type('form').send({ _csrf: await admin.csrf(), username: 'nfc.user', displayName: decomposed, role: 'specialist', language: 'uz', password: 'long-enough-password' });
    expect(res.status).to.equal(302);
    const row = await t.db('users').where({ username: 'nfc.user' }).first('display_name');
    expect(row.display_name).to.equal(decomposed.normalize('NFC'));
    expect(row.display_name).to.equal('Йўлдош Qóziyev');
  });

  const refused: [string, string, Record<string, string>][] = [
    ['a user with a right-to-left override in the name', '/admin/users', { username: 'bidi.user', displayName: 'Aziz \u202Evokirak', role: 'specialist', language: 'uz', password: 'long-enough-password' }],
    ['an operator with a bidi isolate in the name', '/admin/operators', { employeeCode: 'BIDI-1', fullName: 'Jasur \u2067Yusupov\u2069', teamId: '', category: 'A1', languages: 'uz' }],
    ['a team with a NUL in the name', '/admin/teams', { name: '3-smena\u0000', supervisorUserId: '' }],
    ['a rubric with a right-to-left mark in the name', '/rubrics', { name: 'Tibbiy \u200Fshakl', description: '', callCategory: '' }],
  ];
  for (const [what, url, fields] of refused) {
    it(`refuses ${what} with a clear message and stores nothing`, async () => {
      const tables = ['users', 'operators', 'teams', 'rubrics'];
      const before = await Promise.all(tables.map(async (x) => Number((await t.db(x).count({ n: '*' }).first())!.n)));
      const res = await admin.agent.post(url).type('form').send({ _csrf: await admin.csrf(), ...fields });
      expect(res.status).to.equal(400);
      expect(res.text).to.match(/invisible (text-direction|control) character/);
      const after = await Promise.all(tables.map(async (x) => Number((await t.db(x).count({ n: '*' }).first())!.n)));
      expect(after).to.deep.equal(before);
    });
  }

  it('refuses an upload whose file name hides its real extension with a bidi override', async () => {
    const before = Number((await t.db('recordings').count({ n: '*' }).first())!.n);
    const res = await admin.agent
      .post('/calls/upload')
      .set('accept', 'application/json')
      .field('_csrf', await admin.csrf())
      .attach('recording', synthesizeCallWav({ seed: 3, durationSec: 1 }), { filename: 'call-\u202Evaw.exe', contentType: 'audio/wav' });
    expect(res.status).to.equal(400);
    expect(res.body.error.fields[0].key).to.equal('uploads.badFileName');
    expect(res.body.error.fields[0].message).to.contain('invisible control or text-direction characters');
    expect(Number((await t.db('recordings').count({ n: '*' }).first())!.n)).to.equal(before);
  });

  it('textProblem tells NUL and controls from bidi characters, and lets tabs and new lines through', () => {
    expect(textProblem('a\u0000b')).to.equal('common.text.controlChar');
    expect(textProblem('a\u202Eb')).to.equal('common.text.bidiControl');
    expect(textProblem('line one\r\nline two\tend')).to.equal(null);
    expect(textProblem('Oʻzbekiston, Ташкент')).to.equal(null);
  });
});
