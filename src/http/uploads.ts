// Multipart uploads land in a temporary folder (never under public/), with size limits; the CSRF
// check for multipart requests runs here, after the body is parsed, because the global check
// cannot read a multipart body.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import multer from 'multer';
import type { RequestHandler } from 'express';
import { csrfProtection } from './csrf';
import { normalizeDateFields } from './dates';
import { AppError } from './errors';

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
    limits: { fileSize: opts.maxFileBytes, files: opts.fields.reduce((n, f) => n + f.maxCount, 0), fieldSize: 2 * 1024 * 1024 },
  }).fields(opts.fields);
  const parse: RequestHandler = (req, res, next) => {
    m(req, res, (err: unknown) => {
      if (!err) {
        // The form's fields arrive only now: dates typed dd.mm.yyyy become ISO here (see dates.ts).
        normalizeDateFields(req.body);
        return next();
      }
      cleanupUploads(req);
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return next(new AppError(413, 'uploads.tooLarge', { maxMb: Math.round(opts.maxFileBytes / 1048576) }));
        return next(new AppError(400, 'uploads.invalid', { reason: err.code }));
      }
      next(err);
    });
  };
  const csrf: RequestHandler = (req, res, next) => {
    csrfProtection(req, res, (err?: unknown) => {
      if (err) cleanupUploads(req);
      next(err);
    });
  };
  return opts.csrf === false ? [parse] : [parse, csrf];
}

/** Removes every temporary upload of a request (called on failure and after processing). */
export function cleanupUploads(req: { files?: unknown }): void {
  const files = req.files;
  const list: { path: string }[] = Array.isArray(files) ? files : files && typeof files === 'object' ? Object.values(files as Record<string, { path: string }[]>).flat() : [];
  for (const f of list) fs.rm(f.path, { force: true }, () => undefined);
}
