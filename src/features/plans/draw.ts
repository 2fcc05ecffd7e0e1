// The daily draw (B2.01.4 #3): which calls of each operator get listened to, chosen at random in a
// way anyone can re-derive from the plan row (seed, rules, algorithm version) and the population.
//
// How it works, in full, so an auditor can redo it by hand:
// 1. The seed string is hashed with SHA-256; its first 8 bytes (big-endian) are a 64-bit state s.
// 2. Every call gets a uniform number from SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference
//    C code): the value for call id i is output number i of the SplitMix64 stream started at s,
//    i.e. mix(s + i·0x9E3779B97F4A7C15 mod 2^64). SplitMix64 is counter-based, so output i can be
//    computed directly: a call's number depends only on the seed and its id, never on input order,
//    on other calls, or on other operators. u = (top 53 bits + 0.5) / 2^53, so 0 < u < 1.
// 3. Weighted sampling without replacement (Efraimidis & Spirakis 2006): key = u^(1/w) with w the
//    call's priority weight (product of the rule multipliers that apply); per operator, the `quota`
//    calls with the largest keys are picked. We compare ln(u)/w, which orders the same as u^(1/w)
//    and does not underflow. Equal weights give every call of an operator the same chance.
//    Ties (practically never) go to the smaller id.
// 4. The population fingerprint is SHA-256 over the eligible call ids sorted ascending, each written
//    in decimal and followed by "\n" — the same bytes as `sort -n ids.txt | sha256sum`.
import { createHash, randomBytes } from 'node:crypto';
import { PlanError, parsePlanRules, quotaFor, type PlanMessage, type PlanRules, type PriorityWeights } from './plan-rules';

/** Bump when anything above changes the picks for the same seed, rules and population. */
export const ALGORITHM_VERSION = 'splitmix64-es-1';

/** A call the repository found eligible for the plan day (all eligibility filters already applied). */
export interface EligibleCall {
  id: number;
  operatorId: number;
  durationSec: number | null;
  language: string | null;
  category: string | null;
  /** Emergency services the card went to: '101', '102', '103', '104', '1146', 'other'. */
  services: readonly string[];
  dropped: boolean;
  suicideRisk?: boolean;
}

export interface PickedCall {
  callId: number;
  operatorId: number;
  /** The call's weight in the draw (1 = no priority); stored as assignments.priority. */
  priority: number;
  /** 0-based position of the call in its operator's random order (0 = largest key). */
  rank: number;
  language: string | null;
}

export interface OperatorDraw {
  operatorId: number;
  eligible: number;
  quota: number;
  picked: number;
}

export interface DrawInput {
  seed: string;
  /** The rules: parsed, stored JSON text, or form values — always (re)parsed here, which is idempotent. */
  rules: unknown;
  calls: readonly EligibleCall[];
  /** Operators to report even when they have no eligible call (their calls need not be listed). */
  operators?: readonly number[];
}

export interface DrawResult {
  algorithmVersion: string;
  seed: string;
  rules: PlanRules;
  populationFingerprint: string;
  populationCount: number;
  /** Ordered by operator id, then rank. */
  picked: PickedCall[];
  /** Ordered by operator id. */
  perOperator: OperatorDraw[];
  warnings: PlanMessage[];
}

// ---------------------------------------------------------------------------------------------
// SplitMix64 in 32-bit halves (JavaScript numbers are doubles; BigInt would be ~20× slower).

const GAMMA_HI = 0x9e3779b9;
const GAMMA_LO = 0x7f4a7c15;
const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

// The 64-bit result of splitmix64Into as [hi, lo]; a shared buffer so the hot loop allocates nothing.
const out = new Uint32Array(2);

/** High 32 bits of the unsigned 32×32 product (Hacker's Delight mulhu; all steps stay below 2^32). */
function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a1 * b0 + ((a0 * b0) >>> 16);
  const w1 = (t & 0xffff) + a0 * b1;
  return a1 * b1 + (t >>> 16) + (w1 >>> 16);
}

