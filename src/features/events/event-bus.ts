// In-process news that events were stored, so this instance's live board need not wait for a poll.
// Other instances learn it through PostgreSQL NOTIFY (events.repository notifyBoards) or polling.
import type { Db } from '../../db';

type Listener = (seq: number) => void;
const listeners = new WeakMap<Db, Set<Listener>>();

export function onEventsStored(db: Db, fn: Listener): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(fn);
  return () => set!.delete(fn);
}

export function eventsStored(db: Db, seq: number): void {
  for (const fn of listeners.get(db) ?? []) fn(seq);
}

/** One ingest at a time per database handle: SQLite has one writer, and it keeps lock waits short on PostgreSQL. */
const queues = new WeakMap<Db, Promise<unknown>>();
export function serialised<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(db) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  queues.set(db, run.catch(() => undefined));
  return run;
}
