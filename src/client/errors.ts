// Charts on the error analysis, operator and digest pages. Each <canvas data-chart="id"> is drawn
// from the JSON block <script type="application/json" id="id"> the server rendered (no inline
// scripts under the CSP). Labels arrive translated.
import { Chart, registerables, type ChartConfiguration } from 'chart.js';

Chart.register(...registerables);

interface ChartSpec {
  type: 'bar' | 'line';
  labels: string[];
  datasets: { label: string; data: number[]; color?: 'primary' | 'muted' | 'danger'; dashed?: boolean }[];
  yMin?: number;
  yMax?: number;
  /** a page to open when a bar or point is clicked, by index */
  links?: string[] | null;
}

const COLORS = {
  primary: { line: '#0f5c8c', fill: 'rgba(15, 92, 140, 0.75)' },
  muted: { line: '#9aa7b5', fill: 'rgba(154, 167, 181, 0.55)' },
  danger: { line: '#b42318', fill: 'rgba(180, 35, 24, 0.7)' },
};

function draw(canvas: HTMLCanvasElement): void {
  const source = document.getElementById(canvas.dataset.chart ?? '');
  if (!source?.textContent) return;
  let spec: ChartSpec;
  try {
    spec = JSON.parse(source.textContent) as ChartSpec;
  } catch {
    return;
  }
  const config: ChartConfiguration = {
    type: spec.type,
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map((d) => {
        const c = COLORS[d.color ?? 'primary'];
        return {
          label: d.label,
          data: d.data,
          backgroundColor: spec.type === 'bar' ? c.fill : c.line,
          borderColor: c.line,
          borderWidth: spec.type === 'line' ? 2 : 0,
          borderDash: d.dashed ? [5, 4] : undefined,
          pointRadius: spec.type === 'line' ? (spec.labels.length > 40 ? 0 : 3) : undefined,
          tension: 0.25,
          borderRadius: spec.type === 'bar' ? 3 : undefined,
        };
      }),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: {
        // Every category under its bar (angled when crowded); dates on a line chart may skip.
        x: { ticks: spec.type === 'bar' ? { autoSkip: false, maxRotation: 35 } : { autoSkip: true, maxRotation: 0 }, grid: { display: false } },
        y: { beginAtZero: true, min: spec.yMin, max: spec.yMax, ticks: { precision: 0 } },
      },
      onClick: (_event, elements) => {
        const i = elements[0]?.index;
        const href = i != null ? spec.links?.[i] : undefined;
        if (href && href.startsWith('/')) window.location.href = href;
      },
      onHover: (event, elements) => {
        const target = event.native?.target as HTMLElement | undefined;
        if (target) target.style.cursor = spec.links && elements.length ? 'pointer' : 'default';
      },
    },
  };
  new Chart(canvas, config);
}

document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]').forEach(draw);

// "Print" buttons on the digest page (no inline handlers under the CSP).
document.querySelectorAll<HTMLElement>('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));
