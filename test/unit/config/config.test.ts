import { expect } from 'chai';
import { loadConfig, ConfigError, parseDatabaseUrl } from '../../../src/config';

describe('configuration', () => {
  it('starts with defaults: SQLite in data/, demo mode on, port 3000', () => {
    const c = loadConfig({});
    expect(c.database.client).to.equal('sqlite');
    expect(c.demoMode).to.equal(true);
    expect(c.port).to.equal(3000);
    expect(c.scoreBands).to.deep.equal({ high: 90, compliant: 80, partial: 60 });
    expect(Object.isFrozen(c)).to.equal(true);
  });

  it('with a postgres DATABASE_URL, demo mode is off unless asked for', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sifat' }).demoMode).to.equal(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sifat', DEMO_MODE: 'true' }).demoMode).to.equal(true);
  });

  it('refuses a malformed DATABASE_URL with a message that names it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).to.throw(ConfigError, /DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://' })).to.throw(ConfigError, /DATABASE_URL/);
    expect(() => parseDatabaseUrl('sqlite:')).to.throw(ConfigError, /file name/);
  });

  it('refuses bad values and lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', SCORE_BANDS: '60,80,90', PLAN_DRAW_TIME: '25:00' });
      expect.fail('should have thrown');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).to.contain('PORT').and.contain('SCORE_BANDS').and.contain('PLAN_DRAW_TIME');
    }
  });

  it('requires a session secret in production, and never prints a database password', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(ConfigError, /SESSION_SECRET/);
    try {
      loadConfig({ DATABASE_URL: 'oracle://user:hunter2@host/db' });
    } catch (e) {
      expect((e as Error).message).not.to.contain('hunter2');
    }
  });
});
