// Who may see which call, hear its recording, upload calls — and what counts as "playing" a
// recording for the audit log. Plain functions of the user and the call's scope; unit-tested.
import { AUDIO_ROLES, CALLER_NUMBER_ROLES, type Role } from '../../auth/roles';

export interface Viewer {
  id: number;
  role: Role;
  /** Set for operator accounts: the operator they are. */
  operatorId: number | null;
}

/** What access to one call depends on: whose call it is, and who supervises that operator's team. */
export interface CallScope {
  operatorId: number | null;
  teamSupervisorUserId: number | null;
}

/** Roles that work with individual calls (list, upload). Leadership sees aggregates only; operators only their own calls. */
export const CALL_LIST_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor'];
export const CALL_UPLOAD_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor'];
/** Roles that reach a call page (operators only their own calls; see canViewCall). */
export const CALL_PAGE_ROLES: readonly Role[] = ['admin', 'specialist', 'supervisor', 'operator'];

/** Admins and specialists see every call; a supervisor their teams' operators' calls; an operator their own. */
export function canViewCall(viewer: Viewer, call: CallScope): boolean {
  switch (viewer.role) {
    case 'admin':
    case 'specialist':
      return true;
    case 'supervisor':
      return call.teamSupervisorUserId !== null && call.teamSupervisorUserId === viewer.id;
    case 'operator':
      return viewer.operatorId !== null && call.operatorId === viewer.operatorId;
    default:
      return false;
  }
}

/** Listening follows AUDIO_ROLES (with the supervisor's team rule), plus an operator's own calls. Leadership never. */
export function canHearCall(viewer: Viewer, call: CallScope): boolean {
  if (viewer.role === 'operator') return canViewCall(viewer, call);
  return AUDIO_ROLES.includes(viewer.role) && canViewCall(viewer, call);
}

export function showsCallerNumber(role: Role): boolean {
  return CALLER_NUMBER_ROLES.includes(role);
}

/** Only specialists evaluate calls (the evaluation feature's route checks again). */
export function canEvaluate(role: Role): boolean {
  return role === 'specialist';
}

/**
 * Whether an audio request is the START of a playback, which the audit log records as
 * `recording.play`: a GET with no Range header, or one asking for the file from byte 0 with an
 * open end (`bytes=0-`, what a browser sends when playback begins). Later range requests (seeking,
 * buffering further on, `bytes=0-1` probes) are parts of the same playback and are not recorded.
 * HEAD requests never count. The player asks for the audio only on play (preload="none").
 */
export function isPlaybackStart(method: string, rangeHeader: string | undefined): boolean {
  if (method.toUpperCase() !== 'GET') return false;
  if (rangeHeader === undefined || rangeHeader.trim() === '') return true;
  return /^\s*bytes\s*=\s*0+\s*-\s*$/i.test(rangeHeader);
}
