import { expect } from 'chai';
import { createTestApp, TestApp, signIn } from '../../helpers/app';
import { makeUser } from '../../helpers/builders';

describe('the language switch', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('the interface is in Uzbek by default, and switching to Russian is remembered for the user', async () => {
    const u = await makeUser(t.db, { role: 'specialist', language: 'uz' });
    const { agent, csrf } = await signIn(t.app, u.username, u.password);
    expect((await agent.get('/')).text).to.contain('Bosh sahifa');
    const res = await agent.post('/language').type('form').send({ _csrf: await csrf(), language: 'ru', back: '/' });
    expect(res.status).to.equal(302);
    expect((await agent.get('/')).text).to.contain('Главная');
    const row = await t.db('users').where({ id: u.id }).first('language');
    expect(row.language).to.equal('ru');
    // a new session of the same user starts in Russian too
    const again = await signIn(t.app, u.username, u.password);
    expect((await again.agent.get('/')).text).to.contain('Главная');
  });

  it('offers Uzbek in Cyrillic as a fourth language: the switch shows it, the choice is kept and pages read in Cyrillic', async () => {
    const u = await makeUser(t.db, { role: 'specialist', language: 'uz' });
    const { agent, csrf } = await signIn(t.app, u.username, u.password);
    const home = await agent.get('/');
    expect(home.text).to.contain('value="uz-Cyrl"').and.contain('Ўзбекча');
    await agent.post('/language').type('form').send({ _csrf: await csrf(), language: 'uz-Cyrl', back: '/' });
    expect((await t.db('users').where({ id: u.id }).first('language')).language).to.equal('uz-Cyrl');
    const page = await agent.get('/');
    expect(page.text).to.contain('<html lang="uz-Cyrl">').and.contain('Бош саҳифа').and.not.contain('Bosh sahifa');
    // The other languages are still offered in their own script.
    expect(page.text).to.contain("O&#39;zbekcha").and.contain('Русский').and.contain('English');
  });

  it('an unknown language code is a clear 400 and the language stays as it was', async () => {
    const u = await makeUser(t.db, { role: 'specialist', language: 'en' });
    const { agent, csrf } = await signIn(t.app, u.username, u.password);
    const res = await agent.post('/language').type('form').send({ _csrf: await csrf(), language: 'xx' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Unknown language');
    expect((await t.db('users').where({ id: u.id }).first('language')).language).to.equal('en');
  });

  it('before signing in, the sign-in page can be switched to English', async () => {
    const request = (await import('supertest')).default;
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    expect(page.text).to.contain('Tizimga kirish');
    const token = /name="csrf-token" content="([^"]+)"/.exec(page.text)![1];
    await agent.post('/language').type('form').send({ _csrf: token, language: 'en', back: '/login' });
    expect((await agent.get('/login')).text).to.contain('Sign in');
  });
});
