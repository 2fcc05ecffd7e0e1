import { expect } from 'chai';
import { createTestApp, type TestApp } from '../../helpers/app';
import { seedOrganisation } from '../../../src/features/users/users.seed';
import { seedCalls, SEED_DAYS, SEED_PREPARED, SEED_RECORDING_POOL } from '../../../src/features/calls/calls.seed';
import { CATEGORY_SERVICES, type CallCategory } from '../../../src/features/calls/calls.model';
import { addDays, tashkentDate } from '../../../src/time';
import { storedFiles } from './calls-fixtures';

describe('the demo calls (calls feature seed)', function () {
  this.timeout(60_000);
  let t: TestApp;
  const now = new Date('2026-11-25T09:30:00Z'); // 14:30 in Tashkent
  before(async () => {
    t = await createTestApp({ clock: () => now });
    const ctx = { ...t, log: () => undefined };
    await seedOrganisation(ctx);
    await seedCalls(ctx);
  });
  after(() => t.close());

  it('spreads a few hundred calls over two weeks of Tashkent days ending today, none in the future', async () => {
    const calls = await t.db('calls').select('started_at', 'call_date', 'operator_id', 'region_id', 'recording_id');
    expect(calls.length).to.be.within(330, 420);
    const today = tashkentDate(now);
    const days = new Set(calls.map((c) => c.call_date));
    expect([...days].sort()[0]).to.equal(addDays(today, -(SEED_DAYS - 1)));
    expect(days.has(today)).to.equal(true);
    expect(calls.every((c) => c.started_at <= now.toISOString() && c.call_date === tashkentDate(c.started_at))).to.equal(true);
    expect(new Set(calls.map((c) => c.operator_id)).size).to.be.greaterThan(15);
    expect(new Set(calls.map((c) => c.region_id)).size).to.be.greaterThan(10);
    expect(calls.every((c) => c.recording_id)).to.equal(true);
  });

  it('is mostly Uzbek, with some Russian, a few Karakalpak and a sign-language video call', async () => {
    const rows = (await t.db('calls').select('language').count({ n: '*' }).groupBy('language')) as { language: string; n: unknown }[];
    const by = Object.fromEntries(rows.map((r) => [r.language, Number(r.n)]));
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    expect(by.uz! / total).to.be.above(0.55);
    expect(by.ru).to.be.above(10);
    expect(by.kaa).to.be.above(0);
    expect(await t.db('calls').where({ language: 'sign', channel: 'video' })).to.have.length.within(1, 2);
  });

  it('routes each call to the services its category calls for', async () => {
    const rows = await t.db('calls').select('category', 'services');
    for (const r of rows) {
      const got = String(r.services ?? '').split(',').filter(Boolean);
      const expected = CATEGORY_SERVICES[r.category as CallCategory];
      expect(expected.every((s) => got.includes(s)), `${r.category}: ${r.services}`).to.equal(true);
      expect(got.every((s) => expected.includes(s as never) || s === '101'), `${r.category}: ${r.services}`).to.equal(true);
    }
    expect(rows.some((r) => r.category === 'domestic_violence' && String(r.services).includes('1146'))).to.equal(true);
  });

  it('drops about 8% of calls, and calls most of them back', async () => {
    const originals = await t.db('calls').whereNull('callback_of_call_id');
    const dropped = originals.filter((c) => c.dropped === true || c.dropped === 1);
    expect(dropped.length / originals.length).to.be.within(0.04, 0.14);
    const callbacks = await t.db('calls').whereNotNull('callback_of_call_id');
    expect(callbacks.length).to.be.at.least(dropped.length - 2);
    const droppedIds = new Set(dropped.map((d) => d.id));
    expect(callbacks.every((c) => droppedIds.has(c.callback_of_call_id))).to.equal(true);
  });

  it('shares a small pool of recordings between the calls, and prepares a handful right away', async () => {
    const recs = await t.db('recordings').where({ has_video: false }).select('id', 'status', 'duration_sec', 'channels', 'peaks_key');
    expect(recs).to.have.length(SEED_RECORDING_POOL);
    expect(recs.every((r) => r.duration_sec >= 25 && r.duration_sec <= 90 && r.channels === 2)).to.equal(true);
    const ready = recs.filter((r) => r.status === 'ready');
    expect(ready).to.have.length(SEED_PREPARED);
    const files = storedFiles(t.config.recordingsDir);
    // The pool's peaks, and those of the one video call with sound.
    expect(files.filter((f) => f.endsWith('.peaks.dat'))).to.have.length(SEED_PREPARED + 1);
    expect(files.filter((f) => /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(f))).to.have.length(SEED_RECORDING_POOL + 2);
    expect(await t.db('jobs').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0); // not through the queue
  });

  it('seeds the sign-language calls as prepared videos: one with sound in an MP4 Chrome needs an H.264 rendition of, one without sound and no waveform', async () => {
    const videos = await t.db('calls as c').join('recordings as r', 'r.id', 'c.recording_id').where({ 'c.language': 'sign', 'c.channel': 'video' })
      .select('r.status', 'r.has_video', 'r.channels', 'r.rendition_key', 'r.peaks_key', 'r.duration_sec', 'c.duration_sec as call_duration');
    expect(videos).to.have.length(2);
    expect(videos.every((v) => v.status === 'ready' && (v.has_video === true || v.has_video === 1))).to.equal(true);
    const withSound = videos.find((v) => v.channels === 2)!;
    const silent = videos.find((v) => v.channels === 0)!;
    expect(withSound.rendition_key).to.match(/\.mp4$/);
    expect(withSound.peaks_key).to.match(/\.peaks\.dat$/);
    expect(silent.peaks_key).to.equal(null);
    expect(silent.rendition_key).to.equal(null);
    for (const v of videos) expect(Number(v.duration_sec)).to.be.closeTo(Number(v.call_duration), 1);
  });

  it('gives calls a card, some of them missing mandatory fields', async () => {
    const cards = await t.db('call_cards').select('completeness', 'missing_fields');
    expect(cards.length).to.be.above(250);
    const incomplete = cards.filter((c) => Number(c.completeness) < 1);
    expect(incomplete.length).to.be.within(20, cards.length / 3);
    expect(incomplete.every((c) => JSON.parse(c.missing_fields).length > 0)).to.equal(true);
  });
});