/** SplitMix64 output number `index` for the stream starting at state sHi:sLo, into out = [hi, lo]. */
function splitmix64Into(sHi: number, sLo: number, index: number): void {
  // z = s + index·γ mod 2^64   (index < 2^53: iHi < 2^21)
  const iLo = index >>> 0;
  const iHi = (index / TWO_32) >>> 0;
  let pLo = Math.imul(iLo, GAMMA_LO) >>> 0;
  let pHi = mulhu(iLo, GAMMA_LO) + Math.imul(iHi, GAMMA_LO) + Math.imul(iLo, GAMMA_HI);
  let lo = sLo + pLo;
  let hi = (sHi + pHi + (lo >= TWO_32 ? 1 : 0)) >>> 0;
  lo >>>= 0;
  // z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
  lo = (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0;
  hi = (hi ^ (hi >>> 30)) >>> 0;
  pLo = Math.imul(lo, 0x1ce4e5b9) >>> 0;
  pHi = (mulhu(lo, 0x1ce4e5b9) + Math.imul(hi, 0x1ce4e5b9) + Math.imul(lo, 0xbf58476d)) >>> 0;
  // z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
  lo = (pLo ^ ((pLo >>> 27) | (pHi << 5))) >>> 0;
  hi = (pHi ^ (pHi >>> 27)) >>> 0;
  pLo = Math.imul(lo, 0x133111eb) >>> 0;
  pHi = (mulhu(lo, 0x133111eb) + Math.imul(hi, 0x133111eb) + Math.imul(lo, 0x94d049bb)) >>> 0;
  // z ^ (z >>> 31)
  out[1] = pLo ^ ((pLo >>> 31) | (pHi << 1));
  out[0] = pHi ^ (pHi >>> 31);
}

/** The 64-bit starting state for a seed: the first 8 bytes of SHA-256(seed as UTF-8). */
export function seedState(seed: string): { hi: number; lo: number } {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  return { hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) };
}

/** SplitMix64 output number `index` (≥ 0) of the seed's stream, as a BigInt (for audits and tests). */
export function splitmix64Output(seed: string, index: number): bigint {
  assertCallId(index, true);
  const s = seedState(seed);
  splitmix64Into(s.hi, s.lo, index);
  return (BigInt(out[0]) << 32n) | BigInt(out[1]);
}

/** The uniform number in (0, 1) a call gets in a draw with this seed. */
export function callUniform(seed: string, callId: number): number {
  assertCallId(callId);
  const s = seedState(seed);
  splitmix64Into(s.hi, s.lo, callId);
  return uniformFromOut();
}

function uniformFromOut(): number {
  // top 53 bits: all 32 of hi, then 21 of lo
  return (out[0] * 2097152 + (out[1] >>> 11) + 0.5) / TWO_53;
}

/**
 * A fresh seed for a new plan: 32 hex characters (128 bits) from the given random source.
 * Use a new one for every draw and re-draw: the same seed gives the same call id the same number,
 * so reusing it over overlapping populations (daysBack > 1) would correlate the picks.
 */
export function makeSeed(random: (size: number) => Uint8Array = randomBytes): string {
  return Buffer.from(random(16)).toString('hex');
}

// ---------------------------------------------------------------------------------------------

/** A call's weight in the draw: the product of the multipliers that apply to it (1 = none). */
export function priorityWeight(
  call: Pick<EligibleCall, 'suicideRisk' | 'services' | 'dropped' | 'durationSec'>,
  weights: PriorityWeights,
): number {
  let w = 1;
  if (call.suicideRisk) w *= weights.suicideRisk;
  if (call.services.includes('1146')) w *= weights.line1146;
  if (call.dropped) w *= weights.dropped;
  if (call.durationSec !== null && call.durationSec >= weights.longCallSec) w *= weights.longCall;
  return w;
}

/**
 * SHA-256 (hex) over the call ids sorted ascending, each in decimal followed by "\n".
 * Throws plans.draw.duplicateCall if an id appears twice (a population is a set).
 */
