// How much of a recording the specialist actually heard: the union of the stretches played.
// Pure and free of Node and DOM, so the browser (tracking playback) and the server (storing
// heard_share) compute it the same way.

/** [startSec, endSec] with start < end. */
export type Interval = readonly [number, number];

/** Stretches shorter than this are dropped: a click on the waveform is not listening. */
export const MIN_INTERVAL_SEC = 0.05;
/** Gaps this small between played stretches are closed (timeupdate ticks are not contiguous). */
export const JOIN_GAP_SEC = 0.3;

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * The union of intervals, sorted, with overlapping or nearly touching ones joined, each clipped to
 * [0, durationSec] when a duration is known. Malformed entries (reversed, not numbers) are dropped.
 */
export function mergeIntervals(intervals: Iterable<readonly unknown[]>, durationSec?: number | null): Array<[number, number]> {
  const max = isFiniteNumber(durationSec) && durationSec > 0 ? durationSec : Infinity;
  const clean: Array<[number, number]> = [];
  for (const iv of intervals) {
    if (!Array.isArray(iv) || iv.length < 2) continue;
    const [a, b] = iv as unknown[];
    if (!isFiniteNumber(a) || !isFiniteNumber(b)) continue;
    const start = Math.max(0, Math.min(a, max));
    const end = Math.max(0, Math.min(b, max));
    if (end - start >= MIN_INTERVAL_SEC) clean.push([start, end]);
  }
  clean.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Array<[number, number]> = [];
  for (const [start, end] of clean) {
    const last = out[out.length - 1];
    if (last && start <= last[1] + JOIN_GAP_SEC) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out.map(([s, e]) => [round3(s), round3(e)]);
}

/** Seconds covered by already merged intervals. */
export function coveredSeconds(merged: readonly Interval[]): number {
  let total = 0;
  for (const [s, e] of merged) total += e - s;
  return round3(total);
}

/** Share of the recording heard, 0..1 (three decimals); null when the duration is unknown. */
export function heardShare(merged: readonly Interval[], durationSec: number | null | undefined): number | null {
  if (!isFiniteNumber(durationSec) || durationSec <= 0) return null;
  return Math.min(1, Math.round((coveredSeconds(merged) / durationSec) * 1000) / 1000);
}

/** A byte range the server sent of a file of `sizeBytes` bytes. */
export interface ServedRange {
  byteStart: number;
  /** one past the last byte sent */
  byteEnd: number;
  sizeBytes: number;
}

/**
 * The stretches of the recording the server sent, in seconds: byte offsets mapped to time in
 * proportion to the file's size (telephony recordings and their renditions are constant-bitrate;
 * a WAV header of 44 bytes moves the mapping by microseconds). Unknown duration: none.
 */
export function servedIntervals(ranges: readonly ServedRange[], durationSec: number | null | undefined): Array<[number, number]> {
  if (!isFiniteNumber(durationSec) || durationSec <= 0) return [];
  const out: Array<[number, number]> = [];
  for (const r of ranges) {
    if (!(r.sizeBytes > 0) || !(r.byteEnd > r.byteStart)) continue;
    out.push([(Math.max(0, r.byteStart) / r.sizeBytes) * durationSec, (Math.min(r.sizeBytes, r.byteEnd) / r.sizeBytes) * durationSec]);
  }
  return mergeIntervals(out, durationSec);
}

/** The parts of merged intervals `a` that also lie in merged intervals `b`. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i][0], b[j][0]);
    const end = Math.min(a[i][1], b[j][1]);
    if (end > start) out.push([round3(start), round3(end)]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

/**
 * What the server accepts as heard: the stretches the page says it played that lie inside the audio
 * the server actually sent this user. Playing what was never fetched is not possible, so a claim
 * beyond the sent audio counts for nothing.
 */
export function verifiedHeard(claimed: readonly Interval[], served: readonly Interval[]): Array<[number, number]> {
  return intersectIntervals(claimed, served);
}

/**
 * Whether submitting needs the specialist to confirm they mean it: less than the configured share
 * was heard. An unknown duration (no recording) never asks.
 */
export function needsHeardConfirmation(share: number | null, minHeardShare: number): boolean {
  return share !== null && share < minHeardShare;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Follows playback from the player's time updates and turns them into played stretches. A jump
 * larger than a tick could explain (a seek) ends the current stretch instead of counting the
 * skipped audio as heard.
 */
export class PlaybackTracker {
  private runStart: number | null = null;
  private last: number | null = null;
  private intervals: Array<[number, number]>;

  constructor(initial: Iterable<readonly unknown[]> = [], private readonly durationSec: number | null = null, private readonly maxTickSec = 1.5) {
    this.intervals = mergeIntervals(initial, durationSec);
  }

  /** A time update while playing. */
  tick(time: number): void {
    if (!isFiniteNumber(time)) return;
    if (this.last !== null && this.runStart !== null && time >= this.last && time - this.last <= this.maxTickSec) {
      this.last = time;
      return;
    }
    this.flush();
    this.runStart = time;
    this.last = time;
  }

  /** Playback paused, stopped or seeked: close the current stretch. */
  stop(): void {
    this.flush();
  }

  private flush(): void {
    if (this.runStart !== null && this.last !== null && this.last > this.runStart) {
      this.intervals = mergeIntervals([...this.intervals, [this.runStart, this.last]], this.durationSec);
    }
    this.runStart = null;
    this.last = null;
  }

  /** The union so far, including the stretch being played now. */
  snapshot(): Array<[number, number]> {
    const open: Array<[number, number]> = this.runStart !== null && this.last !== null && this.last > this.runStart ? [[this.runStart, this.last]] : [];
    return mergeIntervals([...this.intervals, ...open], this.durationSec);
  }
}
