// The outside world of `npm run bench:live`, in a worker thread: the boards (SSE readers) and the
// telephony platform posting events. It has its own V8 heap and event loop, so the main thread's
// heap growth is what the app instances spend on connected boards, and neither reading the streams
// nor sending the load takes turns with the servers. Sent and seen times share this thread's clock.
import { parentPort, workerData } from 'node:worker_threads';
import { openStream, type SseConnection } from '../src/features/live/sse-client';

export interface BoardsWorkerData {
  name: string;
  /** app instances' base URLs; boards and posts go round them */
  instances: string[];
  boards: number;
  cookie: string;
  token: string;
  /** events per second, one entry per second of load */
  plan: number[];
  /** how long the throughput phase posts batches of 500 */
  throughputMs: number;
}

export interface LoadResult {
  events: number;
  /** accepted (POST sent) → shown on a board, one figure per board reception, ms */
  latencies: number[];
  lost: number;
  duplicated: number;
  acceptedPerSec: number;
}

export type WorkerMessage = { type: 'ready' } | { type: 'failed'; reason: string } | { type: 'result'; result: LoadResult };
export type MainMessage = 'connect' | 'load';

const data = workerData as BoardsWorkerData;
const port = parentPort!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const conns: SseConnection[] = [];
/** per board: event id → times seen */
const perBoard: Map<string, number>[] = Array.from({ length: data.boards }, () => new Map());
/** event id → receive times, one per board reception */
const received = new Map<string, number[]>();

async function post(url: string, events: unknown[]): Promise<number> {
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${data.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  await res.arrayBuffer();
  return res.status;
}

function connect(): void {
  let ready = 0;
  for (let board = 0; board < data.boards; board++) {
    const url = `${data.instances[board % data.instances.length]}/live/stream`;
    let shown = false;
    const c = openStream(url, data.cookie, (msg) => {
      if (msg.event === 'board' && !shown) {
        shown = true;
        if (++ready === data.boards) port.postMessage({ type: 'ready' } satisfies WorkerMessage);
      }
      if (msg.event !== 'item') return;
      const at = performance.now();
      const { eventId } = JSON.parse(msg.data) as { eventId: string };
      const seen = perBoard[board]!;
      seen.set(eventId, (seen.get(eventId) ?? 0) + 1);
      const list = received.get(eventId) ?? [];
      list.push(at);
      received.set(eventId, list);
    });
    // A board that is not a stream (a sign-in redirect, an error) fails the run at once.
    void c.status.then((s) => s !== 200 && port.postMessage({ type: 'failed', reason: `board ${board} at ${url} answered ${s || 'no response'}` } satisfies WorkerMessage));
    conns.push(c);
  }
}

async function load(): Promise<LoadResult> {
  // Sustained and burst rates, one event per request, as a platform sends them as they happen.
  const sentAt = new Map<string, number>();
  let n = 0;
  const inflight: Promise<unknown>[] = [];
  const start = performance.now();
  for (const [second, rate] of data.plan.entries()) {
    for (let k = 0; k < rate; k++) {
      const wait = start + second * 1000 + (k * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      const i = n++;
      const callId = `bench-${data.name}-${Math.floor(i / 3)}`;
      const type = i % 3 === 0 ? 'call.offered' : i % 3 === 1 ? 'call.answered' : 'call.ended';
      const event: Record<string, unknown> = { id: `bench-${data.name}-${i}`, type, at: new Date().toISOString(), callId };
      if (type === 'call.answered') event.operatorCode = `BL-${i % 40}`;
      if (type === 'call.ended') event.reason = i % 30 === 2 ? 'dropped' : 'normal';
      sentAt.set(event.id as string, performance.now());
      inflight.push(post(data.instances[i % data.instances.length]!, [event]));
    }
  }
  await Promise.all(inflight);
  // Let the last items arrive.
  const waitEnd = performance.now() + 5000;
  while (performance.now() < waitEnd && [...sentAt.keys()].some((id) => (received.get(id)?.length ?? 0) < data.boards)) await sleep(50);
  for (const c of conns) c.close();

  const latencies: number[] = [];
  let lost = 0;
  let duplicated = 0;
  for (const [id, t0] of sentAt) {
    for (const seen of perBoard) {
      const c = seen.get(id) ?? 0;
      if (c === 0) lost++;
      if (c > 1) duplicated += c - 1;
    }
    for (const t of received.get(id) ?? []) latencies.push(t - t0);
  }

  // The most events per second accepted: batches of 500, two requests at a time.
  let accepted = 0;
  let batch = 0;
  const t0 = performance.now();
  const poster = async (w: number) => {
    while (performance.now() - t0 < data.throughputMs) {
      const b = batch++;
      const events = Array.from({ length: 500 }, (_, j) => ({ id: `thr-${data.name}-${b}-${j}`, type: 'call.offered', at: new Date().toISOString(), callId: `thr-${data.name}-${b}-${j}` }));
      if ((await post(data.instances[w % data.instances.length]!, events)) === 201) accepted += 500;
    }
  };
  await Promise.all([poster(0), poster(1)]);
  return { events: sentAt.size, latencies, lost, duplicated, acceptedPerSec: accepted / ((performance.now() - t0) / 1000) };
}

port.on('message', (m: MainMessage) => {
  if (m === 'connect') connect();
  else
    void load().then(
      (result) => {
        port.postMessage({ type: 'result', result } satisfies WorkerMessage);
        port.close();
      },
      (e: unknown) => {
        port.postMessage({ type: 'failed', reason: String((e as Error).stack ?? e) } satisfies WorkerMessage);
        port.close();
      },
    );
});
