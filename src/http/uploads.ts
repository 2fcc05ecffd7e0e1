// Multipart uploads land in a temporary folder (never under public/), with size limits; the CSRF
// check for multipart requests runs here, after the body is parsed, because the global check
// cannot read a multipart body.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import multer from 'multer';
import type { RequestHandler } from 'express';
import { csrfProtection, TAKES_MULTIPART } from './csrf';
import { normalizeDateFields } from './dates';
import { AppError, ValidationError } from './errors';
import { normalizeStrings, textProblem, textProblems } from './text';

/** Most fields a form may send (the urlencoded parser has the same limit): more is refused with 413. */
export const MAX_FORM_FIELDS = 5000;

export const UPLOAD_TMP_DIR = path.join(os.tmpdir(), 'sifat-uploads');

export interface UploadOptions {
  fields: { name: string; maxCount: number }[];
  maxFileBytes: number;
  /** API routes authenticate with a token, not a cookie, so they need no CSRF token. */
  csrf?: boolean;
}

export function uploadMiddleware(opts: UploadOptions): RequestHandler[] {
  fs.mkdirSync(UPLOAD_TMP_DIR, { recursive: true });
  const m = multer({
    // multer names temp files randomly; the client's file name is kept only as metadata.
    dest: UPLOAD_TMP_DIR,
    // Browsers send UTF-8 file names (Cyrillic, oʻ/gʻ); multer would read them as Latin-1.
    defParamCharset: 'utf8',
    limits: { fileSize: opts.maxFileBytes, files: opts.fields.reduce((n, f) => n + f.maxCount, 0), fieldSize: 2 * 1024 * 1024, fields: MAX_FORM_FIELDS },
  }).fields(opts.fields);
  const parse: RequestHandler = (req, res, next) => {
    m(req, res, (err: unknown) => {
      if (!err) {
        // The form's fields arrive only now: dates typed dd.mm.yyyy become ISO here (see dates.ts).
        normalizeDateFields(req.body);
        return next();
      }
      cleanupUploads(req);
      const refusal = uploadRefusal(err, opts.maxFileBytes);
      // A body that could not be parsed still answers "no valid token" first, as any other form would.
      if (opts.csrf === false) return next(refusal);
      req.body ??= {};
      csrfProtection(req, res, (csrfErr?: unknown) => next(csrfErr ?? refusal));
    });
  };
  (parse as unknown as Record<symbol, boolean>)[TAKES_MULTIPART] = true;
  const csrf: RequestHandler = (req, res, next) => {
    csrfProtection(req, res, (err?: unknown) => {
      if (err) cleanupUploads(req);
      next(err);
    });
  };
  // The form's fields and the files' names, as cleanBodies does for other bodies (http/text.ts).
  const clean: RequestHandler = (req, _res, next) => {
    const problems = textProblems(req.body ?? {});
    for (const f of uploadedFiles(req)) {
      f.originalname = f.originalname.normalize('NFC');
      const key = textProblem(f.originalname);
      if (key) problems.push({ field: f.fieldname, key: 'uploads.badFileName', params: { name: f.originalname.replace(/[^\p{L}\p{N} ._-]/gu, '?') } });
    }
    if (problems.length) {
      cleanupUploads(req);
      return next(new ValidationError(problems));
    }
    normalizeStrings(req.body);
    next();
  };
  return opts.csrf === false ? [parse, clean] : [parse, csrf, clean];
}

function uploadRefusal(err: unknown, maxFileBytes: number): unknown {
  if (!(err instanceof multer.MulterError)) return err;
  if (err.code === 'LIMIT_FILE_SIZE') return new AppError(413, 'uploads.tooLarge', { maxMb: Math.round(maxFileBytes / 1048576) });
  if (err.code === 'LIMIT_FIELD_COUNT' || err.code === 'LIMIT_PART_COUNT') return new AppError(413, 'http.tooManyFields.text');
  return new AppError(400, 'uploads.invalid', { reason: err.code });
}

function uploadedFiles(req: { files?: unknown }): Express.Multer.File[] {
  const files = req.files;
  return Array.isArray(files) ? files : files && typeof files === 'object' ? Object.values(files as Record<string, Express.Multer.File[]>).flat() : [];
}

/** Removes every temporary upload of a request (called on failure and after processing). */
export function cleanupUploads(req: { files?: unknown }): void {
  for (const f of uploadedFiles(req)) fs.rm(f.path, { force: true }, () => undefined);
}
