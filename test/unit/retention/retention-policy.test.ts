import { expect } from 'chai';
import { callClass, decideRecording, keepUntil, parsePolicyForm, shortestRetention, DEFAULT_RETENTION_DAYS, type CallFacts } from '../../../src/features/retention/retention.policy';

const now = new Date('2026-12-07T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
const call = (o: Partial<CallFacts> = {}): CallFacts => ({ callId: 1, externalId: 'X-1', startedAt: daysAgo(100), evaluated: false, flagged: false, inTraining: false, held: false, ...o });
const policies = { not_evaluated: 90, evaluated: 365, flagged: 1825, training: null };

describe('retention policy (pure)', () => {
  it('puts a call in the highest class that applies', () => {
    expect(callClass({ evaluated: false, flagged: false, inTraining: false })).to.equal('not_evaluated');
    expect(callClass({ evaluated: true, flagged: false, inTraining: false })).to.equal('evaluated');
    expect(callClass({ evaluated: true, flagged: true, inTraining: false })).to.equal('flagged');
    expect(callClass({ evaluated: true, flagged: true, inTraining: true })).to.equal('training');
  });

  it('deletes a recording once its call is past its class period, naming the policy', () => {
    expect(decideRecording([call()], policies, now)).to.deep.equal({ action: 'purge', callClass: 'not_evaluated', days: 90, dueAt: keepUntil(daysAgo(100), 90) });
    expect(decideRecording([call({ startedAt: daysAgo(80) })], policies, now)).to.include({ action: 'keep', reason: 'notDue' });
    expect(decideRecording([call({ evaluated: true })], policies, now)).to.include({ action: 'keep', reason: 'notDue', callClass: 'evaluated' });
  });

  it('keeps a recording shared by several calls as long as the call that keeps it longest', () => {
    const d = decideRecording([call({ callId: 1 }), call({ callId: 2, startedAt: daysAgo(10) })], policies, now);
    expect(d).to.include({ action: 'keep', reason: 'notDue', callClass: 'not_evaluated' });
    expect(d.dueAt).to.equal(keepUntil(daysAgo(10), 90));
    expect(decideRecording([call({ callId: 1 }), call({ callId: 2, startedAt: daysAgo(370), evaluated: true })], policies, now)).to.include({ action: 'purge', callClass: 'evaluated', days: 365 });
  });

  it('a legal hold on any of the calls keeps it; "for ever" keeps it; no calls keeps it', () => {
    expect(decideRecording([call(), call({ callId: 2, held: true })], policies, now)).to.deep.include({ action: 'keep', reason: 'held', heldCallIds: [2] });
    expect(decideRecording([call({ inTraining: true, startedAt: daysAgo(9999) })], policies, now)).to.include({ action: 'keep', reason: 'forever' });
    expect(decideRecording([], policies, now)).to.include({ action: 'keep', reason: 'noCalls' });
  });

  it('the shortest period bounds which calls can be due at all', () => {
    expect(shortestRetention(policies)).to.equal(90);
    expect(shortestRetention({ not_evaluated: null, evaluated: null, flagged: null, training: null })).to.equal(null);
  });

  it('reads the form: whole days, empty for ever, and a higher class never shorter than a lower one', () => {
    expect(parsePolicyForm({ not_evaluated: '31', evaluated: '365', flagged: '', training: '' })).to.deep.equal({ ok: true, policies: { not_evaluated: 31, evaluated: 365, flagged: null, training: null } });
    const bad = parsePolicyForm({ not_evaluated: '0', evaluated: '1.5', flagged: 'x', training: ['1'] });
    expect(bad.ok).to.equal(false);
    expect(!bad.ok && bad.fields.map((f) => f.field)).to.deep.equal(['not_evaluated', 'evaluated', 'flagged', 'training']);
    const inverted = parsePolicyForm({ not_evaluated: '365', evaluated: '90', flagged: '3650', training: '' });
    expect(!inverted.ok && inverted.fields).to.deep.equal([{ field: 'evaluated', key: 'retention.policies.shorterThanLower', params: { lower: 'not_evaluated' } }]);
    expect(parsePolicyForm({ not_evaluated: '', evaluated: '30' }).ok).to.equal(false); // for ever below a limited class
    expect(parsePolicyForm(Object.fromEntries(Object.entries(DEFAULT_RETENTION_DAYS).map(([k, v]) => [k, String(v)]))).ok).to.equal(true);
  });
});
