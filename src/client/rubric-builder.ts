// Progressive enhancement of the rubric pages. Everything works without it (every action is a
// server-rendered form); with it: reordering without a page reload, dragging criteria, the scale
// field shown only for scale criteria, and a live score on the preview.
import { csrfToken, localeTag } from './common';
import { scoreEvaluation, type Answers, type ScoreBands } from '../features/evaluations/scoring';
import type { RubricDefinition } from '../features/rubrics/rubric.model';

// ---------------------------------------------------------------------------------------------
// Builder: moves through fetch, then the outline is refreshed from the server's page

async function post(action: string, fields: Record<string, string>): Promise<boolean> {
  const body = new URLSearchParams(fields);
  const res = await fetch(action, {
    method: 'POST',
    headers: { 'x-csrf-token': csrfToken(), accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body,
    credentials: 'same-origin',
  });
  return res.ok;
}

/** Re-reads the builder page and swaps in its layout, keeping the scroll position. */
async function refreshBuilder(focus?: () => HTMLElement | null | undefined): Promise<void> {
  const res = await fetch(window.location.pathname, { credentials: 'same-origin', headers: { accept: 'text/html' } });
  if (!res.ok) return window.location.reload();
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const fresh = doc.querySelector('.rb-layout');
  const current = document.querySelector('.rb-layout');
  if (!fresh || !current) return window.location.reload();
  const y = window.scrollY;
  current.replaceWith(fresh);
  window.scrollTo(0, y);
  enhanceBuilder();
  focus?.()?.focus();
}

function enhanceBuilder(): void {
  const outline = document.getElementById('rb-outline');
  if (!outline) return;
  const base = outline.dataset.base ?? '';

  outline.querySelectorAll<HTMLFormElement>('form[data-rb-move]').forEach((form) => {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const direction = (form.querySelector<HTMLInputElement>('input[name="direction"]')?.value ?? 'up');
      const item = form.closest<HTMLElement>('[data-code]') ?? form.closest<HTMLElement>('[data-section]');
      const id = item?.id;
      const ok = await post(form.action, { direction });
      if (!ok) return form.submit(); // let the server page show what went wrong
      // Keep the keyboard where it was: on the same arrow of the moved item (the other one at an end).
      await refreshBuilder(() => {
        const moved = id ? document.getElementById(id) : null;
        const tools = moved?.querySelector(moved.matches('.rb-section') ? '.rb-section-head .rb-tools' : '.rb-tools');
        const buttons = [...(tools?.querySelectorAll<HTMLFormElement>('form[data-rb-move]') ?? [])].map((f) => ({ dir: f.querySelector<HTMLInputElement>('input[name="direction"]')?.value, button: f.querySelector<HTMLButtonElement>('button') }));
        const same = buttons.find((b) => b.dir === direction)?.button;
        return same && !same.disabled ? same : buttons.find((b) => b.button && !b.button.disabled)?.button;
      });
    });
  });

  // Drag and drop of criteria, within and across sections.
  let dragged: HTMLElement | null = null;
  const clearMarks = () => {
    outline.querySelectorAll('.drop-before').forEach((el) => el.classList.remove('drop-before'));
    outline.querySelectorAll('.drop-end').forEach((el) => el.classList.remove('drop-end'));
  };
  outline.querySelectorAll<HTMLElement>('.rb-criterion').forEach((li) => {
    li.draggable = true;
    li.querySelector<HTMLElement>('.rb-handle')?.removeAttribute('hidden');
    li.addEventListener('dragstart', (e) => {
      dragged = li;
      li.classList.add('dragging');
      e.dataTransfer?.setData('text/plain', li.dataset.code ?? '');
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    });
    li.addEventListener('dragend', () => {
      li.classList.remove('dragging');
      clearMarks();
      dragged = null;
    });
  });
  outline.querySelectorAll<HTMLOListElement>('.rb-criteria').forEach((list) => {
    // An empty section's list has no height: let its whole card take the drop.
    const zone = list.closest<HTMLElement>('.rb-section') ?? list;
    const target = (e: DragEvent): HTMLElement | null => {
      const items = [...list.querySelectorAll<HTMLElement>('.rb-criterion')].filter((x) => x !== dragged);
      return items.find((x) => e.clientY < x.getBoundingClientRect().top + x.offsetHeight / 2) ?? null;
    };
    zone.addEventListener('dragover', (e) => {
      if (!dragged) return;
      e.preventDefault();
      clearMarks();
      const before = target(e);
      if (before) before.classList.add('drop-before');
      else list.classList.add('drop-end');
    });
    zone.addEventListener('drop', async (e) => {
      if (!dragged) return;
      e.preventDefault();
      const before = target(e);
      const items = [...list.querySelectorAll<HTMLElement>('.rb-criterion')].filter((x) => x !== dragged);
      const toIndex = before ? items.indexOf(before) : items.length;
      const code = dragged.dataset.code ?? '';
      clearMarks();
      const ok = await post(`${base}/criteria/${encodeURIComponent(code)}/move`, { toSection: list.dataset.section ?? '', toIndex: String(toIndex) });
      if (!ok) return window.location.reload();
      await refreshBuilder();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Criterion form

function enhanceCriterionForm(): void {
  const form = document.getElementById('criterion-form');
  if (!form) return;
  const answerType = form.querySelector<HTMLSelectElement>('select[name="answerType"]');
  const scale = form.querySelector<HTMLElement>('[data-rb-scale]');
  const critical = form.querySelector<HTMLInputElement>('input[name="critical"]');
  const severity = form.querySelector<HTMLSelectElement>('select[name="defaultSeverity"]');
  const syncScale = () => {
    if (scale && answerType) scale.hidden = answerType.value !== 'scale';
  };
  answerType?.addEventListener('change', syncScale);
  syncScale();
  // A critical criterion must have critical severity: choose it for the user.
  critical?.addEventListener('change', () => {
    if (critical.checked && severity) severity.value = 'critical';
  });
}

// ---------------------------------------------------------------------------------------------
// Preview: the live score, computed by the same function as the evaluation page

function enhancePreview(): void {
  const root = document.getElementById('rubric-preview');
  const json = document.getElementById('rubric-definition');
  const i18n = document.getElementById('pv-i18n') as HTMLTemplateElement | null;
  if (!root || !json || !i18n) return;
  const definition = JSON.parse(json.textContent ?? '{"sections":[]}') as RubricDefinition;
  const bands = JSON.parse(root.dataset.bands ?? '{}') as ScoreBands;
  const total = definition.sections.reduce((n, s) => n + s.criteria.length, 0);
  const scoreEl = root.querySelector<HTMLElement>('[data-pv-score]');
  const bandEl = root.querySelector<HTMLElement>('[data-pv-band]');
  const answeredEl = root.querySelector<HTMLElement>('[data-pv-answered]');
  const progressEl = root.querySelector<HTMLElement>('[data-pv-progress]');
  const pointsEl = root.querySelector<HTMLElement>('[data-pv-points]');
  const number = new Intl.NumberFormat(localeTag(), { maximumFractionDigits: 1 });

  const update = () => {
    const answers: Record<string, { value: number | null; na: boolean }> = {};
    root.querySelectorAll<HTMLInputElement>('.pv-answers input:checked').forEach((input) => {
      const code = input.closest<HTMLElement>('[data-code]')?.dataset.code;
      if (!code) return;
      answers[code] = input.value === 'na' ? { value: null, na: true } : { value: Number(input.value), na: false };
    });
    const result = scoreEvaluation(definition, answers as Answers, bands);
    const answered = Object.keys(answers).length;
    if (answeredEl) answeredEl.textContent = `${answered} / ${total}`;
    if (progressEl) progressEl.style.width = `${total ? Math.round((answered / total) * 100) : 0}%`;
    if (scoreEl) scoreEl.textContent = result.score === null ? '—' : number.format(result.score);
    if (bandEl) {
      bandEl.textContent = '';
      const span = document.createElement('span');
      if (result.result) {
        span.className = `band band-${result.result}`;
        span.textContent = i18n.dataset[`band${result.result === 'critical_fail' ? 'Critical_fail' : result.result.charAt(0).toUpperCase() + result.result.slice(1)}`] ?? result.result;
      } else {
        span.className = 'rb-sub';
        span.textContent = i18n.dataset.noAnswers ?? '';
      }
      bandEl.append(span);
    }
    if (pointsEl) {
      pointsEl.textContent = result.pointsPossible > 0
        ? (i18n.dataset.points ?? '').replace('%E', number.format(result.pointsEarned)).replace('%P', number.format(result.pointsPossible))
        : '';
    }
    root.querySelectorAll<HTMLElement>('.pv-criterion').forEach((row) => {
      row.classList.toggle('pv-failed', result.perCriterion[row.dataset.code ?? '']?.failed === true);
    });
  };
  root.addEventListener('change', update);
  root.querySelector('[data-pv-reset]')?.addEventListener('click', () => {
    root.querySelectorAll<HTMLInputElement>('.pv-answers input:checked').forEach((i) => (i.checked = false));
    update();
  });
  update();
}

enhanceBuilder();
enhanceCriterionForm();
enhancePreview();
