// Parses the evaluation requests, calls the service, renders or answers JSON. No SQL here.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { ValidationError } from '../../http/errors';
import { flash, idParam } from '../../http/guards';
import { maskCallerNumber } from '../../auth/roles';
import { flattenCriteria, SEVERITIES } from '../rubrics/rubric.model';
import { draftSchema, listQuerySchema, LIST_STATUSES, reopenSchema, submitSchema, zodFieldErrors } from './evaluations.schema';
import * as service from './evaluations.service';
import { scorableDefinition } from './scoring';
import { recordingShortfall } from '../calls/calls.model';
import { peaksOverview } from '../calls/recordings.service';
import { suggestionsFor } from '../checks';

/** Keys the page's script needs, translated on the server into the user's language. */
const CLIENT_KEYS = [
  'evaluations.autosave.saving', 'evaluations.autosave.saved', 'evaluations.autosave.upToDate', 'evaluations.autosave.unsaved', 'evaluations.autosave.offline',
  'evaluations.autosave.failed', 'evaluations.save.stale', 'evaluations.save.invalid', 'evaluations.edit.notEditable',
  'evaluations.submit.confirmLowHeard', 'evaluations.submit.incompleteClient', 'evaluations.submit.submitting', 'evaluations.submit.failed',
  'evaluations.complex.reasonRequired',
  'evaluations.score.none', 'evaluations.score.answered', 'evaluations.score.criticalFailure',
  'evaluations.result.high', 'evaluations.result.compliant', 'evaluations.result.partial', 'evaluations.result.low', 'evaluations.result.critical_fail',
  'evaluations.marks.none', 'evaluations.marks.untitled', 'evaluations.marks.markingFrom', 'evaluations.marks.deleteConfirm',
  'evaluations.marks.error', 'evaluations.marks.playFrom', 'evaluations.heard.label',
  'evaluations.player.loading', 'evaluations.player.preparing', 'evaluations.player.failed', 'evaluations.player.decoding',
  'evaluations.player.silence', 'evaluations.player.laneOperator', 'evaluations.player.laneCaller',
  'evaluations.severity.minor', 'evaluations.severity.major', 'evaluations.severity.critical',
];

function numberQuery(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function evaluationsController(deps: AppDeps) {
  const { db } = deps;

  return {
    /** POST /calls/:id/evaluate — open (or start) the specialist's evaluation of the call. */
    async openForCall(req: Request, res: Response) {
      const callId = idParam(req);
      const { evaluationId, created } = await service.openEvaluationForCall(deps, req.user!, callId, req.ip);
      if (created) flash(req, { type: 'info', key: 'evaluations.open.created' });
      res.redirect(303, `/evaluations/${evaluationId}`);
    },

    /** GET /evaluations — the viewer's evaluations with filters. */
    async list(req: Request, res: Response) {
      const viewer = await service.viewerFor(db, req.user!);
      const query = listQuerySchema.parse(req.query);
      const result = await service.listForViewer(db, viewer, query);
      const params = new URLSearchParams();
      if (query.status) params.set('status', query.status);
      if (query.from) params.set('from', query.from);
      if (query.to) params.set('to', query.to);
      if (query.complex) params.set('complex', query.complex);
      const base = params.toString();
      res.renderPage('evaluations/list', {
        title: req.t('evaluations.list.title'),
        query,
        statuses: LIST_STATUSES,
        ...result,
        filtered: Boolean(query.status || query.from || query.to || query.complex),
        pager: { page: result.page, pages: result.pages, href: (p: number) => `/evaluations?${base ? `${base}&` : ''}page=${p}` },
      });
    },

    /** GET /evaluations/:id — the player, the marks and the rubric form. */
    async show(req: Request, res: Response) {
      const id = idParam(req);
      const viewer = await service.viewerFor(db, req.user!);
      const data = await service.loadEvaluationPage(deps, viewer, id);
      await renderShow(req, res, deps, data, { reopenErrors: [], reopenReason: '' });
    },

    /** PUT /evaluations/:id/draft — autosave (JSON). */
    async saveDraft(req: Request, res: Response) {
      const id = idParam(req);
      const parsed = draftSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error.issues), 'evaluations.save.invalid');
      const viewer = await service.viewerFor(db, req.user!);
      const result = await service.saveDraft(deps, viewer, id, parsed.data);
      res.json(result);
    },

    /** POST /evaluations/:id/submit — hand in (JSON). */
    async submit(req: Request, res: Response) {
      const id = idParam(req);
      const parsed = submitSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error.issues), 'evaluations.save.invalid');
      const viewer = await service.viewerFor(db, req.user!);
      const result = await service.submitEvaluation(deps, viewer, id, parsed.data, req.ip);
      flash(req, { type: 'success', key: 'evaluations.submit.done', params: { score: result.score == null ? '—' : req.fmt.number(result.score, 1) } });
      res.json({ ...result, redirect: `/evaluations/${id}` });
    },

    /** POST /evaluations/:id/reopen — a supervisor sends it back with a reason (form). */
    async reopen(req: Request, res: Response) {
      const id = idParam(req);
      const viewer = await service.viewerFor(db, req.user!);
      const parsed = reopenSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        const data = await service.loadEvaluationPage(deps, viewer, id);
        res.status(400);
        return renderShow(req, res, deps, data, { reopenErrors: zodFieldErrors(parsed.error.issues).map((f) => ({ ...f, field: 'reason' })), reopenReason: String(req.body?.reason ?? '').slice(0, 1000) });
      }
      await service.reopenEvaluation(deps, viewer, id, parsed.data.reason, req.ip);
      flash(req, { type: 'success', key: 'evaluations.reopen.done' });
      res.redirect(303, `/evaluations/${id}`);
    },
  };
}