export function fingerprintPopulation(callIds: ArrayLike<number>): string {
  const ids = new Float64Array(callIds.length);
  let max = 0;
  for (let i = 0; i < callIds.length; i++) {
    const id = callIds[i];
    assertCallId(id);
    ids[i] = id;
    if (id > max) max = id;
  }
  return hashSortedIds(sortIds(ids, max));
}

/**
 * Ids ascending. Already-ascending input (SQL's ORDER BY id) is used as is; ids that fit 32 bits
 * get an LSD radix sort (three 11-bit passes, counts fit in L1); larger ones a numeric sort.
 */
function sortIds(ids: Float64Array, max: number): Float64Array | Uint32Array {
  const n = ids.length;
  let ascending = true;
  for (let i = 1; i < n; i++) {
    if (ids[i] <= ids[i - 1]) {
      ascending = false;
      break;
    }
  }
  if (ascending) return ids;
  if (max >= TWO_32 || n < 512) return ids.slice().sort();
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = ids[i];
  let dst = new Uint32Array(n);
  const count = new Int32Array(2048);
  for (let shift = 0; shift < 33; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & 0x7ff]++;
    for (let d = 0, sum = 0; d < 2048; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = src[i];
      dst[count[(v >>> shift) & 0x7ff]++] = v;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

// "00".."99" as byte pairs: two digits per division when writing ids in decimal.
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

function hashSortedIds(sorted: Float64Array | Uint32Array): string {
  const hash = createHash('sha256');
  // Digits go straight into a byte buffer: building a 7 MB string for 1M ids would cost more.
  const chunk = Buffer.allocUnsafe(65536);
  const digits = new Uint8Array(20);
  let pos = 0;
  for (let i = 0; i < sorted.length; i++) {
    let v = sorted[i];
    if (i > 0 && v === sorted[i - 1]) throw new PlanError('plans.draw.duplicateCall', { callId: v });
    if (pos > chunk.length - 24) {
      hash.update(chunk.subarray(0, pos));
      pos = 0;
    }
    let n = 20;
    while (v >= 2147483648) {
      const q = Math.floor(v / 100);
      const r = 2 * (v - q * 100);
      digits[--n] = DIGIT_PAIRS[r + 1];
      digits[--n] = DIGIT_PAIRS[r];
      v = q;
    }
    // From here v fits int32, so the division compiles to integer arithmetic.
    while (v >= 100) {
      const q = (v / 100) | 0;
      const r = 2 * (v - q * 100);
      digits[--n] = DIGIT_PAIRS[r + 1];
      digits[--n] = DIGIT_PAIRS[r];
      v = q;
    }
    if (v >= 10) {
      digits[--n] = DIGIT_PAIRS[2 * v + 1];
      digits[--n] = DIGIT_PAIRS[2 * v];
    } else {
      digits[--n] = 48 + v;
    }
    while (n < 20) chunk[pos++] = digits[n++];
    chunk[pos++] = 10;
  }
  hash.update(chunk.subarray(0, pos));
  return hash.digest('hex');
}

function assertCallId(id: number, allowZero = false): void {
  if (!Number.isSafeInteger(id) || id < (allowZero ? 0 : 1)) throw new PlanError('plans.draw.callIdInvalid', { callId: id });
}

/**
 * Draws a plan: per operator, `quota` calls by weighted sampling without replacement.
 * The result depends only on the seed, the rules and the set of calls (not their order).
 * A quota above an operator's eligible count takes all of them and warns plans.draw.quotaAboveEligible.
 */
export function drawPlan(input: DrawInput): DrawResult {
  return drawWithIds(input).result;
}

/** The draw, also handing back the sorted population ids (verifyPlan searches them). */
function drawWithIds(input: DrawInput): { result: DrawResult; sortedIds: Float64Array | Uint32Array } {
  const { seed, calls } = input;
  // plans.seed is varchar(64)
  if (typeof seed !== 'string' || seed.length === 0 || seed.length > 64) throw new PlanError('plans.draw.seedInvalid');
  const rules = parsePlanRules(input.rules);
  const weightsRule = rules.priority;
  const { hi: sHi, lo: sLo } = seedState(seed);
  const n = calls.length;

  // Columnar working set: one pass over the objects, then typed arrays only.
  const ids = new Float64Array(n);
  const keys = new Float64Array(n);
  const opOf = new Int32Array(n);
  let maxId = 0;
  const opIndex = new Map<number, number>();
  const opIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = calls[i];
    const id = c.id;
    assertCallId(id);
    let op = opIndex.get(c.operatorId);
    if (op === undefined) {
      if (!Number.isSafeInteger(c.operatorId)) throw new PlanError('plans.draw.operatorInvalid', { callId: id });
      op = opIds.length;
      opIndex.set(c.operatorId, op);
      opIds.push(c.operatorId);
    }
    const w = priorityWeight(c, weightsRule);
    splitmix64Into(sHi, sLo, id);
    ids[i] = id;
    if (id > maxId) maxId = id;
    opOf[i] = op;
    keys[i] = Math.log(uniformFromOut()) / w;
  }

  const sortedIds = sortIds(ids, maxId);
  const populationFingerprint = hashSortedIds(sortedIds); // also refuses duplicate ids

  for (const opId of input.operators ?? []) {
    if (!Number.isSafeInteger(opId)) throw new PlanError('plans.draw.operatorInvalid', { operatorId: opId });
  }

  // Eligible count and quota per operator; then one heap region per operator in a shared buffer.
  const opCount = opIds.length;
  const eligibleOf = new Int32Array(opCount);
  for (let i = 0; i < n; i++) eligibleOf[opOf[i]]++;
  const takeOf = new Int32Array(opCount);
  const heapStart = new Int32Array(opCount + 1);
  for (let op = 0; op < opCount; op++) {
    takeOf[op] = Math.min(quotaFor(rules.quota, eligibleOf[op]), eligibleOf[op]);
    heapStart[op + 1] = heapStart[op] + takeOf[op];
  }
  const heap = new Uint32Array(heapStart[opCount]);
  const heapSize = new Int32Array(opCount);

  // "a is a better pick than b": larger key, then smaller id.
  const better = (a: number, b: number): boolean => keys[a] > keys[b] || (keys[a] === keys[b] && ids[a] < ids[b]);

  // One sequential pass keeps, per operator, its `take` best calls in a min-heap whose root is the
  // worst kept: O(n log k) with the working set (the heaps) small enough to stay in cache.
  for (let i = 0; i < n; i++) {
    const op = opOf[i];
    const take = takeOf[op];
    if (take === 0) continue;
    const base = heapStart[op];
    const size = heapSize[op];
    if (size < take) {
      let c = size;
      heapSize[op] = size + 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!better(heap[base + p], i)) break;
        heap[base + c] = heap[base + p];
        c = p;
      }
      heap[base + c] = i;
    } else if (better(i, heap[base])) {
      siftDown(heap, base, size, i, better);
    }
  }

  const picked: PickedCall[] = [];
  const perOperator: OperatorDraw[] = [];
  const warnings: PlanMessage[] = [];
  const reportedOps = [...new Set([...opIds, ...(input.operators ?? [])])].sort((a, b) => a - b);
  for (const operatorId of reportedOps) {
    const op = opIndex.get(operatorId);
    const eligible = op === undefined ? 0 : eligibleOf[op];
    const quota = quotaFor(rules.quota, eligible);
    if (quota > eligible) warnings.push({ key: 'plans.draw.quotaAboveEligible', params: { operatorId, quota, eligible } });
    const take = op === undefined ? 0 : takeOf[op];
    perOperator.push({ operatorId, eligible, quota, picked: take });
    if (take === 0 || op === undefined) continue;
    const chosen = Array.from(heap.subarray(heapStart[op], heapStart[op] + take)).sort((a, b) => (better(a, b) ? -1 : 1));
    for (let r = 0; r < chosen.length; r++) {
      const call = calls[chosen[r]];
      picked.push({ callId: call.id, operatorId, priority: priorityWeight(call, weightsRule), rank: r, language: call.language ?? null });
    }
  }
  if (n === 0) warnings.push({ key: 'plans.draw.noEligibleCalls', params: {} });

  return {
    result: { algorithmVersion: ALGORITHM_VERSION, seed, rules, populationFingerprint, populationCount: n, picked, perOperator, warnings },
    sortedIds,
  };
}

