// Pages of the calls feature: the list, a call's page, the browser upload, the preparation status.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { maskCallerNumber } from '../../auth/roles';
import { audit } from '../../audit/audit';
import { retentionNotice } from '../retention/retention.service';
import { AppError, ValidationError, type FieldError } from '../../http/errors';
import { idParam, wantsJson } from '../../http/guards';
import { cleanupUploads } from '../../http/uploads';
import { tashkentClock, tashkentDate, tashkentToday } from '../../time';
import { callFacts, callsArrived } from '../facts/facts.service';
import { listOperators, listRegions, listTeams, teamIdsSupervisedBy } from '../users/users.repository';
import { CALL_CARD_FIELDS, CALL_CARD_MANDATORY_FIELDS } from './call-card';
import { encodeCursor, filtersToQuery, parseCallListQuery, queryString, CALL_SORTS } from './calls.filters';
import { CALL_CATEGORIES, CALL_CHANNELS, CALL_LANGUAGES, CALL_SERVICES, isCallCategory, recordingShortfall } from './calls.model';
import { canEvaluate, canHearCall, showsCallerNumber, type Viewer } from './calls.policy';
import * as repo from './calls.repository';
import { metadataFromUploadForm, parseCallMetadata, type UploadFormBody } from './calls.schema';
import * as service from './calls.service';
import * as recRepo from './recordings.repository';
import { ensureRecordingPrepared, preparationState, type PreparationState } from './recordings.service';

export function viewerOf(req: Request): Viewer {
  const u = req.user!;
  return { id: u.id, role: u.role, operatorId: u.operatorId };
}

/** Operators and teams a viewer may pick: all, or a supervisor's own. */
async function pickableOrganisation(deps: AppDeps, viewer: Viewer) {
  if (viewer.role === 'supervisor') {
    const teamIds = await teamIdsSupervisedBy(deps.db, viewer.id);
    const [operators, teams] = await Promise.all([teamIds.length ? listOperators(deps.db, { teamIds }) : Promise.resolve([]), listTeams(deps.db)]);
    return { operators, teams: teams.filter((t) => teamIds.includes(t.id)) };
  }
  const [operators, teams] = await Promise.all([listOperators(deps.db), listTeams(deps.db)]);
  return { operators, teams };
}

