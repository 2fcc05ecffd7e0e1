// The admin import pages: upload a manifest with its recordings, watch the job's progress, read
// the result. Thin: parse the request, ask the service, render.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app-context';
import { audit } from '../../audit/audit';
import { NotFoundError, type FieldError } from '../../http/errors';
import { cleanupUploads } from '../../http/uploads';
import { idParam } from '../../http/guards';
import { ManifestError, DEFAULT_SOURCE, MANIFEST_COLUMNS, REQUIRED_COLUMNS, toExcelCsv, uploadedFileName, type RejectedRow } from './imports.manifest';
import * as repo from './imports.repository';
import { checkManifest, startWebImport } from './imports.service';

const PAGE_SIZE = 25;
const CALLS_PAGE_SIZE = 50;
/** Rejected rows shown on the page; all of them are in the CSV download. */
const REJECTED_ON_PAGE = 300;

const formSchema = z.object({
  source: z
    .string()
    .trim()
    .toLowerCase()
    .transform((s) => s || DEFAULT_SOURCE)
    .pipe(z.string().regex(/^[a-z0-9_.-]{1,32}$/, 'imports.form.sourceInvalid')),
});

function pageParam(req: Request): number {
  const n = Number(req.query.page);
  return Number.isInteger(n) && n > 0 && n < 100000 ? n : 1;
}

export function importsController(deps: AppDeps) {
  async function renderList(req: Request, res: Response, form: { values: Record<string, unknown>; errors: FieldError[] }, status = 200) {
    const page = pageParam(req);
    const [imports, total] = await Promise.all([repo.listImports(deps.db, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), repo.countImports(deps.db)]);
    res.status(status).renderPage('imports/list', {
      title: req.t('imports.list.title'),
      imports,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      total,
      requiredColumns: REQUIRED_COLUMNS,
      optionalColumns: MANIFEST_COLUMNS.filter((c) => !REQUIRED_COLUMNS.includes(c)),
      maxFiles: 2000,
      maxMb: Math.round(deps.config.maxUploadBytes / 1048576),
      ...form,
    });
  }

  return {
    async list(req: Request, res: Response) {
      await renderList(req, res, { values: { source: DEFAULT_SOURCE }, errors: [] });
    },

    async create(req: Request, res: Response) {
      const files = (req.files ?? {}) as Record<string, Express.Multer.File[]>;
      const manifest = files.manifest?.[0];
      const recordings = files.recordings ?? [];
      const values = { source: typeof req.body?.source === 'string' ? req.body.source : '' };
      try {
        const errors: FieldError[] = [];
        const parsed = formSchema.safeParse(values);
        if (!parsed.success) errors.push({ field: 'source', key: 'imports.form.sourceInvalid' });
        if (!manifest) errors.push({ field: 'manifest', key: 'imports.form.manifestRequired' });
        else {
          try {
            await checkManifest(manifest.path);
          } catch (e) {
            if (!(e instanceof ManifestError)) throw e;
            errors.push({ field: 'manifest', key: e.key, params: e.params });
          }
        }
        if (errors.length || !parsed.success || !manifest) return await renderList(req, res, { values, errors }, 400);
        const importId = await startWebImport(deps, {
          userId: req.user!.id,
          actor: req.user!.displayName,
          manifest: { path: manifest.path, name: uploadedFileName(manifest.originalname) },
          recordings: recordings.map((f) => ({ path: f.path, name: uploadedFileName(f.originalname) })),
          defaultSource: parsed.data.source,
          ip: req.ip,
        });
        res.redirect(303, `/admin/imports/${importId}`);
      } finally {
        // Files the import took were moved away; whatever is left is removed.
        cleanupUploads(req);
      }
    },

    async show(req: Request, res: Response) {
      const imp = await repo.findImport(deps.db, idParam(req));
      if (!imp) throw new NotFoundError();
      const page = pageParam(req);
      const [calls, callCount] = await Promise.all([
        repo.listImportedCalls(deps.db, imp.id, { limit: CALLS_PAGE_SIZE, offset: (page - 1) * CALLS_PAGE_SIZE }),
        repo.countImportedCalls(deps.db, imp.id),
      ]);
      res.renderPage('imports/show', {
        title: req.t('imports.show.title', { id: imp.id }),
        imp,
        rejected: imp.rejectedRows.slice(0, REJECTED_ON_PAGE),
        rejectedRowCount: new Set(imp.rejectedRows.map((r) => r.row)).size,
        moreRejected: imp.rejectedRows.length > REJECTED_ON_PAGE || imp.rejectedTruncated,
        calls,
        callCount,
        page,
        pages: Math.max(1, Math.ceil(callCount / CALLS_PAGE_SIZE)),
        live: imp.status === 'queued' || imp.status === 'running',
        scripts: imp.status === 'queued' || imp.status === 'running' ? ['imports'] : [],
      });
    },

    /** The progress bar's poll: small, no rejected rows. */
    async status(req: Request, res: Response) {
      const imp = await repo.findImport(deps.db, idParam(req));
      if (!imp) throw new NotFoundError();
      res.set('Cache-Control', 'no-store').json({
        id: imp.id,
        status: imp.status,
        statusLabel: req.t(`imports.status.${imp.status}`),
        progress: imp.status === 'done' ? 100 : imp.progress,
        totalRows: imp.totalRows,
        acceptedCount: imp.acceptedCount,
        alreadyCount: imp.alreadyCount,
        rejectedCount: imp.rejectedCount,
        recordingsStored: imp.recordingsStored,
        finished: imp.status === 'done' || imp.status === 'failed',
      });
    },

    /** Every stored rejected row, translated, for fixing the manifest in Excel. */
    async rejectedCsv(req: Request, res: Response) {
      const imp = await repo.findImport(deps.db, idParam(req));
      if (!imp) throw new NotFoundError();
      const rows: (string | number | null)[][] = [[req.t('imports.rejected.row'), 'external_id', req.t('imports.rejected.column'), req.t('imports.rejected.reason')]];
      for (const r of imp.rejectedRows as RejectedRow[]) rows.push([r.row, r.externalId, r.column, req.t(r.key, r.params ?? {})]);
      await audit(deps.db, { userId: req.user!.id, action: 'import.rejectedDownload', entityType: 'import', entityId: imp.id, ip: req.ip }, deps.clock);
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.attachment(`import-${imp.id}-rejected.csv`);
      res.send(toExcelCsv(rows, { guardFormulas: true }));
    },

    /** An empty manifest with every column and two example rows. */
    async template(req: Request, res: Response) {
      const header = [...MANIFEST_COLUMNS, 'extra.card_number'];
      const example1 = ['112-2026-000101', 'telephony', '2026-11-20 09:15:30', '2026-11-20 09:15:34', '2026-11-20 09:18:02', '148', 'OP-101', '+998901234567', 'uz', 'voice', 'medical', '103', 'TK', 'no', '', 'calls/112-2026-000101.wav', 'K-5531'];
      const example2 = ['112-2026-000102', 'telephony', '2026-11-20T09:21:05+05:00', '', '2026-11-20T09:21:40+05:00', '', 'OP-102', '+998712345678', 'ru', 'voice', 'road_accident', '102;103', "Farg'ona viloyati", 'yes', '', '', ''];
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.attachment('sifat-import-template.csv');
      res.send(toExcelCsv([header, example1, example2]));
    },

  };
}
