// The call page: waits for the recording's preparation (polling its status, then reloading), and
// once ready draws the waveform from the precomputed peaks (operator on top, caller below) as a
// simple seek bar for the plain <audio> (or <video>) preview. The full player lives on the evaluation page.

interface PeaksJson {
  duration: number;
  channels: number;
  peaksPerSecond: number;
  peaks: number[][];
}

const COLOURS = ['#0f5c8c', '#1a7f4b'];
const PLAYED = ['#6fa8cf', '#79c79d'];

function pollPreparation(url: string, initial: string): void {
  let delay = 2000;
  const tick = async () => {
    try {
      const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (res.ok) {
        const body = (await res.json()) as { preparation?: { status: string } };
        const status = body.preparation?.status;
        if (status && status !== initial && (status === 'ready' || status === 'failed')) {
          window.location.reload();
          return;
        }
      }
    } catch {
      // offline for a moment: try again later
    }
    delay = Math.min(delay * 1.5, 15000);
    window.setTimeout(tick, delay);
  };
  window.setTimeout(tick, delay);
}

function drawWaveform(canvas: HTMLCanvasElement, audio: HTMLMediaElement, data: PeaksJson): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const lanes = Math.max(1, Math.min(2, data.peaks.length));

  const paint = () => {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const playedX = data.duration > 0 ? (audio.currentTime / data.duration) * width : 0;
    const laneH = height / lanes;
    for (let lane = 0; lane < lanes; lane++) {
      const values = data.peaks[lane] ?? [];
      const mid = laneH * lane + laneH / 2;
      const perPixel = values.length / width;
      for (let x = 0; x < width; x++) {
        const from = Math.floor(x * perPixel);
        const to = Math.max(from + 1, Math.floor((x + 1) * perPixel));
        let peak = 0;
        for (let i = from; i < to && i < values.length; i++) peak = Math.max(peak, Math.abs(values[i]!));
        const h = Math.max(1, peak * (laneH / 2 - 2));
        ctx.fillStyle = x < playedX ? PLAYED[lane]! : COLOURS[lane]!;
        ctx.fillRect(x, mid - h, 1, h * 2);
      }
      if (lane > 0) {
        ctx.fillStyle = '#dde3ea';
        ctx.fillRect(0, laneH * lane, width, 1);
      }
    }
    if (playedX > 0) {
      ctx.fillStyle = '#b42318';
      ctx.fillRect(Math.min(width - 1, playedX), 0, 1, height);
    }
  };

  paint();
  let frame = 0;
  const schedule = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(paint);
  };
  audio.addEventListener('timeupdate', schedule);
  audio.addEventListener('seeked', schedule);
  window.addEventListener('resize', schedule);
  canvas.addEventListener('click', (e) => {
    const rect = canvas.getBoundingClientRect();
    const share = Math.max(0, Math.min(1, (e.clientX - rect.left) / rect.width));
    // Starting playback first makes the seek land even before any audio was fetched.
    const seek = () => {
      audio.currentTime = share * data.duration;
      schedule();
    };
    if (audio.readyState >= 1) seek();
    else {
      audio.addEventListener('loadedmetadata', seek, { once: true });
      audio.load();
    }
    void audio.play().catch(() => undefined);
  });
}

async function setup(root: HTMLElement): Promise<void> {
  const status = root.dataset.status ?? 'none';
  if (status === 'queued' || status === 'running' || status === 'none') pollPreparation(root.dataset.preparationUrl!, status);
  if (status !== 'ready' || root.dataset.canHear !== '1') return;
  const canvas = root.querySelector<HTMLCanvasElement>('#waveform');
  const audio = root.querySelector<HTMLMediaElement>('audio, video');
  if (!canvas || !audio || canvas.hidden) return;
  try {
    const res = await fetch(root.dataset.peaksUrl!, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) return;
    drawWaveform(canvas, audio, (await res.json()) as PeaksJson);
  } catch {
    canvas.hidden = true;
  }
}

const root = document.querySelector<HTMLElement>('#call-player');
if (root) void setup(root);
