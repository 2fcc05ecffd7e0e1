// Who sees which errors and operators. Pure: the repository turns a scope into a WHERE clause.
import type { Role } from '../../auth/roles';

/** The errors a user's lists cover. */
export type ErrorScope =
  | { kind: 'all' }
  /** the errors of operators in teams this supervisor leads */
  | { kind: 'supervisor'; userId: number }
  /** the errors this specialist found (in evaluations they made) */
  | { kind: 'specialist'; userId: number };

export interface Viewer {
  id: number;
  role: Role;
  operatorId?: number | null;
}

/** The inbox: supervisors their teams, specialists what they found, admin everything. */
export function inboxScope(user: Viewer): ErrorScope | null {
  if (user.role === 'admin') return { kind: 'all' };
  if (user.role === 'supervisor') return { kind: 'supervisor', userId: user.id };
  if (user.role === 'specialist') return { kind: 'specialist', userId: user.id };
  return null;
}

/** The analysis: specialists analyse the whole centre (B2.03.4), supervisors their teams. */
export function analysisScope(user: Viewer): ErrorScope | null {
  if (user.role === 'admin' || user.role === 'specialist') return { kind: 'all' };
  if (user.role === 'supervisor') return { kind: 'supervisor', userId: user.id };
  return null;
}

/** Only the supervisor of the operator's team (or an admin) follows an error up; specialists read. */
export function canActOnError(user: Viewer, teamSupervisorId: number | null): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'supervisor' && teamSupervisorId === user.id;
}

/**
 * An operator's page: admin and specialists every operator, a supervisor the operators of their
 * teams, an operator account their own page; leadership none (they see aggregates only).
 */
export function canSeeOperator(user: Viewer, operator: { id: number; teamSupervisorId: number | null }): boolean {
  switch (user.role) {
    case 'admin':
    case 'specialist':
      return true;
    case 'supervisor':
      return operator.teamSupervisorId === user.id;
    case 'operator':
      return user.operatorId != null && user.operatorId === operator.id;
    default:
      return false;
  }
}

/** Whether a role may follow links into recordings (leadership and operators may not). */
export function canListen(role: Role): boolean {
  return role === 'admin' || role === 'specialist' || role === 'supervisor';
}