/** Replaces the heap root with x and restores the heap (root = worst kept). */
function siftDown(heap: Uint32Array, base: number, size: number, x: number, better: (a: number, b: number) => boolean): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const worst = r < size && better(heap[base + l], heap[base + r]) ? r : l;
    if (!better(x, heap[base + worst])) break;
    heap[base + c] = heap[base + worst];
    c = worst;
  }
  heap[base + c] = x;
}

// ---------------------------------------------------------------------------------------------

export interface StoredPlan {
  seed: string;
  /** The rules as stored with the plan (JSON text or object). */
  rules: unknown;
  algorithmVersion: string;
  fingerprint: string;
  /** The calls the draw picked (origin 'draw' only: not calls added or carried over by hand). */
  pickedCallIds: readonly number[];
}

export interface VerifyResult {
  ok: boolean;
  /** i18n keys: plans.verify.algorithmChanged | rulesInvalid | populationChanged | callsDeleted | picksDiffer */
  reasons: string[];
  /** Stored picks that are no longer in the population (deleted since). Ascending. */
  missingCallIds: number[];
  /** Stored picks still in the population that the re-derived draw does not pick. Ascending. */
  unexpectedCallIds: number[];
  /** Calls the re-derived draw picks that the stored plan does not have. Ascending. */
  notStoredCallIds: number[];
}