async function renderShow(req: Request, res: Response, deps: AppDeps, data: service.EvaluationPageData, extra: { reopenErrors: { field: string; key: string }[]; reopenReason: string }) {
  const { evaluation, call, definition } = data;
  const criteria = flattenCriteria(definition);
  const t = req.t;
  const facts = call.recording?.facts ?? null;
  const rec = call.recording;
  const hasAudio = Boolean(rec);
  // A video call without an audio track has no waveform: the timeline runs over a flat line.
  const hasSound = !rec || rec.status !== 'ready' || rec.hasPeaks || !rec.hasVideo;
  // The waveform's coarse overview goes into the page itself: the player draws it the moment its
  // script runs, with no request (the detail follows from /peaks.dat).
  const overview = rec?.hasPeaks && rec.peaksKey ? await peaksOverview(deps.config, rec.peaksKey).catch(() => null) : null;
  const clientState = {
    evaluationId: evaluation.id,
    revision: evaluation.revision,
    status: evaluation.status,
    editable: data.editable,
    callId: call.id,
    audioUrl: hasAudio ? `/calls/${call.id}/audio` : null,
    overviewUrl: rec?.hasPeaks && !overview ? `/calls/${call.id}/peaks-overview.dat` : null,
    overviewData: overview ? Buffer.from(overview.bytes.buffer, overview.bytes.byteOffset, overview.bytes.byteLength).toString('base64') : null,
    overviewReduced: overview?.reduced ?? false,
    peaksUrl: hasAudio && hasSound ? `/calls/${call.id}/peaks.dat` : null,
    hasSound,
    isVideo: Boolean(rec?.hasVideo),
    /** The page's media element gets its source in the HTML when the recording is prepared. */
    streamNow: rec?.status === 'ready',
    durationSec: data.durationSec,
    silences: facts?.silences ?? [],
    startAt: numberQuery(req.query.t),
    definition: scorableDefinition(definition),
    bands: deps.config.scoreBands,
    minHeardShare: deps.config.minHeardShare,
    marks: data.marks.map((m) => ({ key: m.key, startSec: m.startSec, endSec: m.endSec, note: m.note, criterionCode: m.criterionCode, severity: m.severity, isError: m.isError })),
    played: evaluation.playedIntervals,
    criteria: criteria.map((c) => ({ code: c.code, defaultSeverity: c.defaultSeverity, critical: c.critical })),
    lang: req.lang,
    messages: Object.fromEntries(CLIENT_KEYS.map((k) => [k, t(k)])),
  };
  res.renderPage('evaluations/show', {
    title: t('evaluations.show.title', { call: call.externalId }),
    scripts: ['evaluation', 'suggestions'],
    // The bound checks' suggestions with their evidence: shown beside the criteria, never filled in.
    checkSuggestions: await suggestionsFor(deps, call.id, definition),
    data,
    criteria,
    callerNumber: maskCallerNumber(call.callerNumber, req.user!.role),
    severities: SEVERITIES,
    clientState,
    reopenErrors: extra.reopenErrors,
    reopenReason: extra.reopenReason,
    shortfall: recordingShortfall(call.durationSec, rec?.durationSec),
  });
}
