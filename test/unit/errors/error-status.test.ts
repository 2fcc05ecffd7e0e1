import { expect } from 'chai';
import fc from 'fast-check';
import { decideTransition, nextTransition, isOverdue, ERROR_STATUSES, ERROR_TRANSITIONS, type ErrorStatus } from '../../../src/features/errors/error-status';

describe('error follow-up state machine', () => {
  it('allows exactly new → acknowledged → action_recorded → closed', () => {
    expect(decideTransition('new', 'acknowledge')).to.deep.equal({ ok: true, to: 'acknowledged' });
    expect(decideTransition('acknowledged', 'recordAction')).to.deep.equal({ ok: true, to: 'action_recorded' });
    expect(decideTransition('action_recorded', 'close')).to.deep.equal({ ok: true, to: 'closed' });
  });

  it('refuses every other pair of status and step, naming the rule', () => {
    const allowed = new Set(['new/acknowledge', 'acknowledged/recordAction', 'action_recorded/close']);
    for (const s of ERROR_STATUSES) {
      for (const tr of ERROR_TRANSITIONS) {
        const d = decideTransition(s, tr);
        expect(d.ok, `${s}/${tr}`).to.equal(allowed.has(`${s}/${tr}`));
        if (!d.ok) expect(d.key).to.equal('errors.transition.notAllowed');
      }
    }
  });

  it('a voided error takes no step at all, and an unknown status is reported', () => {
    for (const tr of ERROR_TRANSITIONS) expect(decideTransition('new', tr, true)).to.deep.equal({ ok: false, key: 'errors.transition.voided' });
    expect(decideTransition('archived', 'close')).to.include({ ok: false, key: 'errors.transition.unknownStatus' });
    expect(nextTransition('new', true)).to.equal(null);
  });

  it('whatever steps are tried, the status only ever moves one place forward and never back', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...ERROR_TRANSITIONS), { maxLength: 20 }), (steps) => {
      let status: ErrorStatus = 'new';
      for (const step of steps) {
        const d = decideTransition(status, step);
        if (!d.ok) continue;
        expect(ERROR_STATUSES.indexOf(d.to)).to.equal(ERROR_STATUSES.indexOf(status) + 1);
        status = d.to;
      }
      // Following nextTransition from any status always reaches "closed".
      let s: ErrorStatus = status;
      for (let i = 0; i < 4 && nextTransition(s); i++) {
        const d = decideTransition(s, nextTransition(s)!);
        if (d.ok) s = d.to;
      }
      expect(s).to.equal('closed');
    }));
  });

  it('an action is overdue only after its due day, only while recorded and not closed', () => {
    expect(isOverdue({ status: 'action_recorded', actionDue: '2026-04-09' }, '2026-04-10')).to.equal(true);
    expect(isOverdue({ status: 'action_recorded', actionDue: '2026-04-10' }, '2026-04-10')).to.equal(false);
    expect(isOverdue({ status: 'closed', actionDue: '2026-04-01' }, '2026-04-10')).to.equal(false);
    expect(isOverdue({ status: 'acknowledged', actionDue: null }, '2026-04-10')).to.equal(false);
    expect(isOverdue({ status: 'action_recorded', actionDue: '2026-04-01', voided: true }, '2026-04-10')).to.equal(false);
  });
});
