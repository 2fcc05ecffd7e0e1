// Builders for the Service page and checks tests: calls written with exact offer, answer and end
// times (Tashkent wall clock), callbacks, cards, and a downloaded CSV read back by header.
import type { Knex } from 'knex';
import { parse } from 'csv-parse/sync';
import { insertReturningId } from '../../../src/db';
import { tashkentDate, tashkentToUtc } from '../../../src/time';

let seq = 0;

export interface QueueCall {
  /** Tashkent day and wall-clock time of the offer */
  day: string;
  time?: string;
  /** seconds from offer to answer; null: never answered */
  answerSec?: number | null;
  /** connected seconds after the answer (or ring seconds before the caller hung up) */
  talkSec?: number;
  operatorId?: number | null;
  regionId?: number | null;
  category?: string | null;
  language?: string;
  dropped?: boolean;
  callbackOf?: number;
  recordingId?: number | null;
  /** an answer time before the offer (bad input) */
  answeredBeforeOffered?: boolean;
}

export async function queueCall(db: Knex, c: QueueCall): Promise<number> {
  const started = tashkentToUtc(c.day, c.time ?? '10:00');
  const answerSec = c.answerSec === undefined ? 5 : c.answerSec;
  const answered = c.answeredBeforeOffered ? new Date(started.getTime() - 30_000) : answerSec === null ? null : new Date(started.getTime() + answerSec * 1000);
  const ended = new Date((answered ?? started).getTime() + (c.talkSec ?? (answered ? 120 : 20)) * 1000);
  const now = new Date().toISOString();
  return insertReturningId(db, 'calls', {
    source: 'telephony',
    external_id: `SVC-${++seq}-${Math.random().toString(36).slice(2, 8)}`,
    started_at: started.toISOString(),
    answered_at: answered ? answered.toISOString() : null,
    ended_at: ended.toISOString(),
    call_date: tashkentDate(started),
    duration_sec: answered ? (c.talkSec ?? 120) : null,
    operator_id: answered || c.callbackOf ? (c.operatorId ?? null) : null,
    caller_number: '+998901112233',
    language: c.language ?? 'uz',
    channel: 'voice',
    category: c.category === undefined ? 'medical' : c.category,
    services: answered && !c.callbackOf ? '103' : null,
    region_id: c.regionId ?? null,
    dropped: c.dropped ?? false,
    callback_of_call_id: c.callbackOf ?? null,
    recording_id: c.recordingId ?? null,
    created_at: now,
    updated_at: now,
  });
}

/** A CSV download as rows keyed by header (the BOM and "(%)" suffixes removed). */
export function csvRows(text: string): Record<string, string>[] {
  const rows = parse(text.replace(/^\uFEFF/, ''), { columns: (h: string[]) => h.map((x) => x.replace(/ \(%\)$/, '')), skip_empty_lines: true }) as Record<string, string>[];
  return rows;
}
