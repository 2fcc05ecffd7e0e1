// Dates in forms are typed as dd.mm.yyyy (times hh:mm, 24-hour) whatever the browser's locale
// (a native date input shows mm/dd/yyyy in an English browser). Before any controller reads a form
// or a query, the date fields it carries are turned into the ISO forms the schemas check:
// "07.12.2026" → "2026-12-07", "07.12.2026 09:30" → "2026-12-07T09:30". ISO input passes unchanged;
// anything else is left for the schema to refuse with its own message. Only the fields named below
// are touched, so a comment that happens to look like a date stays as written.
import type { RequestHandler } from 'express';

/** Form and query fields that carry a Tashkent day or a local date-time. */
export const DATE_FIELDS = new Set(['from', 'to', 'date', 'planDate', 'trainingDate', 'actionDue', 'deadline', 'startedAt', 'periodStart', 'periodEnd']);

/** dd.mm.yyyy[ hh:mm] → yyyy-mm-dd[Thh:mm]; anything else unchanged. Pure. */
export function dottedToIso(value: string): string {
  const m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]+(\d{1,2}):(\d{2}))?\s*$/.exec(value);
  if (!m) return value;
  const day = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return m[4] ? `${day}T${m[4].padStart(2, '0')}:${m[5]}` : day;
}

/** Rewrites the date fields of a parsed form body in place. */
export function normalizeDateFields(body: unknown): void {
  if (!body || typeof body !== 'object') return;
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (DATE_FIELDS.has(key) && typeof b[key] === 'string') b[key] = dottedToIso(b[key] as string);
}

/**
 * The middleware: the query string (rewritten in req.url, since Express 5 parses req.query from it
 * on every read) and a form body already parsed (multipart forms call normalizeDateFields after multer).
 */
export const normalizeDates: RequestHandler = (req, _res, next) => {
  const q = req.url.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(req.url.slice(q + 1));
    let changed = false;
    for (const [key, value] of [...params]) {
      if (!DATE_FIELDS.has(key)) continue;
      const iso = dottedToIso(value);
      if (iso !== value) {
        params.set(key, iso);
        changed = true;
      }
    }
    if (changed) req.url = `${req.url.slice(0, q)}?${params.toString()}`;
  }
  normalizeDateFields(req.body);
  next();
};
