// Metrics for the people who run Sifat: a Prometheus text endpoint (prom-client), readable with a
// bearer token (METRICS_TOKEN) or from allowed addresses (METRICS_ALLOW, loopback by default).
//
// Built in: jobs queued/running/failed by type, the oldest due queued job's age, request latency
// by route pattern (never the raw URL: ids would explode the series), recordings bytes stored, and
// (in server/worker processes) Node's process metrics. Features add their own through
// `deps.metrics?.gauge/counter/histogram(...)` — asking twice for one name returns the same metric.
import crypto from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';
import type { Knex } from 'knex';
import type { Config } from './config';
import type { JobQueue } from './jobs/queue';
import { num } from './db';

export class Metrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(o: { processMetrics?: boolean; prefix?: string } = {}) {
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'sifat_' });
    this.requestDuration = this.histogram({
      name: 'sifat_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method, route pattern and status class',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
  }

  private existing<T>(name: string): T | undefined {
    return this.registry.getSingleMetric(name) as T | undefined;
  }

  /** A gauge; give `collect` to compute it when scraped (it may be async, e.g. a count in the database). */
  gauge<L extends string = string>(cfg: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return this.existing<Gauge<L>>(cfg.name) ?? new Gauge<L>({ ...cfg, registers: [this.registry] });
  }

  counter<L extends string = string>(cfg: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return this.existing<Counter<L>>(cfg.name) ?? new Counter<L>({ ...cfg, registers: [this.registry] });
  }

  histogram<L extends string = string>(cfg: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return this.existing<Histogram<L>>(cfg.name) ?? new Histogram<L>({ ...cfg, registers: [this.registry] });
  }

  /** Times every request; labelled by the route that answered it (e.g. /calls/:id), not the URL. */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.requestDuration.startTimer();
      res.once('finish', () => end({ method: req.method, route: routeLabel(req, res.statusCode), status: `${Math.floor(res.statusCode / 100)}xx` }));
      next();
    };
  }

  /** The app's own gauges: jobs from the queue's table, recordings from theirs. */
  registerAppGauges(db: Knex, jobs: JobQueue): void {
    this.gauge({
      name: 'sifat_jobs',
      help: 'Jobs queued, running and failed, by type',
      labelNames: ['type', 'status'],
      async collect() {
        this.reset();
        for (const c of await jobs.countsByType()) this.set({ type: c.type, status: c.status }, c.n);
      },
    });
    this.gauge({
      name: 'sifat_jobs_oldest_queued_age_seconds',
      help: 'How long the oldest due job has been waiting to be taken',
      async collect() {
        this.set(await jobs.oldestQueuedAgeSeconds());
      },
    });
    this.gauge({
      name: 'sifat_recordings_stored_bytes',
      help: 'Bytes of original recordings in the recording store',
      async collect() {
        const r = await db('recordings').sum({ bytes: 'size_bytes' }).first();
        this.set(num(r?.bytes));
      },
    });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The route pattern that answered, or a fixed word: a 404's raw URL must not become a series. */
function routeLabel(req: Request, status: number): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl ?? ''}${route.path}`;
  if (req.originalUrl.startsWith('/public/') || req.originalUrl.startsWith('/vendor/')) return 'static';
  return status === 404 ? 'not_found' : 'unmatched';
}

function allowList(addresses: string[]): BlockList {
  const list = new BlockList();
  for (const a of addresses) {
    const [addr, bits] = a.split('/');
    const type = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr!, type);
    else list.addSubnet(addr!, Number(bits), type);
  }
  return list;
}

function allowed(list: BlockList, address: string | undefined): boolean {
  if (!address) return false;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  if (v4) return list.check(v4, 'ipv4') || list.check(address, 'ipv6');
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/**
 * GET /metrics: the Prometheus text. With the token, from anywhere; without it, only from the
 * allowed addresses (the client's address as the reverse proxy reports it when TRUST_PROXY is on).
 * Anyone else gets a plain 404, so the endpoint is not advertised.
 */
export function metricsEndpoint(metrics: Metrics, config: Pick<Config, 'metrics'>): RequestHandler {
  const list = allowList(config.metrics.allow);
  return async (req, res) => {
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/i.exec(auth)?.[1];
    const byToken = !!config.metrics.token && !!bearer && sameSecret(bearer, config.metrics.token);
    if (!byToken && !allowed(list, req.ip)) {
      res.status(bearer ? 401 : 404).type('text/plain').send(bearer ? 'unauthorized\n' : 'not found\n');
      return;
    }
    try {
      const body = await metrics.text();
      res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(body);
    } catch {
      res.status(503).type('text/plain').send('metrics unavailable\n');
    }
  };
}