/** A few card values read better translated or formatted; the raw text stays in the XML view. */
function cardValueForDisplay(req: Request, name: string, v: unknown): string | null {
  if (v == null || v === '') return null;
  if (name === 'createdAt' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return req.fmt.dateTime(v);
  if (name === 'incidentType' && isCallCategory(v)) return req.t(`calls.category.${v}`);
  if (name === 'servicesRouted' && Array.isArray(v)) {
    return v.map((s) => ((CALL_SERVICES as readonly string[]).includes(String(s)) ? req.t(`calls.service.${s}.long`) : String(s))).join(', ');
  }
  return null;
}

/** The caller's name, for the roles that see the number; hidden from the others, like the number. */
function callerNameFor(name: string, role: Viewer['role'], req: Request): string {
  if (!name) return name;
  return showsCallerNumber(role) ? name : req.t('calls.show.masked');
}

function translatePreparation(req: Request, state: PreparationState | null) {
  if (!state) return null;
  return { ...state, errorMessage: state.error ? req.t(state.error.key, state.error.params) : null };
}

export function callsController(deps: AppDeps) {
  async function renderUpload(req: Request, res: Response, data: { values: Record<string, unknown>; errors: FieldError[]; results?: unknown[] }, status = 200) {
    const viewer = viewerOf(req);
    const [{ operators }, regions] = await Promise.all([pickableOrganisation(deps, viewer), listRegions(deps.db)]);
    res.status(status).renderPage('calls/upload', {
      title: req.t('calls.upload.title'),
      scripts: ['upload'],
      operators: operators.filter((o) => o.isActive),
      regions,
      callLanguages: CALL_LANGUAGES,
      channels: CALL_CHANNELS,
      categories: CALL_CATEGORIES,
      services: CALL_SERVICES,
      maxMb: Math.floor(deps.config.maxUploadBytes / 1048576),
      maxMinutes: Math.floor(deps.config.maxRecordingSeconds / 60),
      results: data.results ?? [],
      values: data.values,
      errors: data.errors,
    });
  }

  return {
    async list(req: Request, res: Response) {
      const viewer = viewerOf(req);
      const today = tashkentToday(deps.clock);
      const { filters, cursor, errors } = parseCallListQuery(req.query as Record<string, unknown>, { today, maxDays: deps.config.maxReportDays });
      const [page, org, regions] = await Promise.all([
        service.listCallsPage(deps, viewer, { filters, cursor, lang: req.lang }),
        pickableOrganisation(deps, viewer),
        listRegions(deps.db),
      ]);
      const base = filtersToQuery(filters);
      const href = (extra: Record<string, string> = {}) => `/calls?${queryString({ ...base, ...extra })}`;
      res.renderPage('calls/list', {
        title: req.t('calls.list.title'),
        filters,
        errors,
        rows: page.rows.map((r) => ({ ...r, startedClock: tashkentClock(r.startedAt), callerNumberShown: maskCallerNumber(r.callerNumber, viewer.role) })),
        total: page.total,
        links: {
          first: cursor ? href() : null,
          prev: page.prev ? href({ before: encodeCursor(page.prev) }) : null,
          next: page.next ? href({ after: encodeCursor(page.next) }) : null,
          reset: '/calls',
        },
        operators: org.operators,
        teams: org.teams,
        regions,
        categories: CALL_CATEGORIES,
        callLanguages: CALL_LANGUAGES,
        sorts: CALL_SORTS,
        canUpload: true,
      });
    },

    async show(req: Request, res: Response) {
      const viewer = viewerOf(req);
      const call = await service.callForViewer(deps, viewer, idParam(req));
      // A blind second reviewer must not see the review they are checking.
      const blind = viewer.role === 'specialist' && (await repo.owesBlindReview(deps.db, viewer.id, call.id));
      const [card, callbacks, recording, evaluations, callbackOf, facts] = await Promise.all([
        repo.findCallCard(deps.db, call.id),
        repo.listCallbacks(deps.db, call.id),
        call.recordingId ? recRepo.findRecording(deps.db, call.recordingId) : Promise.resolve(null),
        repo.listCallEvaluations(deps.db, call.id, blind ? { blindFor: viewer.id } : {}),
        call.callbackOfCallId ? repo.findCallDetail(deps.db, call.callbackOfCallId) : Promise.resolve(null),
        callFacts(deps, call.id),
      ]);
      // Deleted under retention: the page says when and under which policy, and nothing is prepared.
      const retention = await retentionNotice(deps.db, call.id, recording?.id ?? null);
      // Opening a call is one of the two ways its media gets prepared (the other: a plan draws it).
      const preparation = recording && !retention.purged ? await ensureRecordingPrepared(deps, recording.id) : null;
      const fresh = recording && preparation?.status === 'ready' && recording.status !== 'ready' ? await recRepo.findRecording(deps.db, recording.id) : recording;
      const scope = { operatorId: call.operatorId, teamSupervisorUserId: call.teamSupervisorUserId };
      // Reading the caller's number, name or card is evidence too (only roles that see them unmasked).
      if (showsCallerNumber(viewer.role) && (call.callerNumber || card)) {
        await audit(deps.db, { userId: viewer.id, action: 'call.viewPersonal', entityType: 'call', entityId: call.id, ip: req.ip, details: { callerNumber: Boolean(call.callerNumber), card: Boolean(card) } }, deps.clock);
      }
      res.renderPage('calls/show', {
        title: req.t('calls.show.title', { id: call.externalId }),
        scripts: ['call-page'],
        call,
        callerNumberShown: maskCallerNumber(call.callerNumber, viewer.role),
        callerNumberMasked: !showsCallerNumber(viewer.role),
        callbackOf,
        callbacks,
        card: card
          ? {
              ...card,
              // The extracted values stay on the server for roles that see only masked ones.
              fields: showsCallerNumber(viewer.role) ? card.fields : {},
              rows: service.cardRows(card, Object.keys(CALL_CARD_FIELDS), CALL_CARD_MANDATORY_FIELDS).map((r) => ({
                ...r,
                value: r.name === 'callerPhone' ? maskCallerNumber(r.value, viewer.role) : r.name === 'callerName' ? callerNameFor(r.value, viewer.role, req) : (cardValueForDisplay(req, r.name, card.fields[r.name]) ?? r.value),
              })),
              // The document as received holds the caller's number and name: only for roles that may see them.
              xml: showsCallerNumber(viewer.role) ? card.xml : null,
            }
          : null,
        recording: fresh,
        shortfall: recordingShortfall(call.durationSec, fresh?.durationSec),
        preparation: translatePreparation(req, preparation),
        evaluations,
        canHear: canHearCall(viewer, scope),
        canEvaluate: canEvaluate(viewer.role),
        canRetry: viewer.role !== 'operator',
        regionName: call.regionNames ? res.locals.localized(call.regionNames) : null,
        backHref: viewer.role === 'operator' ? '/' : '/calls',
        silenceMinSeconds: deps.config.silenceMinSeconds,
        holdMinSeconds: deps.config.holdMinSeconds,
        callFacts: facts,
        retention,
      });
    },

    /** JSON for the call page's poller: where preparation stands. */
    async preparation(req: Request, res: Response) {
      const viewer = viewerOf(req);
      const call = await service.callForViewer(deps, viewer, idParam(req));
      const recording = call.recordingId ? await recRepo.findRecording(deps.db, call.recordingId) : null;
      if (!recording) throw new AppError(404, 'calls.audio.none');
      res.set('Cache-Control', 'no-store').json({ preparation: translatePreparation(req, await preparationState(deps, recording)) });
    },

    async uploadForm(req: Request, res: Response) {
      const now = deps.clock();
      await renderUpload(req, res, { values: { startedAt: `${tashkentDate(now)}T${tashkentClock(now)}`, language: 'uz', channel: 'voice', services: [] }, errors: [] });
    },

    async upload(req: Request, res: Response) {
      const viewer = viewerOf(req);
      const body = req.body as UploadFormBody;
      const values = { ...body, services: body.services === undefined ? [] : ([] as string[]).concat(body.services) };
      const files = ((req.files as Record<string, Express.Multer.File[]> | undefined)?.recording ?? []);
      try {
        const fields: FieldError[] = [];
        if (!files.length) fields.push({ field: 'recording', key: 'calls.upload.noFile' });
        if (files.length > 1 && String(body.externalId ?? '').trim()) fields.push({ field: 'externalId', key: 'calls.upload.externalIdOneFile' });
        const first = parseCallMetadata(metadataFromUploadForm(body, service.generateExternalId(deps.clock)));
        if (!first.ok) fields.push(...first.fields);
        const actor: service.IngestActor = { userId: viewer.id, supervisorUserId: viewer.role === 'supervisor' ? viewer.id : null, ip: req.ip, via: 'upload' };
        if (!fields.length && first.ok) {
          try {
            await service.validateCallReferences(deps, first.value, actor);
          } catch (e) {
            if (e instanceof ValidationError) fields.push(...e.fields);
            else throw e;
          }
        }
        if (fields.length) {
          if (wantsJson(req)) throw new ValidationError(fields);
          return await renderUpload(req, res, { values, errors: fields }, 400);
        }

        const results: service.UploadResult[] = [];
        for (const file of files) {
          const parsed = parseCallMetadata(metadataFromUploadForm(body, service.generateExternalId(deps.clock)));
          if (!parsed.ok) throw new ValidationError(parsed.fields); // the same form just validated: cannot happen
          const displayName = service.cleanOriginalName(file.originalname) ?? '';
          try {
            const externalIdGenerated = !String(body.externalId ?? '').trim();
            const r = await service.ingestCall(deps, { metadata: parsed.value, recording: { path: file.path, originalName: file.originalname }, actor, externalIdGenerated });
            if (r.outcome === 'created') await callsArrived(deps, { recordingIds: [r.recordingId] });
            const message = r.outcome === 'duplicate' && externalIdGenerated ? req.t('calls.upload.result.alreadyUploaded', { id: r.callId }) : req.t(`calls.upload.result.${r.outcome}`);
            results.push({ file: displayName, outcome: r.outcome, callId: r.callId, url: `/calls/${r.callId}`, message });
          } catch (e) {
            if (!(e instanceof AppError) || e.status >= 500 || e instanceof ValidationError) throw e;
            results.push({ file: displayName, outcome: 'rejected', status: e.status, key: e.key, message: req.t(e.key, e.params) });
          }
        }
        const status = service.uploadResponseStatus(results);
        if (wantsJson(req)) {
          const rejected = results.length === 1 && results[0]!.outcome === 'rejected' ? results[0]! : null;
          res.status(status).json({ results, ...(rejected ? { error: { status, key: rejected.key, message: rejected.message } } : {}) });
          return;
        }
        await renderUpload(req, res, { values, errors: [], results }, status);
      } finally {
        cleanupUploads(req);
      }
    },
  };
}

