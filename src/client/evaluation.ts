// The evaluation page: the player with marks (drag on the waveform or press M twice), the rubric
// with a live score (the same scoring module as the server), autosave with optimistic concurrency
// (every few seconds when changed, and on leaving the page), the played stretches, and submit.
import { confirmDialog, csrfToken, localeTag, tashkentTime } from './common';
import { createPlayer, formatTime, shortcutBlocked, type Player, type Region } from './player';
import { scoreEvaluation, type Answers, type ScorableDefinition, type ScoreBands } from '../features/evaluations/scoring';
import { heardShare, PlaybackTracker } from '../features/evaluations/heard';

interface Mark {
  key: string;
  startSec: number;
  endSec: number;
  note: string;
  criterionCode: string | null;
  severity: string | null;
  isError: boolean;
}

interface PageState {
  evaluationId: number;
  revision: number;
  status: string;
  editable: boolean;
  callId: number;
  audioUrl: string | null;
  overviewUrl: string | null;
  /** The overview's .dat bytes in base64, written into the page (then no request for it). */
  overviewData: string | null;
  overviewReduced: boolean;
  peaksUrl: string | null;
  hasSound: boolean;
  durationSec: number | null;
  silences: Array<{ startSec: number; endSec: number }>;
  startAt: number | null;
  definition: ScorableDefinition;
  bands: ScoreBands;
  minHeardShare: number;
  marks: Mark[];
  played: Array<[number, number]>;
  criteria: Array<{ code: string; defaultSeverity: string; critical: boolean }>;
  lang: string;
  messages: Record<string, string>;
}

interface ApiError {
  error?: { status: number; key: string; message: string; fields?: Array<{ field: string; key: string; message: string }> };
}

const AUTOSAVE_MS = 4000;
const MARK_COLOR = 'rgba(201, 138, 0, 0.28)';
const ERROR_MARK_COLOR = 'rgba(180, 35, 24, 0.28)';
const SELECTED_OUTLINE = 'inset 0 0 0 2px rgba(15, 92, 140, .9)';

const stateEl = document.getElementById('evaluation-state');
if (stateEl) {
  // Marks for the player benchmark: how long the page's own script takes to set itself up.
  performance.mark('evaluation:init-start');
  init(JSON.parse(stateEl.textContent || '{}') as PageState);
  performance.mark('evaluation:init-end');
}

