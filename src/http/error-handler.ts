// The one error handler: known errors show their message with their status; anything else is a
// 500 with a generic page and a logged stack. HTML for pages, JSON for /api.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, NotFoundError, ValidationError, fieldErrorsFromZod } from './errors';
import { wantsJson } from './guards';
import { isDatabaseUnavailable } from '../db';
import { DEFAULT_LANGUAGE, translator } from '../i18n';

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFoundError());

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let key = 'http.server.text';
  let params: Record<string, unknown> = {};
  let fields: ValidationError['fields'] | undefined;
  const e = err as { code?: string; type?: string; status?: number };
  if (err instanceof AppError) {
    status = err.status;
    key = err.key;
    params = err.params;
    if (err instanceof ValidationError) fields = err.fields;
  } else if (err instanceof ZodError) {
    // A schema's parse() on request input that did not fit (a repeated parameter, a body of the wrong shape).
    status = 400;
    key = 'http.validation.text';
    fields = fieldErrorsFromZod(err.issues);
  } else if (err instanceof URIError) {
    // A path parameter that is not valid percent-encoding names nothing here.
    status = 404;
    key = 'http.notFound.text';
  } else if (e?.code === 'EBADCSRFTOKEN') {
    status = 403;
    key = 'http.csrf.text';
  } else if (e?.type === 'entity.too.large') {
    status = 413;
    key = 'http.tooLarge.text';
  } else if (e?.type === 'parameters.too.many') {
    status = 413;
    key = 'http.tooManyFields.text';
  } else if (e?.type === 'entity.parse.failed') {
    status = 400;
    key = 'http.badJson.text';
  } else if (isDatabaseUnavailable(err)) {
    // The database is away (restart, failover, timeout): this request fails, the process stays up.
    status = 503;
    key = 'platform.unavailable.text';
    req.log?.warn({ err: (err as Error)?.message }, 'database unavailable');
    if (!res.headersSent) res.set('Retry-After', '5');
  } else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && (e as { expose?: boolean }).expose) {
    // The body parsers' other refusals (unsupported charset or encoding, aborted or mis-sized body).
    status = e.status;
    key = 'http.generic.text';
  } else {
    req.log?.error({ err }, 'unhandled error');
  }
  if (res.headersSent) return;
  // Before the session was read (a database outage) the request has no language yet: the default one.
  const t = req.t ?? translator(DEFAULT_LANGUAGE);
  const message = t(key, params);
  res.status(status);
  if (wantsJson(req)) {
    res.json({ error: { status, key, message, fields: fields?.map((f) => ({ ...f, message: t(f.key, f.params) })) } });
    return;
  }
  const page = [401, 403, 404].includes(status) ? String(status) : status >= 500 ? '500' : 'generic';
  try {
    const title = status === 503 ? t('platform.unavailable.title') : t(`http.${page === 'generic' ? 'generic' : page === '401' ? 'unauthorized' : page === '403' ? 'forbidden' : page === '404' ? 'notFound' : 'server'}.title`);
    res.renderPage(`http/${page}`, { title, status, message, fields });
  } catch {
    res.type('text/plain').send(message);
  }
};
