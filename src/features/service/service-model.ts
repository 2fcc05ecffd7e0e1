// The Service page's figures, from a period's sums and the names behind their keys: the summary,
// the trend (by day, or by month over long periods), the monthly KPI sheet, hours, weekdays and
// the hour × weekday heatmap, the breakdowns by operator, team, region, category and language,
// the answer-time distribution, the card fields most often missing and the checks' pass rates.
// Pure: the caller passes the sums, the names and the translator.
import type { Language, Translate } from '../../i18n';
import { daysOf, periodDays } from '../../time';
import { CHECKS } from '../checks/catalog';
import type { CheckBinding } from '../checks/bindings';
import type { OperatorInfo, RegionRow as RegionInfo } from '../reports/reports.repository';
import { regionName } from '../reports/report-tables';
import { regroup, type PeriodSums, type StoredBuckets } from './day-sums';
import {
  ANSWER_BUCKETS, K, LAG_BUCKETS, addStoredBuckets, addVec, answerBucketBounds, denseHistogram, emptyVec, histogramMedian, histogramOfDense, kpisOf, lagBucketBounds, mergeHistograms,
  topShareMean, type Histogram, type Kpis, type TopMean, type Vec,
} from './kpi';

/** Named service-level targets: the share of calls to answer within a time. */
export const STANDARDS = {
  nena: [{ sec: 15, share: 0.9 }, { sec: 20, share: 0.95 }],
  nfpa: [{ sec: 10, share: 0.9 }],
} as const;
export type StandardName = keyof typeof STANDARDS;
export const STANDARD_NAMES = Object.keys(STANDARDS) as StandardName[];

/** APCO/NENA ANS 1.107.1: at least 2 % of calls reviewed at random. */
export const REVIEW_COVERAGE_TARGET = 0.02;
/** Periods up to this many days are shown day by day; longer ones month by month. */
export const DAILY_TREND_MAX_DAYS = 62;

export interface KpiRow {
  key: string;
  label: string;
  kpis: Kpis;
  /** EU 112: the average of the longest 10 % of answer times (only where a histogram exists) */
  longest?: TopMean | null;
  /** median review lag, seconds */
  lagMedianSec?: number | null;
  /** the operator's employee code and team (operator rows) */
  code?: string;
  teamName?: string | null;
}

export interface Target {
  sec: number;
  share: number;
  /** index of the threshold it applies to, or -1 when that threshold is not counted (SERVICE_ANSWER_SECONDS) */
  index: number;
}

export interface CheckRow {
  key: string;
  label: string;
  codes: string[];
  pass: number;
  fail: number;
  na: number;
  unknown: number;
  /** pass ÷ (pass + fail): N/A and "cannot tell" stay out */
  passRate: number | null;
}

export interface ServiceModel {
  period: { from: string; to: string; days: number };
  thresholds: number[];
  standard: StandardName;
  targets: Target[];
  callbackMinutes: number;
  teamScoped: boolean;
  /** false with a region, category or language filter: those parts keep no operator breakdown */
  operatorsShown: boolean;
  summary: KpiRow;
  granularity: 'day' | 'month';
  trend: KpiRow[];
  months: KpiRow[];
  hours: KpiRow[];
  weekdays: KpiRow[];
  /** [weekday][hour]: average answer time and answered calls with a time */
  heatmap: { avg: (number | null)[][]; n: number[][]; max: number | null };
  operators: KpiRow[];
  teams: KpiRow[];
  regions: KpiRow[];
  categories: KpiRow[];
  languages: KpiRow[];
  distribution: { label: string; n: number; share: number | null }[];
  missingFields: { field: string; label: string; n: number; share: number | null }[];
  checks: CheckRow[];
  /** nothing offered (and nothing waiting for facts) in the whole period */
  empty: boolean;
}

export interface ModelInput {
  sums: PeriodSums;
  period: { from: string; to: string };
  thresholds: readonly number[];
  callbackMinutes: number;
  standard: StandardName;
  teamScoped: boolean;
  operatorsShown: boolean;
  operators: ReadonlyMap<number, OperatorInfo>;
  teamNames: ReadonlyMap<number, string>;
  regions: readonly RegionInfo[];
  /** operators whose rows may be listed (a supervisor viewing the whole service: their own teams'); null = all */
  operatorTeamFilter: readonly number[] | null;
  bindings: readonly { key: string; binding: CheckBinding; codes: string[] }[];
  t: Translate;
  lang: Language;
}

/** The label of a check with its thresholds ("answered within 10 s and greeting within 3 s"). */
export function checkLabel(t: Translate, b: CheckBinding): string {
  return t(`checks.check.${b.check}`, { ...b.params });
}

