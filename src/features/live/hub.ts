// One hub per app instance and database: it follows the stored event sequence and fans it out to
// the boards connected to this instance over Server-Sent Events. New events are noticed at once
// when this instance stored them, through PostgreSQL LISTEN when another instance did (a dedicated
// connection), and by polling where LISTEN is not available and on SQLite (the CLI replay writes
// from another process). Every board gets each item once and in order: items carry the stored
// sequence as SSE `id:`, a reconnecting board sends Last-Event-ID and is sent what it missed.
import type { Logger } from 'pino';
import { Client as PgClient, type ClientConfig } from 'pg';
import type { Config } from '../../config';
import { isPostgres, type Db } from '../../db';
import type { Language } from '../../i18n';
import { LIVE_CHANNEL } from '../events/events.repository';
import { onEventsStored } from '../events/event-bus';
import type { BoardSnapshot } from './board';
import { itemVisible, loadBoard, type Visibility } from './board.service';
import * as repo from './live.repository';
import { renderBoard, renderFeedItem } from './render';

export interface StreamClient {
  visibility: Visibility;
  lang: Language;
  canTake: boolean;
  /** the last item sequence this board was sent */
  lastSent: number;
  lastBoardHtml?: string;
  write(chunk: string): void;
}

interface RingItem {
  row: repo.FeedRow;
  html: Map<Language, string>;
}

const RING_MAX = 20000;
/** A board that missed more than this many items starts over with a fresh board. */
export const MAX_CATCH_UP = 5000;
const INITIAL_FEED = 30;
const BOARD_REFRESH_MS = 5000;
const BOARD_DEBOUNCE_MS = 150;
/**
 * Board figures are recomputed at most this often while events pour in (items still go out at
 * once): each refresh is a dozen queries and a render, and recomputing them for every event of a
 * 50/s burst only takes time from storing and sending the events themselves.
 */
const BOARD_MIN_INTERVAL_MS = 1000;

let lastLagMs: number | null = null;
/** Seconds from an event being accepted to its being sent to this instance's boards (the newest one sent); null before any. For the metrics registry. */
export function liveLagSeconds(): number | null {
  return lastLagMs === null ? null : lastLagMs / 1000;
}

export class LiveHub {
  private clients = new Set<StreamClient>();
  private ring: RingItem[] = [];
  private lastSeq = 0;
  private starting: Promise<void> | null = null;
  private pulling = false;
  private pullAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private boardTimer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private offBus: (() => void) | null = null;
  private listener: PgClient | null = null;
  private listening = false;
  private directory = new Map<number, repo.OperatorInfo>();
  private directoryAt = 0;
  private closed = false;

  constructor(private readonly deps: { db: Db; config: Config; logger: Logger; clock: () => Date }) {}

  get size(): number {
    return this.clients.size;
  }

  private start(): Promise<void> {
    this.starting ??= (async () => {
      this.closed = false;
      this.lastSeq = await repo.maxSeq(this.deps.db);
      this.offBus = onEventsStored(this.deps.db, () => this.wake());
      if (isPostgres(this.deps.db)) void this.listen();
      this.schedulePoll();
      this.boardTimer = setInterval(() => void this.refreshBoards(), BOARD_REFRESH_MS);
      this.boardTimer.unref();
    })();
    return this.starting;
  }

  /** Stops following (no board left, or shutting down). */
  async stop(): Promise<void> {
    this.closed = true;
    this.starting = null;
    this.offBus?.();
    this.offBus = null;
    for (const t of [this.pollTimer, this.debounce]) if (t) clearTimeout(t);
    if (this.boardTimer) clearInterval(this.boardTimer);
    this.pollTimer = this.debounce = this.boardTimer = null;
    const l = this.listener;
    this.listener = null;
    this.listening = false;
    this.ring = [];
    if (l) await l.end().catch(() => undefined);
  }

  private schedulePoll(): void {
    if (this.closed) return;
    // With LISTEN working, polling is only a safety net for a lost notification.
    const ms = this.listening ? Math.max(10000, this.deps.config.live.pollMs) : this.deps.config.live.pollMs;
    this.pollTimer = setTimeout(async () => {
      try {
        if ((await repo.maxSeq(this.deps.db)) > this.lastSeq) this.wake();
      } catch (e) {
        this.deps.logger.warn({ err: e }, 'live board poll failed');
      }
      this.schedulePoll();
    }, ms);
    this.pollTimer.unref();
  }

