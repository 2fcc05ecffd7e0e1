// The only module that reads process.env. Everything is parsed, validated, typed and frozen here;
// a bad value stops the start with a message that names the variable.
import path from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';

export const ROOT_DIR = path.resolve(__dirname, '..');

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const positiveInt = z.coerce.number().int().positive();
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

/** Every setting, with its default. The README's settings table is generated from this list. */
export const SETTINGS = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']), default: 'development', doc: 'development, production or test' },
  PORT: { schema: z.coerce.number().int().min(0).max(65535), default: '3000', doc: 'HTTP port' },
  HOST: { schema: z.string().min(1), default: '0.0.0.0', doc: 'Address to listen on' },
  APP_BASE_URL: { schema: z.url(), default: 'http://localhost:3000', doc: 'Public address, used in links inside e-mails and digests' },
  DATABASE_URL: { schema: z.string().min(1), default: 'sqlite:data/sifat.db', doc: 'sqlite:<file> (embedded, default) or postgres://user@host:port/db' },
  TEST_DATABASE_URL: { schema: z.string().min(1), default: 'sqlite::memory:', doc: 'Database the test suite uses (sqlite::memory: or a postgres:// URL)' },
  DB_POOL_MAX: { schema: positiveInt, default: '10', doc: 'PostgreSQL connection pool size per app instance' },
  DEMO_MODE: { schema: bool, default: '', doc: 'Seed demo data into an empty database. Default: on with SQLite, off with PostgreSQL' },
  RECORDINGS_DIR: { schema: z.string().min(1), default: 'recordings', doc: 'Where recordings, renditions and peaks are stored (shared between instances)' },
  SESSION_SECRET: { schema: z.string().min(16, 'must be at least 16 characters'), default: '', doc: 'Secret for session cookies. Required in production; generated into data/ otherwise' },
  COOKIE_SECURE: { schema: z.enum(['auto', 'true', 'false']), default: 'auto', doc: 'Secure cookies: auto = when the request came over HTTPS' },
  TRUST_PROXY: { schema: bool, default: 'false', doc: 'Trust X-Forwarded-* from a reverse proxy' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'Log level (pino)' },
  LOGIN_MAX_FAILURES: { schema: positiveInt, default: '5', doc: 'Failed sign-ins allowed per user name and address within the window' },
  LOGIN_WINDOW_MINUTES: { schema: positiveInt, default: '15', doc: 'Window for counting failed sign-ins' },
  FFMPEG_PATH: { schema: z.string(), default: '', doc: 'ffmpeg binary. Default: system ffmpeg, else the one from @ffmpeg-installer' },
  FFPROBE_PATH: { schema: z.string(), default: '', doc: 'ffprobe binary. Default: system ffprobe, else the one from @ffprobe-installer' },
  MAX_UPLOAD_MB: { schema: positiveInt, default: '512', doc: 'Largest recording accepted, in MB' },
  MAX_RECORDING_MINUTES: { schema: positiveInt, default: '240', doc: 'Longest recording accepted, in minutes' },
  SILENCE_MIN_SECONDS: { schema: z.coerce.number().positive(), default: '3', doc: 'Silences at least this long are listed in the audio facts' },
  HOLD_MIN_SECONDS: { schema: z.coerce.number().positive(), default: '30', doc: 'A silence of both sides at least this long counts as a hold in the call facts' },
  JOB_CONCURRENCY: { schema: positiveInt, default: '2', doc: 'Media jobs run at once per instance' },
  JOBS_ENABLED: { schema: bool, default: 'true', doc: 'Run the job worker and scheduler in this instance (web instances of a national deployment: false, with `npm run worker` processes)' },
  JOB_LEASE_SECONDS: { schema: positiveInt, default: '120', doc: 'A running job not renewed for this long is taken back and run again (its instance crashed or froze)' },
  SHUTDOWN_GRACE_SECONDS: { schema: z.coerce.number().int().min(0), default: '25', doc: 'On SIGTERM, how long running jobs may finish before they are handed back to the queue' },
  METRICS_TOKEN: { schema: z.string().min(16, 'must be at least 16 characters'), default: '', doc: 'Bearer token for /metrics (Prometheus); with it, /metrics answers any address that sends it' },
  METRICS_ALLOW: { schema: z.string(), default: '127.0.0.1,::1', doc: 'Addresses or CIDR ranges allowed to read /metrics without the token (comma-separated; empty = none)' },
  MIN_HEARD_SHARE: { schema: z.coerce.number().min(0).max(1), default: '0.9', doc: 'Share of the audio a specialist must hear before submitting without confirmation' },
  SCORE_BANDS: { schema: z.string().regex(/^\d{1,3},\d{1,3},\d{1,3}$/, 'expected three numbers like 90,80,60'), default: '90,80,60', doc: 'Lower bounds of the high, compliant and partial bands' },
  PLAN_DRAW_TIME: { schema: clockTime, default: '07:00', doc: 'Asia/Tashkent time the daily plan is drawn' },
  RETENTION_PURGE_TIME: { schema: clockTime, default: '03:00', doc: 'Asia/Tashkent time the daily retention purge deletes recordings past their retention period' },
  SMTP_URL: { schema: z.string(), default: '', doc: 'smtp://user:pass@host:port for digests and reports; empty = in-app only' },
  SMTP_FROM: { schema: z.string(), default: 'Sifat <sifat@localhost>', doc: 'Sender of e-mails' },
  CI: { schema: bool, default: 'false', doc: 'Set by CI: browser tests fail (never skip) when Chromium is missing' },
  CHROMIUM_PATH: { schema: z.string().min(1), default: '/usr/lib/chromium/chromium', doc: 'Chromium for browser tests and the player benchmark' },
  DISPUTE_WINDOW_DAYS: { schema: positiveInt, default: '7', doc: 'Days after an evaluation during which its operator may dispute a criterion' },
  MAX_REPORT_DAYS: { schema: positiveInt, default: '366', doc: 'Longest period a report or export may cover' },
  REVIEW_TARGET_DAYS: { schema: positiveInt, default: '5', doc: 'Days after a call within which it should be reviewed (the dashboard\'s review-lag target; APCO/NENA ANS 1.107.1: 5)' },
  HIGH_ACUITY_CATEGORIES: { schema: z.string().regex(/^[a-z_]+(,[a-z_]+)*$/, 'expected call categories separated by commas'), default: 'suicide_risk,domestic_violence,fire,medical,road_accident,gas', doc: 'Call categories coverage expects to see reviewed every period (high-acuity events)' },
  SPECIALIST_RULES_APPLY: { schema: bool, default: 'false', doc: 'Plan rules a specialist proposes apply at once (audited) instead of waiting for a supervisor\'s or administrator\'s approval' },
  EVENTS_MAX_BATCH: { schema: positiveInt, default: '500', doc: 'Most call events one POST /api/v1/events may carry (more: 413)' },
  EVENTS_RATE_PER_SECOND: { schema: positiveInt, default: '100', doc: 'Event requests per second one API token may make, sustained (more: 429 with Retry-After)' },
  EVENTS_RATE_BURST: { schema: positiveInt, default: '300', doc: 'Event requests one API token may make at once before the rate applies' },
  EVENTS_HOLD_MINUTES: { schema: positiveInt, default: '15', doc: 'An event for a call not yet known is held; after this long it is listed as unmatched' },
  EVENTS_CLOCK_TOLERANCE_SECONDS: { schema: z.coerce.number().int().min(0), default: '5', doc: "A batch's sentAt further than this from the server clock corrects its events' times" },
  LIVE_DEMO_REPLAY: { schema: bool, default: '', doc: 'Replay a synthetic day of call events so the live board moves. Default: on in demo mode' },
  LIVE_POLL_MS: { schema: positiveInt, default: '1000', doc: 'How often the live board looks for new events where PostgreSQL LISTEN is not available (and on SQLite)' },
  LIVE_STALE_SECONDS: { schema: positiveInt, default: '120', doc: 'No event for this long: the live board says "no events since …"' },
  CALLBACK_WITHIN_MINUTES: { schema: positiveInt, default: '5', doc: 'A dropped call should be called back within this many minutes (at most 3 attempts)' },
  CARD_INCOMPLETE_MINUTES: { schema: positiveInt, default: '10', doc: 'The live board lists cards still incomplete this many minutes after their call ended' },
  LIVE_SERVICE_LEVEL_TARGET: { schema: z.coerce.number().min(0).max(100), default: '90', doc: 'Alert when the rolling share of calls answered within 10 s falls below this percentage' },
  LIVE_ABANDONED_ALERT_PERCENT: { schema: z.coerce.number().min(0).max(100), default: '10', doc: 'Alert when abandoned calls in the last 60 minutes exceed this percentage of offered calls' },
  LIVE_QUEUE_ALERT: { schema: positiveInt, default: '5', doc: 'Alert when this many calls wait to be answered' },
  FOLLOWUP_NO_OUTCOME_MINUTES: { schema: z.string().regex(/^(\s*(101|102|103|104|1146|other)\s*:\s*\d{1,5}\s*)(,\s*(101|102|103|104|1146|other)\s*:\s*\d{1,5}\s*)*$/, 'expected service:minutes pairs like 101:60,103:45'), default: '101:60,102:60,103:45,104:60,1146:120,other:240', doc: 'Per service: minutes after dispatch without an outcome before the call joins the follow-up worklist' },
  FOLLOWUP_DUE_MINUTES: { schema: positiveInt, default: '120', doc: 'A follow-up item is overdue this many minutes after it opened' },
  SHIFT_DAY_START: { schema: clockTime, default: '08:00', doc: 'Asia/Tashkent time the 12-hour day shift starts (the night shift starts 12 hours later)' },
  SERVICE_ANSWER_SECONDS: { schema: z.string().regex(/^\d{1,3}(,\d{1,3}){0,3}$/, 'expected up to four whole seconds like 10,15,20'), default: '10,15,20', doc: 'Answer-time thresholds (seconds, ascending, up to four) the Service page counts the service level at' },
  SERVICE_STANDARD: { schema: z.enum(['nena', 'nfpa']), default: 'nena', doc: 'Service-level targets the Service page draws by default: nena (90 % ≤ 15 s, 95 % ≤ 20 s) or nfpa (NFPA 1225: 90 % ≤ 10 s)' },
  SERVICE_CALLBACK_MINUTES: { schema: z.coerce.number().int().min(1).max(1440), default: '10', doc: 'A dropped call counts as called back when its caller is reached within this many minutes, in at most 3 attempts' },
} as const;