const DISTRIBUTION_EDGES = [5, 10, 15, 20, 30, 60, 120];

function distributionOf(h: Histogram, t: Translate): ServiceModel['distribution'] {
  const counts = new Array<number>(DISTRIBUTION_EDGES.length + 1).fill(0);
  let total = 0;
  for (const [b, [n]] of h) {
    const hi = answerBucketBounds(b)[1];
    let i = DISTRIBUTION_EDGES.findIndex((edge) => hi <= edge);
    if (i < 0) i = DISTRIBUTION_EDGES.length;
    counts[i]! += n;
    total += n;
  }
  return counts.map((n, i) => ({
    label: i === 0 ? t('service.distribution.upTo', { sec: DISTRIBUTION_EDGES[0] }) : i === DISTRIBUTION_EDGES.length ? t('service.distribution.over', { sec: DISTRIBUTION_EDGES[i - 1] }) : t('service.distribution.range', { from: DISTRIBUTION_EDGES[i - 1], to: DISTRIBUTION_EDGES[i] }),
    n,
    share: total ? n / total : null,
  }));
}

// Formatters are made once per language and kind: building an Intl.DateTimeFormat costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Language, kind: 'month' | 'day'): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = formatters.get(key);
  if (!f) {
    const tag = lang === 'uz' ? 'uz-Latn-UZ' : lang === 'ru' ? 'ru-RU' : 'en-GB';
    f = new Intl.DateTimeFormat(tag, kind === 'month' ? { month: 'long', year: 'numeric', timeZone: 'UTC' } : { day: 'numeric', month: 'short', timeZone: 'UTC' });
    formatters.set(key, f);
  }
  return f;
}

function monthLabel(month: string, lang: Language): string {
  return formatter(lang, 'month').format(new Date(`${month}-01T00:00:00Z`));
}

function dayLabel(day: string, lang: Language): string {
  return formatter(lang, 'day').format(new Date(`${day}T00:00:00Z`));
}

