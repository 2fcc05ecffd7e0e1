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

/** One listening: audio requests of one user for one call less than this far apart. */
export const LISTENING_WINDOW_MS = 30 * 60_000;

/**
 * Whether an audio request starts a new listening, which the audit log records as
 * `recording.play`: any GET (whatever its Range — a client that skipped byte 0 still gets the
 * audio, so it must still be recorded) when the same user's last recorded listening of this call
 * is absent or older than LISTENING_WINDOW_MS. The range requests that follow within the window
 * (buffering further on, seeking, the player fetching the audio as the page opens and then
 * playing) are the same listening. HEAD requests carry no audio and never count.
 */
export function startsListening(method: string, lastListeningAt: Date | null, now: Date): boolean {
  if (method.toUpperCase() !== 'GET') return false;
  return lastListeningAt === null || now.getTime() - lastListeningAt.getTime() >= LISTENING_WINDOW_MS;
}
