// The weekly report e-mail to leadership: off by default, each leadership or admin user opts in on
// the dashboard. Every Monday from 08:00 Tashkent time one job per subscriber is queued (dedupe key
// per week and user, so several instances or ticks still send one), and the job mails last week's
// headline figures with the week's workbook attached, through the shared mailer (src/mail).
import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import type { AppDeps } from '../../app-context';
import type { Role } from '../../auth/roles';
import { nowIso, num, toBool } from '../../db';
import { isLanguage, translator, type Language, type Translate, pickLocalized } from '../../i18n';
import { createMailer, isMailConfigured, sendOnce } from '../../mail';
import type { JobContext } from '../../jobs/queue';
import { addDays, tashkentClock, tashkentDate } from '../../time';
import { weekStart } from './aggregate';
import type { TableContext } from './report-tables';
import { aggregatesOnly, writeReportWorkbook } from './reports.export';
import { buildDashboard, resolveScope, type Dashboard } from './reports.service';

export const WEEKLY_JOB = 'reports.weekly';
/** Who may subscribe: the report covers every team, so supervisors (limited to theirs) do not. */
export const WEEKLY_ROLES: readonly Role[] = ['leadership', 'admin'];
export const WEEKLY_SEND_TIME = '08:00';

/** The week a Monday-morning run reports on: the Monday to Sunday before `today`. */
export function previousWeek(today: string): { from: string; to: string } {
  const from = addDays(weekStart(today), -7);
  return { from, to: addDays(from, 6) };
}

/** Whether a tick at this instant should queue the weekly jobs: Mondays, from the send time on. */
export function isWeeklySendTime(now: Date, sendTime = WEEKLY_SEND_TIME): boolean {
  const day = tashkentDate(now);
  return weekStart(day) === day && tashkentClock(now) >= sendTime;
}

const fmt1 = (v: number | null, lang: Language) => (v === null ? '—' : new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : lang === 'en' ? 'en-GB' : 'uz-Latn-UZ', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(v));

/** Subject, plain text and HTML of the weekly e-mail: aggregates only, no caller numbers, no audio. */
export function weeklyReportMessage(d: Dashboard, t: Translate, lang: Language, dashboardUrl: string): { subject: string; text: string; html: string } {
  const s = d.summary;
  const lines: [string, string][] = [
    [t('reports.summary.evaluations'), String(s.evaluations)],
    [t('reports.summary.meanScore'), `${fmt1(s.mean, lang)}${s.band ? ` (${t(`reports.band.${s.band}`)})` : ''}`],
    [t('reports.weekly.previousWeek'), fmt1(s.previousMean, lang)],
    [t('reports.summary.criticalFailures'), String(s.criticalFailures)],
    [t('reports.summary.errors'), String(s.errors)],
    [t('reports.summary.planShare'), s.planShare === null ? '—' : `${fmt1(s.planShare * 100, lang)}% (${s.plannedDone} / ${s.planned})`],
  ];
  const worst = d.criteria.filter((c) => c.failed > 0).slice(0, 3).map((c) => `${c.code} — ${pickLocalized(c.text, lang)} (${c.failed})`);
  const subject = t('reports.weekly.subject', { from: d.period.from, to: d.period.to });
  const intro = s.evaluations ? t('reports.weekly.intro', { from: d.period.from, to: d.period.to }) : t('reports.weekly.noData', { from: d.period.from, to: d.period.to });
  const text = [
    intro,
    '',
    ...lines.map(([k, v]) => `${k}: ${v}`),
    ...(worst.length ? ['', t('reports.weekly.worstCriteria'), ...worst.map((w) => `  - ${w}`)] : []),
    '',
    t('reports.weekly.attachment'),
    `${t('reports.weekly.open')}: ${dashboardUrl}`,
  ].join('\n');
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const html = [
    `<p>${esc(intro)}</p>`,
    '<table cellpadding="6" style="border-collapse:collapse;font-family:Segoe UI,Arial,sans-serif;font-size:14px">',
    ...lines.map(([k, v]) => `<tr><td style="color:#5d6b7a">${esc(k)}</td><td style="font-weight:600">${esc(v)}</td></tr>`),
    '</table>',
    ...(worst.length ? [`<p><strong>${esc(t('reports.weekly.worstCriteria'))}</strong></p><ul>${worst.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`] : []),
    `<p>${esc(t('reports.weekly.attachment'))}</p>`,
    `<p><a href="${esc(dashboardUrl)}">${esc(t('reports.weekly.open'))}</a></p>`,
  ].join('\n');
  return { subject, text, html };
}