export function buildServiceModel(input: ModelInput): ServiceModel {
  const { sums, t, lang } = input;
  const n = input.thresholds.length;
  const period = { ...input.period, days: periodDays(input.period) };
  const row = (key: string, label: string, v: Vec, extra: Partial<KpiRow> = {}): KpiRow => ({ key, label, kpis: kpisOf(v, n), ...extra });

  // Months: each month's days added up, with its own longest-10 % and median review lag.
  const monthVecs = new Map<string, { v: Vec; answers: Float64Array; lags: Float64Array }>();
  const allDays = daysOf(period);
  for (const day of allDays) {
    const month = day.slice(0, 7);
    let m = monthVecs.get(month);
    if (!m) monthVecs.set(month, (m = { v: emptyVec(), answers: denseHistogram(ANSWER_BUCKETS), lags: denseHistogram(LAG_BUCKETS) }));
    const v = sums.days.get(day);
    if (v) addVec(m.v, v);
    for (const rows of sums.dayAnswers.get(day) ?? []) addStoredBuckets(m.answers, rows);
    for (const rows of sums.dayLags.get(day) ?? []) addStoredBuckets(m.lags, rows);
  }
  const months = [...monthVecs].map(([month, m]) =>
    row(month, monthLabel(month, lang), m.v, { longest: topShareMean(histogramOfDense(m.answers), answerBucketBounds), lagMedianSec: histogramMedian(histogramOfDense(m.lags), lagBucketBounds) }),
  );
  const dayHistogram = (lists: readonly StoredBuckets[] | undefined): Histogram => {
    const h: Histogram = new Map();
    for (const rows of lists ?? []) mergeHistograms(h, rows);
    return h;
  };
  const granularity = period.days <= DAILY_TREND_MAX_DAYS ? 'day' : 'month';
  const trend =
    granularity === 'day'
      ? allDays.map((day) =>
          row(day, dayLabel(day, lang), sums.days.get(day) ?? emptyVec(), {
            longest: topShareMean(dayHistogram(sums.dayAnswers.get(day)), answerBucketBounds),
            lagMedianSec: histogramMedian(dayHistogram(sums.dayLags.get(day)), lagBucketBounds),
          }),
        )
      : months;

  // Hours (all weekdays added), weekdays (all hours added) and the heatmap between them.
  const hours = Array.from({ length: 24 }, (_, h) => {
    const v = emptyVec();
    for (let d = 0; d < 7; d++) addVec(v, sums.weekHours[d * 24 + h]!);
    return row(String(h), `${String(h).padStart(2, '0')}:00`, v);
  });
  const weekdays = Array.from({ length: 7 }, (_, d) => {
    const v = emptyVec();
    for (let h = 0; h < 24; h++) addVec(v, sums.weekHours[d * 24 + h]!);
    return row(String(d), t(`service.weekday.${d}`), v);
  });
  const avg: (number | null)[][] = [];
  const cnt: number[][] = [];
  let max: number | null = null;
  for (let d = 0; d < 7; d++) {
    avg.push([]);
    cnt.push([]);
    for (let h = 0; h < 24; h++) {
      const k = kpisOf(sums.weekHours[d * 24 + h]!, n);
      avg[d]!.push(k.avgAnswerSec);
      cnt[d]!.push(sums.weekHours[d * 24 + h]![K.delayN] ?? 0);
      if (k.avgAnswerSec !== null) max = Math.max(max ?? 0, k.avgAnswerSec);
    }
  }

  // Operators, and teams from the operators' current teams (calls nobody answered: the queue).
  const operators: KpiRow[] = [];
  for (const [id, v] of input.operatorsShown ? sums.operators : []) {
    if (id === null) continue;
    const info = input.operators.get(Number(id));
    if (input.operatorTeamFilter && !(info?.teamId != null && input.operatorTeamFilter.includes(info.teamId))) continue;
    operators.push(row(String(id), info?.name ?? `#${id}`, v, { code: info?.code ?? '', teamName: info?.teamName ?? null }));
  }
  operators.sort((a, b) => b.kpis.answered - a.kpis.answered || a.label.localeCompare(b.label));
  const byTeam = regroup(sums.operators, (id) => (id === null ? 'queue' : (input.operators.get(Number(id))?.teamId ?? null)));
  const teams = [...byTeam]
    .map(([id, v]) => row(String(id), id === 'queue' ? t('service.queue') : id === null ? t('reports.noTeam') : (input.teamNames.get(Number(id)) ?? `#${id}`), v))
    .sort((a, b) => (a.key === 'queue' ? 1 : b.key === 'queue' ? -1 : b.kpis.answered - a.kpis.answered));

  const regionById = new Map(input.regions.map((r) => [r.id, r]));
  const keyed = (m: ReadonlyMap<number | string | null, Vec>, label: (k: number | string | null) => string) =>
    [...m].map(([k, v]) => row(String(k), label(k), v)).sort((a, b) => b.kpis.offered - a.kpis.offered || a.label.localeCompare(b.label));
  const regions = keyed(sums.regions, (k) => (k === null ? t('reports.noRegion') : regionName(regionById.get(Number(k)), lang, t)));
  const categories = keyed(sums.categories, (k) => (k === null ? t('service.none') : t(`calls.category.${k}`, { defaultValue: String(k) })));
  const languages = keyed(sums.languages, (k) => (k === null ? t('service.none') : t(`calls.language.${k}`, { defaultValue: String(k) })));

  const summaryKpis = kpisOf(sums.total, n);
  const missingFields = [...sums.missingFields]
    .map(([field, cnt2]) => ({ field, label: t(`calls.card.field.${field}`, { defaultValue: field }), n: cnt2, share: summaryKpis.cardPresent ? cnt2 / summaryKpis.cardPresent : null }))
    .sort((a, b) => b.n - a.n || a.field.localeCompare(b.field));

  const checks: CheckRow[] = input.bindings.map((b) => {
    const [pass, fail, na, unknown] = sums.checks.get(b.key) ?? [0, 0, 0, 0];
    return { key: b.key, label: checkLabel(t, b.binding), codes: b.codes, pass, fail, na, unknown, passRate: pass + fail ? pass / (pass + fail) : null };
  });

  const targets: Target[] = STANDARDS[input.standard].map((x) => ({ sec: x.sec, share: x.share, index: input.thresholds.indexOf(x.sec) }));
  return {
    period,
    thresholds: [...input.thresholds],
    standard: input.standard,
    targets,
    callbackMinutes: input.callbackMinutes,
    teamScoped: input.teamScoped,
    operatorsShown: input.operatorsShown,
    summary: row('total', t('service.total'), sums.total, { longest: topShareMean(histogramOfDense(sums.answers), answerBucketBounds), lagMedianSec: histogramMedian(histogramOfDense(sums.lags), lagBucketBounds) }),
    granularity,
    trend,
    months,
    hours,
    weekdays,
    heatmap: { avg, n: cnt, max },
    operators,
    teams,
    regions,
    categories,
    languages,
    distribution: distributionOf(histogramOfDense(sums.answers), t),
    missingFields,
    checks,
    empty: summaryKpis.offered === 0 && summaryKpis.noFacts === 0,
  };
}

/** Every check parameter name the labels use, for the locale test. */
export const CHECK_PARAM_NAMES = [...new Set(Object.values(CHECKS).flatMap((c) => c.params.map((p) => p.name)))];
