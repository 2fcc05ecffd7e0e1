import { expect } from 'chai';
import { duePeriod, isoWeekday, nextSendDay, scheduleKey, type DigestSchedule } from '../../../src/features/digests/digest-schedule';
import { buildDigestContent, recordingLink, type DigestErrorRow } from '../../../src/features/digests/digest-content';
import { composeDigestEmail } from '../../../src/features/digests/digest-render';
import { parseScope } from '../../../src/features/digests/digests.schema';

// Tashkent is UTC+5: 03:30Z is 08:30 there.
const at = (iso: string) => new Date(iso);
const daily: DigestSchedule = { userId: 5, frequency: 'daily', weekday: null, sendTime: '08:30', isActive: true };
const weekly: DigestSchedule = { userId: 5, frequency: 'weekly', weekday: 1, sendTime: '09:00', isActive: true };

describe('digest schedules', () => {
  it('a daily digest is due from its Tashkent time until midnight and covers yesterday', () => {
    expect(duePeriod(daily, at('2026-05-12T03:29:59Z'))).to.equal(null);
    expect(duePeriod(daily, at('2026-05-12T03:30:00Z'))).to.deep.equal({ periodStart: '2026-05-11', periodEnd: '2026-05-11' });
    expect(duePeriod(daily, at('2026-05-12T18:59:00Z'))).to.deep.equal({ periodStart: '2026-05-11', periodEnd: '2026-05-11' });
    // 19:00Z is already the next day in Tashkent, before 08:30 there.
    expect(duePeriod(daily, at('2026-05-12T19:00:00Z'))).to.equal(null);
  });

  it('a weekly digest is due on its weekday only and covers the seven days up to yesterday', () => {
    expect(isoWeekday('2026-05-18')).to.equal(1);
    expect(isoWeekday('2026-05-17')).to.equal(7);
    expect(duePeriod(weekly, at('2026-05-17T05:00:00Z'))).to.equal(null);
    expect(duePeriod(weekly, at('2026-05-18T04:00:00Z'))).to.deep.equal({ periodStart: '2026-05-11', periodEnd: '2026-05-17' });
  });

  it('an inactive schedule is never due; the key is one per supervisor and period end', () => {
    expect(duePeriod({ ...daily, isActive: false }, at('2026-05-12T10:00:00Z'))).to.equal(null);
    expect(scheduleKey(5, '2026-05-11')).to.equal('digest:5:2026-05-11');
  });

  it('tells the next day it will send', () => {
    expect(nextSendDay(daily, at('2026-05-12T03:00:00Z'))).to.equal('2026-05-12');
    expect(nextSendDay(daily, at('2026-05-12T04:00:00Z'))).to.equal('2026-05-13');
    expect(nextSendDay(weekly, at('2026-05-12T04:00:00Z'))).to.equal('2026-05-18');
    expect(nextSendDay({ ...weekly, isActive: false }, at('2026-05-12T04:00:00Z'))).to.equal(null);
  });
});

describe('digest content', () => {
  const row = (o: Partial<DigestErrorRow>): DigestErrorRow => ({
    id: 1, evaluationId: 10, callId: 100, callStartedAt: '2026-05-04T05:00:00Z', operatorId: 1, operatorName: 'A', operatorCode: 'OP-1', teamName: 'T',
    errorDate: '2026-05-04', criterionCode: 'INFO-2', criterionText: { uz: 'Manzil', ru: 'Адрес', en: 'Location' }, category: 'information', severity: 'major',
    comment: null, atSec: null, status: 'new', ...o,
  });
  const base = { scope: { type: 'supervisor' as const, id: 5, name: 'Bobur Aliyev' }, periodStart: '2026-05-01', periodEnd: '2026-05-07', preparedBy: null, recipientName: 'Bobur Aliyev', generatedAt: '2026-05-08T03:00:00Z', appBaseUrl: 'https://sifat.uz/' };

  it('links open the evaluation at the whole second of the error', () => {
    expect(recordingLink('https://sifat.uz/', 10, 83.9)).to.equal('https://sifat.uz/evaluations/10?t=83');
    expect(recordingLink('https://sifat.uz', 10, null)).to.equal('https://sifat.uz/evaluations/10');
  });

  it('groups errors by operator (most first), calls in time order, and counts categories and severities', () => {
    const c = buildDigestContent({
      ...base,
      evaluations: { count: 3, averageScore: 81.26, criticalFailures: 1 },
      errors: [
        row({ id: 1, operatorId: 2, operatorName: 'Zarina', severity: 'critical', category: 'routing', criterionCode: 'ROUTE-1' }),
        row({ id: 2, callStartedAt: '2026-05-05T05:00:00Z', atSec: 12.4 }),
        row({ id: 3, callStartedAt: '2026-05-03T05:00:00Z', severity: 'minor' }),
      ],
    });
    expect(c.operators.map((o) => [o.name, o.errors.map((e) => e.id)])).to.deep.equal([['A', [3, 2]], ['Zarina', [1]]]);
    expect(c.operators[0].errors[1].link).to.equal('https://sifat.uz/evaluations/10?t=12');
    // Criterion texts are kept once per code, not repeated on every error.
    expect(c.criteria).to.deep.equal({ 'INFO-2': { uz: 'Manzil', ru: 'Адрес', en: 'Location' }, 'ROUTE-1': { uz: 'Manzil', ru: 'Адрес', en: 'Location' } });
    expect(c.operators[0].errors[0]).not.to.have.property('criterionText');
    expect(c.summary).to.deep.equal({
      evaluations: 3, averageScore: 81.3, criticalFailures: 1, errors: 3, operatorsWithErrors: 2,
      byCategory: [{ category: 'information', count: 2 }, { category: 'routing', count: 1 }],
      bySeverity: { minor: 1, major: 1, critical: 1 },
    });
  });

  it('an empty period is a digest with no errors, and its e-mail says so in the recipient\'s language', () => {
    const c = buildDigestContent({ ...base, evaluations: { count: 0, averageScore: null, criticalFailures: 0 }, errors: [] });
    expect(c.operators).to.deep.equal([]);
    expect(c.summary.errors).to.equal(0);
    const uz = composeDigestEmail(c, 'uz', 'https://sifat.uz/digests/1');
    expect(uz.text).to.contain('Bu davrda xato qayd etilmagan.');
    expect(uz.text).to.contain("O'rtacha baho: —");
    const ru = composeDigestEmail(c, 'ru', 'https://sifat.uz/digests/1');
    expect(ru.subject).to.match(/^Справка: Смены: Bobur Aliyev/);
    expect(ru.text).to.contain('За этот период ошибок не зафиксировано.');
  });
});

describe('digest scope from the form', () => {
  it('reads supervisor:<id>, team:<id> and centre, and nothing else', () => {
    expect(parseScope('supervisor:12')).to.deep.equal({ type: 'supervisor', id: 12 });
    expect(parseScope('team:3')).to.deep.equal({ type: 'team', id: 3 });
    expect(parseScope('centre')).to.deep.equal({ type: 'centre', id: null });
    for (const bad of ['supervisor:', 'team:x', 'region:1', '', undefined, 'supervisor:1;drop']) expect(parseScope(bad)).to.equal(null);
  });
});
