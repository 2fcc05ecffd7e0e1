// The reports dashboard: draws each <canvas data-chart="…"> from the JSON block the server rendered
// (#dashboard-data). Labels, colours and axes come from the server; this file only adds what JSON
// cannot carry (tick and tooltip formatting) and the shared look.
import { Chart, registerables, type ChartConfiguration, type TooltipItem } from 'chart.js';
import { localeTag } from './common';

Chart.register(...registerables);

type AxisFormat = 'percent' | 'score' | 'int' | 'minutes';

interface ChartSpec {
  type: 'bar' | 'line';
  data: ChartConfiguration['data'];
  options: Record<string, unknown>;
  format?: Record<string, AxisFormat>;
  titles?: string[];
}

function readData(): { charts: Record<string, ChartSpec> } | null {
  const el = document.getElementById('dashboard-data');
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as { charts: Record<string, ChartSpec> };
  } catch {
    return null;
  }
}

const locale = localeTag();
const numberFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

function formatValue(v: number, format: AxisFormat | undefined): string {
  if (format === 'percent') return `${numberFormat.format(v)}%`;
  return numberFormat.format(v);
}

Chart.defaults.font.family = '"Segoe UI", system-ui, -apple-system, "Noto Sans", Roboto, Arial, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#3b4856';
Chart.defaults.plugins.legend.position = 'bottom';
Chart.defaults.plugins.legend.labels.boxWidth = 12;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation = { duration: 250 };

function build(canvas: HTMLCanvasElement, spec: ChartSpec): void {
  const scales = (spec.options.scales ?? {}) as Record<string, Record<string, unknown>>;
  for (const [axis, format] of Object.entries(spec.format ?? {})) {
    const scale = (scales[axis] ??= {});
    scale.ticks = { ...((scale.ticks as object) ?? {}), callback: (value: number | string) => formatValue(Number(value), format) };
  }
  const valueAxis = spec.options.indexAxis === 'y' ? 'x' : 'y';
  const config = {
    type: spec.type,
    data: spec.data,
    options: {
      ...spec.options,
      responsive: true,
      interaction: { mode: 'index', intersect: false },
      scales,
      plugins: {
        ...((spec.options.plugins as object) ?? {}),
        tooltip: {
          callbacks: {
            ...(spec.titles ? { title: (items: TooltipItem<'bar' | 'line'>[]) => spec.titles![items[0]?.dataIndex ?? 0] ?? '' } : {}),
            label: (item: TooltipItem<'bar' | 'line'>) => {
              const raw = item.raw as number | null;
              if (raw == null) return `${item.dataset.label}: —`;
              const axisId = ((item.dataset as unknown as Record<string, string>)[`${valueAxis}AxisID`] ?? valueAxis) as string;
              return `${item.dataset.label}: ${formatValue(raw, spec.format?.[axisId])}`;
            },
          },
        },
      },
    },
  } as unknown as ChartConfiguration;
  new Chart(canvas, config);
}

function init(): void {
  const data = readData();
  if (!data) return;
  document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]').forEach((canvas) => {
    const spec = data.charts[canvas.dataset.chart ?? ''];
    if (spec) build(canvas, spec);
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
