// The training pages' browser code: the shortcomings chart, the before/after charts of a
// training's effect, and the "tick all / suggested / none" buttons of participant lists. Data
// come from JSON blocks the server rendered (CSP: no inline scripts).
import { Chart, registerables, type ChartConfiguration } from 'chart.js';

Chart.register(...registerables);

function readJson<T>(id: string): T | null {
  const el = document.getElementById(id);
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as T;
  } catch {
    return null;
  }
}

const BEFORE = '#9aa7b5';
const AFTER = '#0f5c8c';

function barChart(canvas: HTMLCanvasElement, opts: { labels: string[]; values: (number | null)[]; label: string; colors: string[]; horizontal?: boolean; max?: number; suffix?: string; titles?: string[] }): void {
  const config: ChartConfiguration<'bar', (number | null)[], string> = {
    type: 'bar',
    data: { labels: opts.labels, datasets: [{ label: opts.label, data: opts.values, backgroundColor: opts.colors, borderRadius: 3 }] },
    options: {
      indexAxis: opts.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        title: { display: !opts.horizontal, text: opts.label },
        tooltip: { callbacks: { title: (items) => { const i = items[0]?.dataIndex ?? 0; return opts.titles?.[i] ? `${opts.labels[i]} — ${opts.titles[i]}` : opts.labels[i] ?? ''; }, label: (ctx) => `${ctx.formattedValue}${opts.suffix ?? ''}` } },
      },
      scales: {
        [opts.horizontal ? 'x' : 'y']: { beginAtZero: true, max: opts.max, ticks: { precision: 0 } },
        [opts.horizontal ? 'y' : 'x']: { grid: { display: false }, ticks: { autoSkip: false } },
      },
    },
  };
  new Chart(canvas, config);
}

for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-training-chart]')) {
  const kind = canvas.dataset.trainingChart;
  if (kind === 'shortcomings') {
    const spec = readJson<{ labels: string[]; values: number[]; label: string; titles: string[] }>('training-shortcomings');
    if (spec) barChart(canvas, { labels: spec.labels, values: spec.values, label: spec.label, titles: spec.titles, colors: spec.values.map(() => 'rgba(180, 35, 24, 0.75)') });
  } else if (kind === 'portal-trend') {
    const spec = readJson<{ labels: string[]; values: number[]; label: string }>('portal-trend');
    if (spec) {
      new Chart(canvas, {
        type: 'line',
        data: { labels: spec.labels, datasets: [{ label: spec.label, data: spec.values, borderColor: AFTER, backgroundColor: AFTER, tension: 0.25, pointRadius: 3 }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 }, x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } } } },
      });
    }
  } else if (kind === 'effect-scores' || kind === 'effect-failures') {
    const spec = readJson<{ labels: string[]; scores: (number | null)[]; scoreLabel: string; failures: (number | null)[]; failureLabel: string }>('training-effect');
    if (!spec) continue;
    if (kind === 'effect-scores') barChart(canvas, { labels: spec.labels, values: spec.scores, label: spec.scoreLabel, colors: [BEFORE, AFTER], max: 100 });
    else barChart(canvas, { labels: spec.labels, values: spec.failures, label: spec.failureLabel, colors: [BEFORE, AFTER], suffix: ' %' });
  }
}

// Tick helpers for participant lists: data-check-all / -suggested / -none="<input name>".
function boxes(name: string): HTMLInputElement[] {
  return [...document.querySelectorAll<HTMLInputElement>(`input[type=checkbox][name="${CSS.escape(name)}"]`)];
}
document.querySelectorAll<HTMLButtonElement>('[data-check-all]').forEach((b) => b.addEventListener('click', () => boxes(b.dataset.checkAll!).forEach((c) => (c.checked = true))));
document.querySelectorAll<HTMLButtonElement>('[data-check-none]').forEach((b) => b.addEventListener('click', () => boxes(b.dataset.checkNone!).forEach((c) => (c.checked = false))));
document.querySelectorAll<HTMLButtonElement>('[data-check-suggested]').forEach((b) => b.addEventListener('click', () => boxes(b.dataset.checkSuggested!).forEach((c) => (c.checked = c.hasAttribute('data-suggested')))));