function init(state: PageState): void {
  const page = document.querySelector<HTMLElement>('[data-evaluation]')!;
  const form = document.querySelector<HTMLFormElement>('[data-role="rubric"]')!;
  const msg = (key: string, params: Record<string, string | number> = {}) =>
    (state.messages[key] ?? key).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(params[name] ?? ''));
  // Made when the score is first shown, not at start: the first Intl object of a locale loads its data.
  let numberFmt: Intl.NumberFormat | null = null;
  const $ = <T extends Element = HTMLElement>(sel: string, root: ParentNode = document) => root.querySelector<T>(sel);

  let revision = state.revision;
  let editable = state.editable;
  /** Bumped on every change; a save clears the dirty state only if nothing changed while it ran. */
  let changeSeq = 0;
  let savedSeq = 0;
  /** A save refused as invalid is not retried until something changes again. */
  let invalidSeq = -1;
  let inFlight: Promise<void> | null = null;
  let blocked = false;
  let lastPlayedSaved = 0;

  const marks = new Map<string, Mark>();
  for (const m of state.marks) marks.set(m.key, { ...m });
  const regionsByKey = new Map<string, Region>();
  let selectedKey: string | null = null;
  let markingFrom: number | null = null;

  const tracker = new PlaybackTracker(state.played, state.durationSec);
  const durationFor = () => (player ? player.duration() : 0) || state.durationSec || 0;

  // ---- player ----
  const playerEl = $<HTMLElement>('[data-evaluation-player]');
  const player: Player | null = playerEl && state.audioUrl ? createPlayer(playerEl, {
    audioUrl: state.audioUrl,
    overviewUrl: state.overviewUrl,
    overview: state.overviewData ? { base64: state.overviewData, reduced: state.overviewReduced } : null,
    peaksUrl: state.peaksUrl,
    hasSound: state.hasSound,
    durationSec: state.durationSec,
    laneLabels: [msg('evaluations.player.laneOperator'), msg('evaluations.player.laneCaller')],
    silences: state.silences,
    silenceLabel: msg('evaluations.player.silence'),
    startAt: state.startAt,
    messages: {
      loading: msg('evaluations.player.loading'),
      preparing: msg('evaluations.player.preparing'),
      failed: msg('evaluations.player.failed'),
      decoding: msg('evaluations.player.decoding'),
    },
  }) : null;

  if (player) {
    const { ws, regions } = player;
    ws.on('timeupdate', (t) => {
      if (ws.isPlaying()) tracker.tick(t);
      updateHeard();
    });
    ws.on('pause', () => tracker.stop());
    ws.on('seeking', () => tracker.stop());
    ws.on('finish', () => tracker.stop());

    player.ready.then(() => {
      for (const m of marks.values()) addRegionFor(m);
      if (editable) regions.enableDragSelection({ color: MARK_COLOR });
      page.dataset.marksReady = '1';
    });

    regions.on('region-created', (region) => {
      if (player.silenceIds.has(region.id) || regionsByKey.has(region.id)) return;
      // Regions made from marks (loaded, or made with M) are announced while addRegion runs.
      const known = marks.get(region.id);
      if (known) return bindRegion(known, region);
      if (!editable || !/^[A-Za-z0-9_-]{1,64}$/.test(region.id)) {
        region.remove();
        return;
      }
      // A new segment dragged on the waveform becomes a mark.
      const mark: Mark = { key: region.id, startSec: round3(region.start), endSec: round3(region.end), note: '', criterionCode: null, severity: null, isError: false };
      marks.set(mark.key, mark);
      bindRegion(mark, region);
      renderMarks();
      select(mark.key, true);
      changed();
    });
    regions.on('region-updated', (region) => {
      const mark = marks.get(region.id);
      if (!mark) return;
      mark.startSec = round3(region.start);
      mark.endSec = round3(region.end);
      renderMarks();
      if (selectedKey === mark.key) showEditor(mark);
      changed();
    });
    regions.on('region-clicked', (region, e) => {
      if (!marks.has(region.id)) return;
      e.stopPropagation();
      select(region.id, false);
    });
  }

  function addRegionFor(mark: Mark): void {
    if (!player) return;
    const region = player.regions.addRegion({ id: mark.key, start: mark.startSec, end: mark.endSec, color: colorFor(mark), drag: editable, resize: editable });
    bindRegion(mark, region);
  }
  function bindRegion(mark: Mark, region: Region): void {
    regionsByKey.set(mark.key, region);
    region.setOptions({ color: colorFor(mark), drag: editable, resize: editable });
    if (region.element) region.element.title = mark.note || msg('evaluations.marks.untitled');
  }
  function colorFor(mark: Mark): string {
    return mark.isError ? ERROR_MARK_COLOR : MARK_COLOR;
  }

  // ---- marks list and editor ----
  const listEl = $<HTMLOListElement>('[data-role="marks"]')!;
  const emptyEl = $<HTMLElement>('[data-role="marks-empty"]');
  const countEl = $<HTMLElement>('[data-role="marks-count"]');
  const editorEl = $<HTMLElement>('[data-role="mark-editor"]');
  const indicatorEl = $<HTMLElement>('[data-role="marking-indicator"]');

  function renderMarks(): void {
    const sorted = [...marks.values()].sort((a, b) => a.startSec - b.startSec || a.key.localeCompare(b.key));
    listEl.innerHTML = '';
    for (const m of sorted) {
      const li = document.createElement('li');
      li.className = `mark-item${m.isError ? ' is-error' : ''}${m.key === selectedKey ? ' is-selected' : ''}`;
      li.dataset.key = m.key;
      const time = document.createElement('button');
      time.type = 'button';
      time.className = 'mark-time mono';
      time.dataset.action = 'play-mark';
      time.title = msg('evaluations.marks.playFrom');
      time.textContent = `${formatTime(m.startSec)}–${formatTime(m.endSec)}`;
      const body = document.createElement('span');
      body.className = 'mark-body';
      const badge = (text: string, cls: string) => {
        const b = document.createElement('span');
        b.className = `badge ${cls}`;
        b.textContent = text;
        body.appendChild(b);
        body.appendChild(document.createTextNode(' '));
      };
      if (m.criterionCode) badge(m.criterionCode, '');
      if (m.severity) badge(msg(`evaluations.severity.${m.severity}`), `sev-${m.severity}`);
      if (m.isError) badge(msg('evaluations.marks.error'), 'badge-danger');
      const note = document.createElement('span');
      note.className = 'mark-note';
      note.textContent = m.note || msg('evaluations.marks.untitled');
      body.appendChild(note);
      li.append(time, body);
      listEl.appendChild(li);
    }
    if (emptyEl) emptyEl.hidden = marks.size > 0;
    if (countEl) countEl.textContent = String(marks.size);
    for (const [key, region] of regionsByKey) {
      const mark = marks.get(key);
      if (!mark) continue;
      region.setOptions({ color: colorFor(mark) });
      if (region.element) {
        region.element.style.boxShadow = key === selectedKey ? SELECTED_OUTLINE : '';
        region.element.title = mark.note || msg('evaluations.marks.untitled');
      }
    }
  }

  function select(key: string | null, focusNote: boolean): void {
    selectedKey = key;
    renderMarks();
    const mark = key ? marks.get(key) : undefined;
    if (!mark || !editorEl) {
      if (editorEl) editorEl.hidden = true;
      return;
    }
    showEditor(mark);
    if (focusNote) {
      // Focusing would scroll the note into view and the waveform out of it: bring the editor up
      // only as far as the player stays on screen (the user marks while listening).
      $<HTMLTextAreaElement>('[data-field="note"]', editorEl)?.focus({ preventScroll: true });
      revealKeepingPlayer(editorEl);
    }
  }

  function revealKeepingPlayer(el: HTMLElement): void {
    const rect = el.getBoundingClientRect();
    const overflow = rect.bottom + 12 - window.innerHeight;
    if (overflow <= 0) return;
    const topbar = document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0;
    const playerTop = playerEl ? playerEl.getBoundingClientRect().top - topbar - 8 : overflow;
    const by = Math.min(overflow, Math.max(0, playerTop));
    if (by > 0) window.scrollBy({ top: by, behavior: 'smooth' });
  }

  function showEditor(mark: Mark): void {
    if (!editorEl) return;
    editorEl.hidden = false;
    $<HTMLElement>('[data-role="mark-editor-time"]', editorEl)!.textContent = `${formatTime(mark.startSec)}–${formatTime(mark.endSec)}`;
    $<HTMLTextAreaElement>('[data-field="note"]', editorEl)!.value = mark.note;
    $<HTMLSelectElement>('[data-field="criterionCode"]', editorEl)!.value = mark.criterionCode ?? '';
    $<HTMLSelectElement>('[data-field="severity"]', editorEl)!.value = mark.severity ?? '';
    $<HTMLInputElement>('[data-field="isError"]', editorEl)!.checked = mark.isError;
  }

  editorEl?.addEventListener('input', (e) => {
    const mark = selectedKey ? marks.get(selectedKey) : undefined;
    const field = (e.target as HTMLElement).dataset.field;
    if (!mark || !field) return;
    const target = e.target as HTMLInputElement;
    if (field === 'note') mark.note = target.value;
    else if (field === 'criterionCode') {
      mark.criterionCode = target.value || null;
      // A criterion brings its usual severity unless one was chosen already.
      const criterion = state.criteria.find((c) => c.code === mark.criterionCode);
      if (criterion && !mark.severity) {
        mark.severity = criterion.defaultSeverity;
        $<HTMLSelectElement>('[data-field="severity"]', editorEl)!.value = mark.severity;
      }
    } else if (field === 'severity') mark.severity = target.value || null;
    else if (field === 'isError') mark.isError = target.checked;
    renderMarks();
    changed();
  });

  page.addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    const action = target.closest<HTMLElement>('[data-action]')?.dataset.action;
    if (action === 'play-mark') {
      const key = target.closest<HTMLElement>('[data-key]')?.dataset.key;
      const mark = key ? marks.get(key) : undefined;
      if (mark && player) {
        player.ws.setTime(mark.startSec);
        player.ws.setScrollTime(Math.max(0, mark.startSec - 2));
        void player.ws.play();
      }
      if (key && editable) select(key, false);
    } else if (action === 'close-mark') {
      select(null, false);
    } else if (action === 'delete-mark') {
      const key = selectedKey;
      if (!key) return;
      void confirmDialog(msg('evaluations.marks.deleteConfirm')).then((ok) => {
        if (!ok || !marks.has(key)) return;
        regionsByKey.get(key)?.remove();
        regionsByKey.delete(key);
        marks.delete(key);
        select(null, false);
        changed();
      });
    } else if (action === 'mark') {
      toggleMarking();
    } else if (action === 'reload') {
      window.location.reload();
    }
  });

  function toggleMarking(): void {
    if (!player || !editable) return;
    const now = player.ws.getCurrentTime();
    if (markingFrom === null) {
      markingFrom = now;
      if (indicatorEl) {
        indicatorEl.hidden = false;
        indicatorEl.textContent = msg('evaluations.marks.markingFrom', { time: formatTime(now) });
      }
      return;
    }
    let start = Math.min(markingFrom, now);
    let end = Math.max(markingFrom, now);
    // A second press right after the first still makes a usable segment of a few seconds.
    if (end - start < 0.5) end = Math.min(durationFor() || start + 3, start + 3);
    if (end <= start) start = Math.max(0, end - 3);
    markingFrom = null;
    if (indicatorEl) indicatorEl.hidden = true;
    const mark: Mark = { key: `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`, startSec: round3(start), endSec: round3(end), note: '', criterionCode: null, severity: null, isError: false };
    marks.set(mark.key, mark);
    addRegionFor(mark);
    renderMarks();
    select(mark.key, true);
    changed();
  }

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || shortcutBlocked(e.key, e.target)) return;
    if (e.key === 'm' || e.key === 'M') {
      e.preventDefault();
      toggleMarking();
    } else if (e.key === 'Escape' && markingFrom !== null) {
      markingFrom = null;
      if (indicatorEl) indicatorEl.hidden = true;
    }
  });

  // ---- rubric and live score ----
  const fieldsets = [...form.querySelectorAll<HTMLFieldSetElement>('fieldset.criterion')];

  function collectAnswers(): Record<string, { value: number | null; na: boolean; comment: string }> {
    const out: Record<string, { value: number | null; na: boolean; comment: string }> = {};
    for (const fs of fieldsets) {
      const code = fs.dataset.code!;
      const checked = fs.querySelector<HTMLInputElement>('input[type=radio]:checked');
      const comment = fs.querySelector<HTMLTextAreaElement>('textarea')?.value ?? '';
      const na = checked?.value === 'na';
      const value = checked && !na ? Number(checked.value) : null;
      if (checked || comment.trim()) out[code] = { value, na, comment };
    }
    return out;
  }

  function updateScore(): void {
    const answers: Answers = Object.fromEntries(Object.entries(collectAnswers()).map(([code, a]) => [code, { value: a.value, na: a.na }]));
    const s = scoreEvaluation(state.definition, answers, state.bands);
    const scoreEl = $<HTMLElement>('[data-role="score"]');
    numberFmt ??= new Intl.NumberFormat(localeTag(state.lang), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    if (scoreEl) scoreEl.textContent = s.score === null ? '—' : numberFmt.format(s.score);
    const band = $<HTMLElement>('[data-role="band"]');
    if (band) {
      band.hidden = !s.result;
      band.className = `band${s.result ? ` band-${s.result}` : ''}`;
      band.textContent = s.result ? msg(`evaluations.result.${s.result}`) : '';
    }
    const answered = Object.values(s.perCriterion).filter((c) => c.answered).length;
    const answeredEl = $<HTMLElement>('[data-role="answered"]');
    if (answeredEl) answeredEl.textContent = msg('evaluations.score.answered', { count: answered, total: fieldsets.length });
    const critical = $<HTMLElement>('[data-role="critical"]');
    if (critical) {
      critical.hidden = !s.criticalFailure;
      const codes = s.failedCodes.filter((code) => state.criteria.some((c) => c.code === code && c.critical));
      const codesEl = $<HTMLElement>('[data-role="critical-codes"]', critical);
      if (codesEl) codesEl.textContent = codes.join(', ');
    }
    for (const fs of fieldsets) {
      const failed = s.perCriterion[fs.dataset.code!]?.failed ?? false;
      const was = fs.classList.contains('is-failed');
      fs.classList.toggle('is-failed', failed);
      // A failed criterion asks for a comment: open its box the moment it fails.
      if (failed && !was) fs.querySelector<HTMLDetailsElement>('details')?.setAttribute('open', '');
      if (fs.querySelector('input:checked')) fs.classList.remove('has-error');
    }
  }

  const complexBox = form.querySelector<HTMLInputElement>('input[name="complexCase"]');
  const complexReasonField = form.querySelector<HTMLElement>('[data-role="complex-reason"]');
  complexBox?.addEventListener('change', () => {
    if (complexReasonField) complexReasonField.hidden = !complexBox.checked;
  });

  form.addEventListener('input', () => {
    updateScore();
    changed();
  });
  form.addEventListener('change', () => {
    updateScore();
    changed();
  });

  function updateHeard(): void {
    const el = $<HTMLElement>('[data-role="heard-share"]');
    const el2 = $<HTMLElement>('[data-role="heard"]');
    const share = heardShare(tracker.snapshot(), durationFor() || null);
    const text = msg('evaluations.heard.label', { share: share === null ? '—' : Math.round(share * 100) });
    if (el) el.textContent = text;
    if (el2) el2.textContent = text;
    const total = tracker.snapshot().reduce((sum, [a, b]) => sum + (b - a), 0);
    // Listening is work worth saving too, but not at every tick.
    if (editable && total - lastPlayedSaved >= 2) {
      lastPlayedSaved = total;
      changed();
    }
  }

  // ---- saving ----
  const saveStateEl = $<HTMLElement>('[data-role="save-state"]');
  const conflictEl = $<HTMLElement>('[data-role="conflict"]');

  function setSaveState(key: string, kind: '' | 'ok' | 'warn' | 'error' = '', params: Record<string, string | number> = {}): void {
    if (!saveStateEl) return;
    saveStateEl.textContent = msg(key, params);
    saveStateEl.dataset.kind = kind;
  }

  function changed(): void {
    if (!editable) return;
    changeSeq++;
    if (!inFlight && !blocked) setSaveState('evaluations.autosave.unsaved', 'warn');
  }

  function collectState() {
    return {
      revision,
      answers: collectAnswers(),
      marks: [...marks.values()].map((m) => ({ ...m, note: m.note.slice(0, 2000) })),
      played: tracker.snapshot(),
      complexCase: Boolean(complexBox?.checked),
      complexReason: form.querySelector<HTMLTextAreaElement>('[name="complexReason"]')?.value ?? '',
      summaryComment: form.querySelector<HTMLTextAreaElement>('[name="summaryComment"]')?.value ?? '',
    };
  }

  function headers(): Record<string, string> {
    return { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken() };
  }

  function showConflict(message: string): void {
    blocked = true;
    editable = false;
    if (conflictEl) {
      conflictEl.hidden = false;
      $<HTMLElement>('[data-role="conflict-text"]', conflictEl)!.textContent = message;
    }
    page.dataset.conflict = '1';
    setSaveState('evaluations.autosave.failed', 'error');
  }

  function clearFieldErrors(): void {
    form.querySelectorAll<HTMLElement>('[data-error-for]').forEach((el) => {
      el.hidden = true;
      el.textContent = '';
    });
    form.querySelectorAll('.has-error').forEach((el) => el.classList.remove('has-error'));
  }

  function showFieldErrors(fields: Array<{ field: string; message: string }>): void {
    clearFieldErrors();
    let first: HTMLElement | null = null;
    for (const f of fields) {
      const el = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(f.field)}"]`) ?? form.querySelector<HTMLElement>('[data-error-for="answers"]');
      if (!el) continue;
      el.hidden = false;
      el.textContent = el.textContent ? `${el.textContent} ${f.message}` : f.message;
      el.closest('fieldset, .field')?.classList.add('has-error');
      first ??= el;
    }
    first?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  /**
   * One save of the page's state. Every save is a keepalive request so one already under way
   * survives the page being closed. `revision` defaults to the last one the server gave us.
   */
  async function save(opts: { revision?: number } = {}): Promise<void> {
    if (blocked || !editable) return;
    const seq = changeSeq;
    const body = JSON.stringify({ ...collectState(), revision: opts.revision ?? revision });
    setSaveState('evaluations.autosave.saving');
    let res: Response;
    try {
      // keepalive bodies are limited to 64 KiB; a larger draft is saved normally.
      res = await fetch(`/evaluations/${state.evaluationId}/draft`, { method: 'PUT', headers: headers(), body, credentials: 'same-origin', keepalive: new TextEncoder().encode(body).length < 60000 });
    } catch {
      setSaveState('evaluations.autosave.offline', 'warn');
      return;
    }
    const json = (await res.json().catch(() => ({}))) as ApiError & { revision?: number; heardShare?: number | null };
    if (res.ok && typeof json.revision === 'number') {
      revision = json.revision;
      savedSeq = seq;
      page.dataset.revision = String(revision);
      if (changeSeq === seq) setSaveState('evaluations.autosave.saved', 'ok', { time: tashkentTime() });
      else setSaveState('evaluations.autosave.unsaved', 'warn');
      clearFieldErrors();
      return;
    }
    if (res.status === 409) return showConflict(json.error?.message ?? msg('evaluations.save.stale'));
    if (res.status === 400 || res.status === 422) {
      invalidSeq = seq;
      setSaveState('evaluations.save.invalid', 'error');
      showFieldErrors(json.error?.fields ?? []);
      return;
    }
    setSaveState('evaluations.autosave.failed', 'error');
  }

  /** Saves when something changed since the last save, one save at a time. */
  function saveSoon(): void {
    if (inFlight || blocked || !editable) return;
    if (changeSeq === savedSeq || changeSeq === invalidSeq) return;
    inFlight = save().finally(() => {
      inFlight = null;
    });
  }
  if (editable) window.setInterval(saveSoon, AUTOSAVE_MS);

  // Leaving the tab or the page: save what is not saved yet. A save under way is waited for
  // (two saves naming one revision would refuse the second as stale), except when the page is
  // going away for good: then the last changes go with the revision the running save will make.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden') return;
    tracker.stop();
    if (inFlight) void inFlight.then(saveSoon);
    else saveSoon();
  });
  window.addEventListener('pagehide', () => {
    tracker.stop();
    if (!editable || blocked || changeSeq === savedSeq || changeSeq === invalidSeq) return;
    if (inFlight) void save({ revision: revision + 1 });
    else saveSoon();
  });

  // ---- submitting ----
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!editable || blocked) return;
    clearFieldErrors();
    const current = collectState();
    const missing = fieldsets.filter((fs) => {
      const a = current.answers[fs.dataset.code!];
      return !a || (a.value === null && !a.na);
    });
    if (missing.length) {
      missing.forEach((fs) => fs.classList.add('has-error'));
      showFieldErrors([{ field: 'answers', message: msg('evaluations.submit.incompleteClient', { count: missing.length, codes: missing.map((fs) => fs.dataset.code!).join(', ') }) }]);
      missing[0]!.scrollIntoView({ block: 'center', behavior: 'smooth' });
      return;
    }
    if (current.complexCase && !current.complexReason.trim()) {
      showFieldErrors([{ field: 'complexReason', message: msg('evaluations.complex.reasonRequired') }]);
      return;
    }
    let confirmLowHeard = false;
    const share = heardShare(tracker.snapshot(), durationFor() || null);
    if (state.audioUrl && share !== null && share < state.minHeardShare) {
      if (!(await confirmDialog(msg('evaluations.submit.confirmLowHeard', { share: Math.floor(share * 100), min: Math.round(state.minHeardShare * 100) })))) return;
      confirmLowHeard = true;
    }
    const button = form.querySelector<HTMLButtonElement>('[data-action="submit"]');
    if (button) button.disabled = true;
    setSaveState('evaluations.submit.submitting');
    try {
      if (inFlight) await inFlight;
      if (blocked) return;
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await fetch(`/evaluations/${state.evaluationId}/submit`, {
          method: 'POST', headers: headers(), credentials: 'same-origin', body: JSON.stringify({ ...collectState(), confirmLowHeard }),
        });
        const json = (await res.json().catch(() => ({}))) as ApiError & { redirect?: string };
        if (res.ok) {
          editable = false;
          savedSeq = changeSeq;
          window.location.href = json.redirect ?? `/evaluations/${state.evaluationId}`;
          return;
        }
        if (res.status === 422 && json.error?.key === 'evaluations.submit.lowHeardShare' && !confirmLowHeard) {
          // The server counted less than the page did (another tab's time is not in it): ask.
          if (!(await confirmDialog(json.error.message))) return;
          confirmLowHeard = true;
          continue;
        }
        if (res.status === 409) return showConflict(json.error?.message ?? msg('evaluations.save.stale'));
        setSaveState('evaluations.submit.failed', 'error');
        showFieldErrors(json.error?.fields?.length ? json.error.fields : [{ field: 'answers', message: json.error?.message ?? msg('evaluations.submit.failed') }]);
        return;
      }
    } finally {
      if (button) button.disabled = false;
    }
  });

  // ---- start ----
  // The server rendered the marks, the score and the heard share already; the script brings them up
  // to date once the waveform is drawn (or after a moment if that is slow), so the player comes first.
  // What was heard before counts as saved: opening a draft is not a change (no "unsaved" banner).
  lastPlayedSaved = tracker.snapshot().reduce((sum, [a, b]) => sum + (b - a), 0);
  const start = () => {
    renderMarks();
    updateScore();
    updateHeard();
    page.dataset.ready = '1';
  };
  if (player) void Promise.race([player.ready, new Promise((r) => setTimeout(r, 400))]).then(start);
  else start();
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
