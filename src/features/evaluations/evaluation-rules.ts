// Who may see, edit and reopen an evaluation, and what a mark on the audio must satisfy. Pure:
// the service loads the facts, these functions decide, the tests call them directly.
import type { Role } from '../../auth/roles';
import { SEVERITIES, type Severity } from '../rubrics/rubric.model';

export const EVALUATION_STATUSES = ['draft', 'submitted', 'reopened'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

/** Statuses in which the specialist is still working on the evaluation. */
export const OPEN_STATUSES: readonly EvaluationStatus[] = ['draft', 'reopened'];

export function isOpen(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

export interface Viewer {
  id: number;
  role: Role;
  /** Teams the viewer supervises (empty for anyone but a supervisor). */
  supervisedTeamIds: readonly number[];
}

export interface EvaluationAccessFacts {
  specialistUserId: number;
  /** The team of the evaluated operator, null when the call has no operator or the operator no team. */
  operatorTeamId: number | null;
  status: string;
}

/**
 * Who may open an evaluation: its specialist; a supervisor when the operator is in one of their
 * teams (and only once it is handed in: a draft is the specialist's unfinished work, not yet a
 * judgement on the operator); an administrator always. Leadership sees aggregates only.
 */
export function canView(viewer: Viewer, e: EvaluationAccessFacts): boolean {
  switch (viewer.role) {
    case 'admin':
      return true;
    case 'specialist':
      return e.specialistUserId === viewer.id;
    case 'supervisor':
      return e.status !== 'draft' && e.operatorTeamId !== null && viewer.supervisedTeamIds.includes(e.operatorTeamId);
    default:
      return false;
  }
}

/** Only the specialist who owns it edits an evaluation, and only while it is open. */
export function canEdit(viewer: Viewer, e: EvaluationAccessFacts): boolean {
  return viewer.role === 'specialist' && e.specialistUserId === viewer.id && isOpen(e.status);
}

/** A submitted evaluation may be reopened by the operator's supervisor or an administrator. */
export function canReopen(viewer: Viewer, e: EvaluationAccessFacts): boolean {
  if (e.status !== 'submitted') return false;
  if (viewer.role === 'admin') return true;
  return viewer.role === 'supervisor' && e.operatorTeamId !== null && viewer.supervisedTeamIds.includes(e.operatorTeamId);
}

// ---------------------------------------------------------------------------------------------
// Marks

export const MARK_ERROR_KEYS = {
  invalidTimes: 'evaluations.marks.invalidTimes',
  outsideAudio: 'evaluations.marks.outsideAudio',
  unknownCriterion: 'evaluations.marks.unknownCriterion',
  unknownSeverity: 'evaluations.marks.unknownSeverity',
  duplicateKey: 'evaluations.marks.duplicateKey',
} as const;

/** A mark may end a hair after the audio: the browser's duration and ffprobe's differ by a frame. */
export const MARK_END_TOLERANCE_SEC = 0.25;

export interface MarkInput {
  key: string;
  startSec: number;
  endSec: number;
  note: string;
  criterionCode: string | null;
  severity: Severity | string | null;
  isError: boolean;
}

export interface MarkError {
  path: string;
  key: string;
  params?: Record<string, unknown>;
}

/**
 * Checks marks against the audio's length and the rubric version's criteria. The duration may be
 * unknown (a call without a recording): then only the order of start and end is checked.
 */
export function validateMarks(marks: readonly MarkInput[], opts: { durationSec: number | null; criterionCodes: ReadonlySet<string> }): MarkError[] {
  const errors: MarkError[] = [];
  const seen = new Set<string>();
  marks.forEach((m, i) => {
    const at = `marks.${i}`;
    if (seen.has(m.key)) errors.push({ path: `${at}.key`, key: MARK_ERROR_KEYS.duplicateKey });
    seen.add(m.key);
    if (!(m.startSec >= 0) || !(m.endSec > m.startSec)) {
      errors.push({ path: `${at}.startSec`, key: MARK_ERROR_KEYS.invalidTimes });
    } else if (opts.durationSec !== null && m.endSec > opts.durationSec + MARK_END_TOLERANCE_SEC) {
      errors.push({ path: `${at}.endSec`, key: MARK_ERROR_KEYS.outsideAudio, params: { duration: Math.round(opts.durationSec * 10) / 10 } });
    }
    if (m.criterionCode && !opts.criterionCodes.has(m.criterionCode)) {
      errors.push({ path: `${at}.criterionCode`, key: MARK_ERROR_KEYS.unknownCriterion, params: { code: m.criterionCode } });
    }
    if (m.severity && !(SEVERITIES as readonly string[]).includes(m.severity)) {
      errors.push({ path: `${at}.severity`, key: MARK_ERROR_KEYS.unknownSeverity });
    }
  });
  return errors;
}

/** Where a mark ends up inside the audio once stored: clipped to the duration (within tolerance). */
export function clampMark<T extends Pick<MarkInput, 'startSec' | 'endSec'>>(m: T, durationSec: number | null): T {
  if (durationSec === null) return m;
  return { ...m, startSec: Math.min(m.startSec, durationSec), endSec: Math.min(m.endSec, durationSec) };
}
