// The audit log as an administrator reads it: actions by their translated names (audit.action.*),
// the user by display name with a link, the object as a link to its page, and the details as a
// short sentence instead of JSON. Pure functions for the wording; the two small queries (actions for
// the select, users' names) sit beside them because only this page needs them.
import type { Knex } from 'knex';
import type { AuditRow } from '../../audit/audit';
import type { Formatters, Translate } from '../../i18n';

/** Locale key of an action's name: dots become underscores (audit.action.recording_play). */
export function actionKey(action: string): string {
  return `audit.action.${action.replace(/\./g, '_')}`;
}

/** An action's name in the user's language; the code itself when it has none (a newer action). */
export function actionLabel(t: Translate, action: string): string {
  const key = actionKey(action);
  const label = t(key);
  return label && label !== key ? label : action;
}

/** The page of an audited object, when it has one. Pure. */
export function entityHref(entityType: string | null, entityId: string | null): string | null {
  if (!entityType || !entityId || !/^\d+$/.test(entityId)) return null;
  const pages: Record<string, string> = {
    call: '/calls/', evaluation: '/evaluations/', error: '/errors/', user: '/admin/users/', operator: '/operators/', digest: '/digests/',
    training: '/training/', rubric: '/rubrics/', calibration_session: '/calibration/', import: '/admin/imports/', plan: '/plans/',
  };
  const base = pages[entityType];
  if (!base) return null;
  return entityType === 'user' ? `${base}${entityId}/edit` : `${base}${entityId}`;
}

/** The object's kind in the user's language, and its number. */
export function entityLabel(t: Translate, entityType: string | null, entityId: string | null): string {
  if (!entityType) return '';
  const key = `audit.entity.${entityType}`;
  const kind = t(key);
  return `${kind && kind !== key ? kind : entityType}${entityId ? ` #${entityId}` : ''}`;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function valueText(t: Translate, fmt: Formatters, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  if (typeof v === 'number') return fmt.number(v);
  if (typeof v === 'string') return ISO_INSTANT.test(v) ? fmt.dateTime(v) : ISO_DAY.test(v) ? fmt.date(v) : v.length > 120 ? `${v.slice(0, 117)}…` : v;
  if (Array.isArray(v)) return v.length > 8 ? `${v.slice(0, 8).map((x) => valueText(t, fmt, x)).join(', ')}, …` : v.map((x) => valueText(t, fmt, x)).join(', ');
  const entries = Object.entries(v as Record<string, unknown>);
  return `(${entries.slice(0, 6).map(([k, x]) => `${detailLabel(t, k)}: ${valueText(t, fmt, x)}`).join('; ')}${entries.length > 6 ? '; …' : ''})`;
}

/** A detail's name: translated when the locale has it, else the code split into words (scoreBefore → score before). */
export function detailLabel(t: Translate, key: string): string {
  const k = `audit.detail.${key}`;
  const label = t(k);
  return label && label !== k ? label : key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/** The details as readable text: "Score: 94.4; Result: high; Heard: 0.8". Pure. */
export function detailsText(t: Translate, fmt: Formatters, details: Record<string, unknown> | null): string {
  if (!details) return '';
  // A share (heardShare 0.8) reads as a percentage.
  return Object.entries(details).map(([k, v]) => `${detailLabel(t, k)}: ${/Share$/.test(k) && typeof v === 'number' ? `${fmt.number(v * 100, 0)} %` : valueText(t, fmt, v)}`).join('; ');
}

/** Every action in the log, for the filter's select. */
export async function auditActions(db: Knex): Promise<string[]> {
  return (await db('audit_log').distinct('action').orderBy('action')).map((r: { action: string }) => r.action);
}

/** Display names of the users who appear on the page. */
export async function displayNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db('users').whereIn('id', [...new Set(ids)]).select('id', 'display_name');
  return new Map(rows.map((r: { id: number; display_name: string }) => [Number(r.id), r.display_name]));
}

export interface AuditLine {
  id: number;
  at: string;
  user: { name: string; href: string | null } | null;
  subject: string | null;
  action: string;
  actionLabel: string;
  entity: { label: string; href: string | null } | null;
  ip: string | null;
  details: string;
}

/** The rows as the page shows them. Pure. */
export function auditLines(rows: AuditRow[], names: Map<number, string>, t: Translate, fmt: Formatters): AuditLine[] {
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    user: r.userId != null ? { name: names.get(r.userId) ?? r.username ?? `#${r.userId}`, href: `/admin/users/${r.userId}/edit` } : null,
    subject: r.subject,
    action: r.action,
    actionLabel: actionLabel(t, r.action),
    entity: r.entityType ? { label: entityLabel(t, r.entityType, r.entityId), href: entityHref(r.entityType, r.entityId) } : null,
    ip: r.ip,
    details: detailsText(t, fmt, r.details),
  }));
}