  private async listen(): Promise<void> {
    const conn = (this.deps.db.client.config as { connection: string | Record<string, unknown> }).connection;
    const client = new PgClient(typeof conn === 'string' ? { connectionString: conn } : (conn as ClientConfig));
    client.on('notification', () => this.wake());
    client.on('error', (e) => this.deps.logger.warn({ err: e }, 'live board LISTEN connection failed; polling'));
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listening = false;
      this.listener = null;
      // Reconnect after a pause; until then the poll runs at its normal rate.
      if (!this.closed) setTimeout(() => !this.closed && !this.listener && void this.listen(), 5000).unref();
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
      if (this.listener !== client) return void client.end();
      this.listening = true;
      this.wake(); // anything stored while connecting
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'live board cannot LISTEN; polling instead');
      if (this.listener === client) this.listener = null;
      void client.end().catch(() => undefined);
    }
  }

  /** Something may have been stored: read it and send it. */
  wake(): void {
    if (this.closed || !this.starting) return;
    void this.pull();
  }

  private async pull(): Promise<void> {
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = true;
    try {
      let more = true;
      while (more && !this.closed) {
        this.pullAgain = false;
        const rows = await repo.eventsAfter(this.deps.db, this.lastSeq, 2000);
        if (rows.some((r) => r.operatorId !== null && !this.directory.has(r.operatorId))) await this.refreshDirectory(true);
        for (const row of rows) {
          this.ring.push({ row, html: new Map() });
          this.lastSeq = row.seq;
        }
        if (this.ring.length > RING_MAX) this.ring.splice(0, this.ring.length - RING_MAX);
        if (rows.length) {
          for (const c of this.clients) this.pump(c);
          lastLagMs = Math.max(0, this.deps.clock().getTime() - Date.parse(rows[rows.length - 1]!.receivedAt));
          this.scheduleBoards();
        }
        more = rows.length === 2000 || this.pullAgain;
      }
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'live board could not read new events');
    } finally {
      this.pulling = false;
    }
  }

  private itemHtml(item: RingItem, lang: Language): string {
    let h = item.html.get(lang);
    if (!h) item.html.set(lang, (h = renderFeedItem(item.row, lang, this.directory)));
    return h;
  }

  /** Sends a board every item after its lastSent that it may see. Synchronous: items go out in order. */
  private pump(c: StreamClient): void {
    const ring = this.ring;
    if (!ring.length || ring[ring.length - 1]!.row.seq <= c.lastSent) return;
    let i = ring.length;
    while (i > 0 && ring[i - 1]!.row.seq > c.lastSent) i--;
    for (; i < ring.length; i++) {
      const item = ring[i]!;
      c.lastSent = item.row.seq;
      if (itemVisible(c.visibility, item.row.operatorId)) c.write(itemMessage(item.row.seq, item.row.eventId, this.itemHtml(item, c.lang)));
    }
  }

  /**
   * Connects a board. With lastEventId (a reconnect), everything after it is sent first, each item
   * once; without, the newest few items. Then the board itself.
   */
  async add(c: StreamClient, lastEventId: number | null): Promise<void> {
    await this.start();
    await this.refreshDirectory(false);
    const ringStart = this.ring[0]?.row.seq ?? this.lastSeq + 1;
    if (lastEventId !== null && lastEventId < this.lastSeq) {
      if (lastEventId < ringStart - 1) {
        const missed = await repo.eventsAfter(this.deps.db, lastEventId, MAX_CATCH_UP + 1, ringStart);
        if (missed.length > MAX_CATCH_UP) {
          c.write('event: reset\ndata: {}\n\n');
          await this.sendInitial(c);
        } else {
          for (const row of missed) if (itemVisible(c.visibility, row.operatorId)) c.write(itemMessage(row.seq, row.eventId, renderFeedItem(row, c.lang, this.directory)));
          c.lastSent = ringStart - 1;
        }
      } else c.lastSent = lastEventId;
    } else if (lastEventId === null) await this.sendInitial(c);
    else c.lastSent = lastEventId;
    this.clients.add(c);
    this.pump(c);
    await this.sendBoard(c, await this.boardFor(c.visibility));
  }

  private async sendInitial(c: StreamClient): Promise<void> {
    const upto = this.ring.length ? this.ring[0]!.row.seq - 1 : this.lastSeq;
    const fromDb = c.visibility.aggregatesOnly ? [] : (await repo.eventsBefore(this.deps.db, upto, 400)).filter((r) => itemVisible(c.visibility, r.operatorId));
    const fromRing = this.ring.filter((x) => itemVisible(c.visibility, x.row.operatorId)).map((x) => x.row);
    const newest = [...fromDb, ...fromRing].slice(-INITIAL_FEED);
    for (const row of newest) c.write(itemMessage(row.seq, row.eventId, renderFeedItem(row, c.lang, this.directory)));
    c.lastSent = this.ring.length ? this.ring[0]!.row.seq - 1 : this.lastSeq;
  }

  /** Something on the boards changed without an event (a complex case taken): send boards again soon. */
  invalidate(): void {
    if (this.starting) this.scheduleBoards();
  }

  remove(c: StreamClient): void {
    this.clients.delete(c);
    if (!this.clients.size) void this.stop();
  }

  private async refreshDirectory(force: boolean): Promise<void> {
    if (!force && Date.now() - this.directoryAt < 60000 && this.directory.size) return;
    this.directory = await repo.operatorDirectory(this.deps.db);
    this.directoryAt = Date.now();
  }

  private boardCache = new Map<string, Promise<BoardSnapshot>>();

  private boardFor(v: Visibility): Promise<BoardSnapshot> {
    let p = this.boardCache.get(v.key);
    if (!p) {
      p = loadBoard(this.deps.db, this.deps.config, this.deps.clock(), v, this.directory);
      this.boardCache.set(v.key, p);
      // A snapshot is shared by the boards asking within the same moment.
      const drop = () => setTimeout(() => this.boardCache.get(v.key) === p && this.boardCache.delete(v.key), 100).unref();
      p.then(drop, drop);
    }
    return p;
  }

  private lastRefreshAt = 0;
  private refreshing = false;

  private scheduleBoards(): void {
    if (this.debounce) return;
    const wait = Math.max(BOARD_DEBOUNCE_MS, this.lastRefreshAt + BOARD_MIN_INTERVAL_MS - Date.now());
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.refreshBoards();
    }, wait);
    this.debounce.unref();
  }

  private async refreshBoards(): Promise<void> {
    if (this.closed || !this.clients.size) return;
    // One refresh at a time: a refresh asked for meanwhile runs after it.
    if (this.refreshing) return this.scheduleBoards();
    this.refreshing = true;
    this.lastRefreshAt = Date.now();
    try {
      this.boardCache.clear();
      const htmls = new Map<string, Promise<string>>();
      for (const c of [...this.clients]) {
        const key = `${c.visibility.key}|${c.lang}|${c.canTake}`;
        let h = htmls.get(key);
        if (!h) htmls.set(key, (h = this.boardFor(c.visibility).then((b) => renderBoard(b, c.lang, { canTake: c.canTake, csrf: '' }))));
        const html = await h;
        if (html !== c.lastBoardHtml && this.clients.has(c)) {
          c.lastBoardHtml = html;
          c.write(boardMessage(c.lastSent, html));
        }
      }
    } catch (e) {
      this.deps.logger.warn({ err: e }, 'live board refresh failed');
    } finally {
      this.refreshing = false;
    }
  }

  private async sendBoard(c: StreamClient, b: BoardSnapshot): Promise<void> {
    const html = await renderBoard(b, c.lang, { canTake: c.canTake, csrf: '' });
    c.lastBoardHtml = html;
    c.write(boardMessage(c.lastSent, html));
  }
}

function itemMessage(seq: number, eventId: string, html: string): string {
  return `id: ${seq}\nevent: item\ndata: ${JSON.stringify({ seq, eventId, html })}\n\n`;
}

function boardMessage(seq: number, html: string): string {
  return `${seq ? `id: ${seq}\n` : ''}event: board\ndata: ${JSON.stringify({ seq, html })}\n\n`;
}

const hubs = new WeakMap<Db, LiveHub>();

/** This instance's hub for a database handle (an app instance has one handle). */
export function hubFor(deps: { db: Db; config: Config; logger: Logger; clock: () => Date }): LiveHub {
  let h = hubs.get(deps.db);
  if (!h) hubs.set(deps.db, (h = new LiveHub(deps)));
  return h;
}