type SettingName = keyof typeof SETTINGS;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  appBaseUrl: string;
  database: { client: 'sqlite'; filename: string } | { client: 'pg'; connectionString: string };
  testDatabaseUrl: string;
  dbPoolMax: number;
  demoMode: boolean;
  recordingsDir: string;
  dataDir: string;
  sessionSecret: string | null;
  cookieSecure: 'auto' | boolean;
  trustProxy: boolean;
  logLevel: string;
  login: { maxFailures: number; windowMinutes: number };
  ffmpegPath: string | null;
  ffprobePath: string | null;
  maxUploadBytes: number;
  maxRecordingSeconds: number;
  silenceMinSeconds: number;
  holdMinSeconds: number;
  jobConcurrency: number;
  jobsEnabled: boolean;
  jobLeaseMs: number;
  shutdownGraceMs: number;
  metrics: { token: string | null; allow: string[] };
  minHeardShare: number;
  scoreBands: { high: number; compliant: number; partial: number };
  planDrawTime: string;
  retentionPurgeTime: string;
  smtpUrl: string | null;
  smtpFrom: string;
  maxReportDays: number;
  reviewTargetDays: number;
  highAcuityCategories: string[];
  specialistRulesApply: boolean;
  disputeWindowDays: number;
  /** The Service KPI page (src/features/service). */
  service: { answerSeconds: number[]; standard: 'nena' | 'nfpa'; callbackMinutes: number };
  /** bcrypt cost; tests lower it to stay fast */
  passwordHashRounds: number;
  ci: boolean;
  chromiumPath: string;
  timezone: 'Asia/Tashkent';
  events: { maxBatch: number; ratePerSecond: number; rateBurst: number; holdMinutes: number; clockToleranceSeconds: number };
  live: {
    demoReplay: boolean;
    pollMs: number;
    staleSeconds: number;
    callbackWithinMinutes: number;
    cardIncompleteMinutes: number;
    serviceLevelTarget: number;
    abandonedAlertPercent: number;
    queueAlert: number;
  };
  followups: { noOutcomeMinutes: Record<string, number>; dueMinutes: number };
  shiftDayStart: string;
}