// ---- subscriptions ----

export async function isSubscribed(db: Knex, userId: number): Promise<boolean> {
  const r = await db('report_subscriptions').where('user_id', userId).first('is_active');
  return r ? toBool(r.is_active) : false;
}

export async function setSubscribed(db: Knex, userId: number, on: boolean, clock: () => Date): Promise<void> {
  const now = nowIso(clock);
  const existing = await db('report_subscriptions').where('user_id', userId).first('id');
  if (existing) await db('report_subscriptions').where('id', existing.id).update({ is_active: on, updated_at: now });
  else await db('report_subscriptions').insert({ user_id: userId, is_active: on, created_at: now, updated_at: now });
}

async function activeSubscribers(db: Knex): Promise<number[]> {
  const rows = await db('report_subscriptions as s').join('users as u', 'u.id', 's.user_id').where('s.is_active', true).andWhere('u.is_active', true).whereIn('u.role', [...WEEKLY_ROLES]).whereNotNull('u.email').select('u.id');
  return rows.map((r) => Number(r.id));
}

/** The scheduler's tick: on Monday mornings, one job per subscriber for last week. Nothing without SMTP. */
export function weeklyTick(deps: AppDeps) {
  return async (now: Date): Promise<void> => {
    if (!isMailConfigured(deps.config) || !isWeeklySendTime(now)) return;
    const week = previousWeek(tashkentDate(now));
    for (const userId of await activeSubscribers(deps.db)) {
      await deps.jobs.enqueue(WEEKLY_JOB, { userId, from: week.from, to: week.to }, { dedupeKey: `reports:weekly:${week.from}:${userId}` });
    }
  };
}

/** The job: last week's figures for this user, mailed with the workbook attached. */
export async function sendWeeklyReport(deps: AppDeps, payload: { userId: number; from: string; to: string }, job?: Pick<JobContext, 'holder' | 'assertHeld'>): Promise<{ sent: boolean; reason?: string }> {
  const { db, config } = deps;
  const user = await db('users').where('id', payload.userId).first('id', 'role', 'email', 'language', 'is_active');
  if (!user || !toBool(user.is_active) || !user.email || !WEEKLY_ROLES.includes(user.role as Role)) return { sent: false, reason: 'recipient no longer eligible' };
  if (!(await isSubscribed(db, Number(user.id)))) return { sent: false, reason: 'unsubscribed' };
  const lang: Language = isLanguage(user.language) ? user.language : 'uz';
  const t = translator(lang);
  const viewer = { id: Number(user.id), role: user.role as Role };
  const resolved = await resolveScope(db, viewer, { from: payload.from, to: payload.to, teamId: null, regionId: null, category: null, language: null, sample: 'random' });
  const dashboard = await buildDashboard(db, resolved.scope, config.scoreBands);
  const ctx: TableContext = { t, lang, filters: resolved.filters, filterLabels: { team: null, region: null, category: null, language: null }, generatedAt: deps.clock(), bands: config.scoreBands };
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await writeReportWorkbook(db, resolved, ctx, sink, { bands: config.scoreBands, shiftDayStart: config.shiftDayStart, aggregatesOnly: aggregatesOnly(viewer.role) });
  const url = `${config.appBaseUrl}/reports?from=${payload.from}&to=${payload.to}`;
  const message = weeklyReportMessage(dashboard, t, lang, url);
  const mailer = createMailer(config);
  try {
    // Once per week and subscriber, even when the job runs again after a crash (src/mail/outbox.ts).
    const outcome = await sendOnce(db, { key: weeklyOutboxKey(payload.from, Number(user.id)), holder: job?.holder, assertHeld: job?.assertHeld, domain: new URL(config.appBaseUrl).hostname, clock: deps.clock }, (messageId) =>
      mailer.send({
        to: String(user.email),
        ...message,
        messageId,
        attachments: [{ filename: `sifat-report-${payload.from}_${payload.to}.xlsx`, content: Buffer.concat(chunks), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
      }),
    );
    return outcome.sent ? { sent: true } : { sent: false, reason: 'already sent' };
  } finally {
    mailer.close();
  }
}

/** The outbox key of one subscriber's weekly e-mail. */
export const weeklyOutboxKey = (weekFrom: string, userId: number) => `weekly:${weekFrom}:${userId}`;

export async function subscriberCount(db: Knex): Promise<number> {
  const r = await db('report_subscriptions').where('is_active', true).count({ n: '*' }).first();
  return num(r?.n);
}
