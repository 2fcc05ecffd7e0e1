import { expect } from 'chai';
import { DemoFloor, demoOnDuty } from '../../../src/features/events/demo-floor';
import { parseBatch } from '../../../src/features/events/events.schema';
import { shiftLocator } from '../../../src/features/worktime/worktime';

describe('the demo call floor', () => {
  const ops = Array.from({ length: 8 }, (_, i) => `OP-${101 + i}`);
  const from = Date.parse('2026-12-07T03:00:00.000Z'); // 08:00 Tashkent, a day shift begins
  const floor = new DemoFloor(ops, 42, { dayStart: '08:00', run: 'T', lightBefore: from + 6 * 3600000 });
  floor.plan(from, from + 26 * 3600000);
  const events = floor.due(Number.POSITIVE_INFINITY);

  it('sends only events the API accepts', () => {
    const parsed = parseBatch(events, events.length);
    expect(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors.slice(0, 3))).to.equal(true);
    expect(events.length).to.be.greaterThan(500);
  });

  it('operators sign in only for their rotation’s shifts and answer calls only while signed in and ready', () => {
    const slot = shiftLocator('08:00');
    const state = new Map<string, string>();
    let answered = 0;
    for (const e of events as { type: string; at: string; operatorCode?: string; state?: string }[]) {
      if (e.type === 'operator.state') {
        if (e.state === 'logged_in') {
          const s = slot(Date.parse(e.at) + 30 * 60000); // a little early still counts for the shift
          expect(demoOnDuty(ops.indexOf(e.operatorCode!), s.date, s.shift), `${e.operatorCode} at ${e.at}`).to.equal(true);
        }
        state.set(e.operatorCode!, e.state!);
      }
      if (e.type === 'call.answered') {
        expect(state.get(e.operatorCode!), `${e.operatorCode} at ${e.at}`).to.equal('ready');
        answered++;
      }
    }
    expect(answered).to.be.greaterThan(100);
  });

  it('every call offered ends, callbacks included, and only the live part dispatches services', () => {
    const ended = new Set(events.filter((e) => e.type === 'call.ended').map((e) => e.callId));
    for (const e of events.filter((x) => x.type === 'call.offered' || x.type === 'callback.attempted')) expect(ended.has(e.callId), String(e.callId)).to.equal(true);
    const dispatched = events.filter((e) => e.type === 'service.dispatched').map((e) => Date.parse(String(e.at)));
    expect(dispatched.length).to.be.greaterThan(0);
    expect(Math.min(...dispatched)).to.be.at.least(from + 6 * 3600000);
  });
});