export class ConfigError extends Error {}

/** Parses a DATABASE_URL into a knex client choice, or throws a ConfigError that says what is wrong. */
export function parseDatabaseUrl(url: string, name = 'DATABASE_URL'): Config['database'] {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!filename) throw new ConfigError(`${name}: sqlite URL needs a file name, e.g. sqlite:data/sifat.db`);
    return { client: 'sqlite', filename: filename === ':memory:' ? ':memory:' : path.resolve(ROOT_DIR, filename) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`${name}: not a valid postgres URL: ${redactUrl(url)}`);
    }
    if (!parsed.hostname) throw new ConfigError(`${name}: postgres URL has no host: ${redactUrl(url)}`);
    return { client: 'pg', connectionString: url };
  }
  throw new ConfigError(`${name}: must start with sqlite: or postgres:// (got "${redactUrl(url)}")`);
}

/** "101:60,103:45" → {101: 60, 103: 45}. Pure. */
export function parseServiceMinutes(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of v.split(',')) {
    const [k, m] = pair.split(':').map((x) => x.trim());
    if (k && m && /^\d+$/.test(m)) out[k] = Number(m);
  }
  return out;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Partial<Record<SettingName, unknown>> = {};
  const problems: string[] = [];
  for (const [name, def] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = env[name] ?? def.default;
    if (value === '' && def.default === '') {
      raw[name] = undefined;
      continue;
    }
    const parsed = (def.schema as z.ZodType).safeParse(value);
    if (!parsed.success) problems.push(`${name}=${JSON.stringify(value)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    else raw[name] = parsed.data;
  }
  let database: Config['database'] | undefined;
  try {
    if (typeof raw.DATABASE_URL === 'string') database = parseDatabaseUrl(raw.DATABASE_URL);
  } catch (e) {
    problems.push((e as Error).message);
  }
  try {
    if (typeof raw.TEST_DATABASE_URL === 'string') parseDatabaseUrl(raw.TEST_DATABASE_URL, 'TEST_DATABASE_URL');
  } catch (e) {
    problems.push((e as Error).message);
  }
  const bands = String(raw.SCORE_BANDS ?? '90,80,60').split(',').map(Number) as [number, number, number];
  if (!(bands[0] > bands[1] && bands[1] > bands[2] && bands[0] <= 100)) {
    problems.push(`SCORE_BANDS=${JSON.stringify(raw.SCORE_BANDS)}: bands must be decreasing and at most 100`);
  }
  for (const a of String(raw.METRICS_ALLOW ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const [addr, bits, extra] = a.split('/');
    const family = isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) problems.push(`METRICS_ALLOW: "${a}" is not an address or CIDR range`);
  }
  const answerSeconds = String(raw.SERVICE_ANSWER_SECONDS ?? '10,15,20').split(',').map(Number);
  if (answerSeconds.some((x, i) => x < 1 || x > 600 || (i > 0 && x <= answerSeconds[i - 1]!))) {
    problems.push(`SERVICE_ANSWER_SECONDS=${JSON.stringify(raw.SERVICE_ANSWER_SECONDS)}: thresholds must rise and lie between 1 and 600 seconds`);
  }
  if (raw.NODE_ENV === 'production' && !raw.SESSION_SECRET) problems.push('SESSION_SECRET is required when NODE_ENV=production');
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);

  const db = database!;
  const config: Config = {
    env: raw.NODE_ENV as Config['env'],
    port: raw.PORT as number,
    host: raw.HOST as string,
    appBaseUrl: String(raw.APP_BASE_URL).replace(/\/$/, ''),
    database: db,
    testDatabaseUrl: raw.TEST_DATABASE_URL as string,
    dbPoolMax: raw.DB_POOL_MAX as number,
    demoMode: (raw.DEMO_MODE as boolean | undefined) ?? db.client === 'sqlite',
    recordingsDir: path.resolve(ROOT_DIR, raw.RECORDINGS_DIR as string),
    dataDir: path.resolve(ROOT_DIR, 'data'),
    sessionSecret: (raw.SESSION_SECRET as string | undefined) ?? null,
    cookieSecure: raw.COOKIE_SECURE === 'auto' ? 'auto' : raw.COOKIE_SECURE === 'true',
    trustProxy: raw.TRUST_PROXY as boolean,
    logLevel: raw.LOG_LEVEL as string,
    login: { maxFailures: raw.LOGIN_MAX_FAILURES as number, windowMinutes: raw.LOGIN_WINDOW_MINUTES as number },
    ffmpegPath: (raw.FFMPEG_PATH as string) || null,
    ffprobePath: (raw.FFPROBE_PATH as string) || null,
    maxUploadBytes: (raw.MAX_UPLOAD_MB as number) * 1024 * 1024,
    maxRecordingSeconds: (raw.MAX_RECORDING_MINUTES as number) * 60,
    silenceMinSeconds: raw.SILENCE_MIN_SECONDS as number,
    holdMinSeconds: raw.HOLD_MIN_SECONDS as number,
    jobConcurrency: raw.JOB_CONCURRENCY as number,
    jobsEnabled: raw.JOBS_ENABLED as boolean,
    jobLeaseMs: (raw.JOB_LEASE_SECONDS as number) * 1000,
    shutdownGraceMs: (raw.SHUTDOWN_GRACE_SECONDS as number) * 1000,
    metrics: {
      token: (raw.METRICS_TOKEN as string | undefined) ?? null,
      allow: String(raw.METRICS_ALLOW ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    },
    minHeardShare: raw.MIN_HEARD_SHARE as number,
    scoreBands: { high: bands[0], compliant: bands[1], partial: bands[2] },
    planDrawTime: raw.PLAN_DRAW_TIME as string,
    retentionPurgeTime: raw.RETENTION_PURGE_TIME as string,
    smtpUrl: (raw.SMTP_URL as string) || null,
    smtpFrom: raw.SMTP_FROM as string,
    maxReportDays: raw.MAX_REPORT_DAYS as number,
    reviewTargetDays: raw.REVIEW_TARGET_DAYS as number,
    highAcuityCategories: String(raw.HIGH_ACUITY_CATEGORIES).split(','),
    specialistRulesApply: raw.SPECIALIST_RULES_APPLY as boolean,
    disputeWindowDays: raw.DISPUTE_WINDOW_DAYS as number,
    service: { answerSeconds, standard: raw.SERVICE_STANDARD as 'nena' | 'nfpa', callbackMinutes: raw.SERVICE_CALLBACK_MINUTES as number },
    passwordHashRounds: 11,
    ci: raw.CI as boolean,
    chromiumPath: raw.CHROMIUM_PATH as string,
    timezone: 'Asia/Tashkent',
    events: {
      maxBatch: raw.EVENTS_MAX_BATCH as number,
      ratePerSecond: raw.EVENTS_RATE_PER_SECOND as number,
      rateBurst: raw.EVENTS_RATE_BURST as number,
      holdMinutes: raw.EVENTS_HOLD_MINUTES as number,
      clockToleranceSeconds: raw.EVENTS_CLOCK_TOLERANCE_SECONDS as number,
    },
    live: {
      demoReplay: (raw.LIVE_DEMO_REPLAY as boolean | undefined) ?? ((raw.DEMO_MODE as boolean | undefined) ?? db.client === 'sqlite'),
      pollMs: raw.LIVE_POLL_MS as number,
      staleSeconds: raw.LIVE_STALE_SECONDS as number,
      callbackWithinMinutes: raw.CALLBACK_WITHIN_MINUTES as number,
      cardIncompleteMinutes: raw.CARD_INCOMPLETE_MINUTES as number,
      serviceLevelTarget: raw.LIVE_SERVICE_LEVEL_TARGET as number,
      abandonedAlertPercent: raw.LIVE_ABANDONED_ALERT_PERCENT as number,
      queueAlert: raw.LIVE_QUEUE_ALERT as number,
    },
    followups: { noOutcomeMinutes: parseServiceMinutes(String(raw.FOLLOWUP_NO_OUTCOME_MINUTES ?? '')), dueMinutes: raw.FOLLOWUP_DUE_MINUTES as number },
    shiftDayStart: raw.SHIFT_DAY_START as string,
    ...overrides,
  };
  return Object.freeze(config);
}
