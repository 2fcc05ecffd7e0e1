// Charts of the calibration results page: each participant's total score per call beside the
// others (the spread), and the observed agreement per criterion coloured by its level. Data come
// from JSON blocks the server rendered (CSP: no inline scripts); labels arrive translated.
import { Chart, registerables, type ChartConfiguration } from 'chart.js';

Chart.register(...registerables);

interface SpreadSpec {
  labels: string[];
  participants: { label: string; expert: boolean; data: (number | null)[] }[];
  mean: (number | null)[];
  meanLabel: string;
  yLabel: string;
}

interface AgreementSpec {
  labels: string[];
  values: (number | null)[];
  levels: string[];
  label: string;
  threshold: number;
}

// A palette that stays apart for up to ten people; the expert is always the dark one.
const PALETTE = ['#0f5c8c', '#1a7f6b', '#c98a00', '#7a4fb3', '#c2410c', '#3b82a6', '#6b8e23', '#a0527a', '#4b5563', '#0e7490'];
const EXPERT = '#1d2733';
const LEVEL_COLORS: Record<string, string> = { good: '#1a7f4b', tentative: '#c98a00', poor: '#b42318', undetermined: '#9aa7b5' };

function readJson<T>(id: string): T | null {
  const el = document.getElementById(id);
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as T;
  } catch {
    return null;
  }
}

function drawSpread(canvas: HTMLCanvasElement, spec: SpreadSpec): void {
  let colour = 0;
  const config: ChartConfiguration<'bar' | 'line', (number | null)[], string> = {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: [
        ...spec.participants.map((p) => {
          const c = p.expert ? EXPERT : PALETTE[colour++ % PALETTE.length]!;
          return { type: 'bar' as const, label: p.label, data: p.data, backgroundColor: c, borderColor: c, borderRadius: 3, order: 2 };
        }),
        { type: 'line' as const, label: spec.meanLabel, data: spec.mean, borderColor: '#b42318', backgroundColor: '#b42318', borderDash: [5, 4], pointRadius: 4, showLine: false, order: 1 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: {
        x: { grid: { display: false } },
        y: { min: 0, max: 100, title: { display: true, text: spec.yLabel } },
      },
    },
  };
  new Chart(canvas, config as ChartConfiguration);
}

function drawAgreement(canvas: HTMLCanvasElement, spec: AgreementSpec): void {
  const config: ChartConfiguration<'bar', (number | null)[], string> = {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: [{ label: spec.label, data: spec.values, backgroundColor: spec.levels.map((l) => LEVEL_COLORS[l] ?? LEVEL_COLORS.undetermined!), borderRadius: 3 }],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${ctx.formattedValue} %` } } },
      scales: {
        x: { min: 0, max: 100, ticks: { callback: (v) => `${v} %` } },
        y: { grid: { display: false }, ticks: { autoSkip: false, font: { family: 'monospace', size: 11 } } },
      },
    },
  };
  new Chart(canvas, config);
}

for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-calib-chart]')) {
  const kind = canvas.dataset.calibChart;
  if (kind === 'spread') {
    const spec = readJson<SpreadSpec>('calib-spread');
    if (spec) drawSpread(canvas, spec);
  } else if (kind === 'agreement') {
    const spec = readJson<AgreementSpec>('calib-agreement');
    if (spec) {
      // One row per criterion: the box grows with the rubric so labels stay readable.
      const box = canvas.parentElement;
      if (box) box.style.height = `${Math.max(260, spec.labels.length * 19 + 40)}px`;
      drawAgreement(canvas, spec);
    }
  }
}
