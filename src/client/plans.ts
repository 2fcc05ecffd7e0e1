// The sizing page's chart: listening hours the plan needs against the specialists' capacity.
// Data comes from a JSON block on the page (CSP: no inline scripts).
import Chart from 'chart.js/auto';

interface SizingData {
  labels: string[];
  hours: number[];
  unit: string;
  over: boolean;
}

const canvas = document.getElementById('sizing-chart') as HTMLCanvasElement | null;
const dataEl = document.getElementById('sizing-data');
if (canvas && dataEl) {
  const data = JSON.parse(dataEl.textContent ?? '{}') as SizingData;
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: [
        {
          data: data.hours,
          backgroundColor: [data.over ? '#b42318' : '#0f5c8c', '#1a7f4b'],
          borderRadius: 6,
          maxBarThickness: 46,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${ctx.formattedValue} ${data.unit}` } },
      },
      scales: { x: { beginAtZero: true, title: { display: true, text: data.unit } } },
    },
  });
}