/**
 * Re-derives a stored plan from its seed and rules over the current population and compares.
 * `currentPopulation` is the plan day's eligible calls as the repository sees them now, with
 * eligibility judged as of the draw (a call evaluated because of this plan still counts) and
 * deleted calls left out — so a deleted pick shows as plans.verify.callsDeleted.
 * plans.verify.picksDiffer is only claimed when the population is unchanged: then the stored picks
 * must be exactly the re-derived ones, and any difference means the plan was not drawn as recorded.
 */
export function verifyPlan(stored: StoredPlan, currentPopulation: readonly EligibleCall[]): VerifyResult {
  const empty = { missingCallIds: [], unexpectedCallIds: [], notStoredCallIds: [] };
  if (stored.algorithmVersion !== ALGORITHM_VERSION) {
    return { ok: false, reasons: ['plans.verify.algorithmChanged'], ...empty };
  }
  let rules: PlanRules;
  try {
    rules = parsePlanRules(stored.rules);
  } catch {
    return { ok: false, reasons: ['plans.verify.rulesInvalid'], ...empty };
  }
  const { result: redrawn, sortedIds } = drawWithIds({ seed: stored.seed, rules, calls: currentPopulation });
  const reasons: string[] = [];
  const populationChanged = redrawn.populationFingerprint !== stored.fingerprint;
  if (populationChanged) reasons.push('plans.verify.populationChanged');

  const present = { has: (id: number) => binarySearch(sortedIds, id) };
  const redrawnIds = new Set(redrawn.picked.map((p) => p.callId));
  const storedIds = new Set(stored.pickedCallIds);
  const missingCallIds = [...storedIds].filter((id) => !present.has(id)).sort((a, b) => a - b);
  const unexpectedCallIds = [...storedIds].filter((id) => present.has(id) && !redrawnIds.has(id)).sort((a, b) => a - b);
  const notStoredCallIds = [...redrawnIds].filter((id) => !storedIds.has(id)).sort((a, b) => a - b);

  if (missingCallIds.length > 0) reasons.push('plans.verify.callsDeleted');
  if (!populationChanged && (unexpectedCallIds.length > 0 || notStoredCallIds.length > 0 || storedIds.size !== stored.pickedCallIds.length)) {
    reasons.push('plans.verify.picksDiffer');
  }
  return { ok: reasons.length === 0, reasons, missingCallIds, unexpectedCallIds, notStoredCallIds };
}

function binarySearch(sorted: Float64Array | Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
