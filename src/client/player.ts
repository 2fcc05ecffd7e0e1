// The waveform player (wavesurfer.js 8): drawn from the precomputed peaks so a one-hour call draws at
// once and plays while streaming (MediaElement backend, preload="auto": the audio starts arriving
// with the peaks, so it can play as soon as the waveform shows); stereo as two labelled lanes
// (operator left, caller right), a timeline, zoom (slider and wheel), an overview strip for long
// calls, speeds, skip ±5 s, the silences from the audio facts shaded, and keyboard shortcuts. The
// evaluation page adds marks on top (regions).
//
// Used two ways: imported by evaluation.ts (createPlayer), and as its own bundle, which mounts
// every `[data-player]` element on the page (no page of the app does yet; the player benchmark's
// bare page uses it).
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.esm.js';
import TimelinePlugin from 'wavesurfer.js/dist/plugins/timeline.esm.js';
import MinimapPlugin from 'wavesurfer.js/dist/plugins/minimap.esm.js';
import ZoomPlugin from 'wavesurfer.js/dist/plugins/zoom.esm.js';
import { decodePeaksDat, peaksForWavesurfer } from '../features/media/peaks-format';

export const SPEEDS = [0.75, 1, 1.25, 1.5, 2] as const;
export const SKIP_SECONDS = 5;
/** Calls longer than this get the overview strip. */
export const MINIMAP_FROM_SECONDS = 120;
/** Without peaks, decoding the whole file in the browser is acceptable only for short calls. */
export const DECODE_FALLBACK_MAX_SECONDS = 15 * 60;
const LANE_HEIGHT = 60;
const MAX_ZOOM = 300;

export interface Segment {
  startSec: number;
  endSec: number;
}

export interface PlayerOptions {
  audioUrl: string;
  /** JSON `{duration, channels, peaksPerSecond, peaks: number[][]}`; null to decode in the browser. */
  peaksUrl: string | null;
  /** Duration known from the database (used when the peaks lack it, and to judge a fallback). */
  durationSec: number | null;
  /** Lane names, left channel first. */
  laneLabels: string[];
  silences: Segment[];
  silenceLabel?: string;
  /** Seek here once ready (the `?t=` of the page). */
  startAt?: number | null;
  /** Messages shown in the status line, already translated. */
  messages: { loading: string; preparing: string; failed: string; decoding: string };
}

/** Colours of the lanes: operator blue, caller teal; played part darker. */
const LANE_COLORS = [
  { waveColor: '#7aa7c7', progressColor: '#0f5c8c' },
  { waveColor: '#86c5b4', progressColor: '#1a7f6b' },
];
export const SILENCE_COLOR = 'rgba(110, 110, 135, 0.22)';

interface PeaksJson {
  duration?: number;
  channels?: number;
  peaksPerSecond?: number;
  peaks?: number[][];
}

export interface Player {
  ws: WaveSurfer;
  regions: ReturnType<typeof RegionsPlugin.create>;
  media: HTMLAudioElement;
  root: HTMLElement;
  /** Resolves when the waveform is drawn (peaks or decoded audio). */
  ready: Promise<void>;
  duration(): number;
  /** Ids of regions the player made itself (silences): the page ignores them as marks. */
  silenceIds: Set<string>;
  setSpeed(rate: number): void;
  stepSpeed(direction: 1 | -1): void;
  destroy(): void;
}

function formatTime(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) sec = 0;
  const s = Math.floor(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
export { formatTime };

async function fetchPeaks(url: string): Promise<PeaksJson | null> {
  try {
    // Plain same-origin GET, no extra headers: it then matches the page's <link rel="preload">,
    // which starts the download while the HTML is still being parsed.
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) return null;
    if ((res.headers.get('content-type') ?? '').startsWith('application/octet-stream')) {
      // The stored binary peaks: decoded here instead of building a large JSON on the server.
      const w = peaksForWavesurfer(decodePeaksDat(await res.arrayBuffer()));
      return { duration: w.duration, channels: w.peaks.length, peaks: w.peaks as unknown as number[][] };
    }
    const json = (await res.json()) as PeaksJson;
    if (!Array.isArray(json.peaks) || !json.peaks.length || !Array.isArray(json.peaks[0]) || !json.peaks[0].length) return null;
    return json;
  } catch {
    return null;
  }
}

function q<T extends Element>(root: Element, selector: string): T | null {
  return root.querySelector<T>(selector);
}

/**
 * Whether a shortcut key must be left to the focused element: everything while typing in a field;
 * arrows on radios, checkboxes and sliders (they move the choice); Space and Enter on buttons and
 * links (they press them). Elsewhere the player's shortcuts apply.
 */
export function shortcutBlocked(key: string, target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (el.isContentEditable || tag === 'textarea' || tag === 'select') return true;
  const pressKey = key === ' ' || key === 'Enter';
  if (tag === 'input') {
    const type = (el as HTMLInputElement).type;
    if (['radio', 'checkbox', 'range'].includes(type)) return key.startsWith('Arrow');
    if (['button', 'submit', 'reset'].includes(type)) return pressKey;
    return true;
  }
  if (tag === 'button' || tag === 'summary' || tag === 'a') return pressKey;
  return false;
}

/**
 * Builds the player inside `root`, which holds the markup of views/evaluations/_player.ejs
 * (data-role="wave", "minimap", "time", "speed", "zoom", "status" and data-action buttons).
 */
export function createPlayer(root: HTMLElement, opts: PlayerOptions): Player {
  const waveEl = q<HTMLElement>(root, '[data-role="wave"]')!;
  const minimapEl = q<HTMLElement>(root, '[data-role="minimap"]');
  const statusEl = q<HTMLElement>(root, '[data-role="status"]');
  const timeEl = q<HTMLElement>(root, '[data-role="time"]');
  const speedEl = q<HTMLSelectElement>(root, '[data-role="speed"]');
  const zoomEl = q<HTMLInputElement>(root, '[data-role="zoom"]');
  const playBtn = q<HTMLButtonElement>(root, '[data-action="play"]');
  const silenceIds = new Set<string>();

  const setStatus = (text: string, kind: 'info' | 'error' | '' = 'info') => {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.dataset.kind = kind;
    statusEl.hidden = !text;
  };
  setStatus(opts.messages.loading);

  // The page's own media element, buffering from the start so that play works the moment the
  // waveform is drawn. The server records the listening in the audit log at the first request.
  // The page may already hold it (data-role="audio", downloading since the HTML was parsed).
  const audioUrl = new URL(opts.audioUrl, document.baseURI).href;
  const given = q<HTMLAudioElement>(root, 'audio[data-role="audio"]');
  const media = given && given.src === audioUrl ? given : document.createElement('audio');
  if (media !== given) {
    media.preload = 'auto';
    media.crossOrigin = null;
    // Absolute, and set now when there are peaks: the audio downloads alongside them, and wavesurfer's
    // load() (which compares URLs as the element reports them, absolute) keeps this source instead of
    // restarting it. Without peaks wavesurfer fetches the file itself to decode it: no second download.
    if (opts.peaksUrl) media.src = audioUrl;
    root.appendChild(media);
  }
  const markPlayable = () => {
    if (root.dataset.audioReady) return;
    root.dataset.audioReady = '1';
    performance.mark('player:canplay');
  };
  media.addEventListener('canplay', markPlayable);
  // It may have become playable before this script ran (then the mark is later than the fact).
  if (media.readyState >= 3 /* HAVE_FUTURE_DATA */) markPlayable();

  const regions = RegionsPlugin.create();
  const longCall = (opts.durationSec ?? 0) >= MINIMAP_FROM_SECONDS;
  const plugins = [
    regions,
    TimelinePlugin.create({ height: 18, formatTimeCallback: formatTime, secondaryLabelOpacity: 0.4, style: { fontSize: '11px', color: '#5d6b7a' } }),
    ZoomPlugin.create({ scale: 0.25, maxZoom: MAX_ZOOM, exponentialZooming: true, iterations: 24 }),
  ];
  if (longCall && minimapEl) {
    plugins.push(MinimapPlugin.create({ container: minimapEl, height: 26, waveColor: '#b8c6d3', progressColor: '#6d8aa3', overlayColor: 'rgba(15, 92, 140, 0.18)', cursorWidth: 0 }) as never);
  }

  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));

  const base = {
    container: waveEl,
    height: LANE_HEIGHT,
    media,
    backend: 'MediaElement' as const,
    cursorColor: '#b42318',
    cursorWidth: 2,
    normalize: false,
    autoScroll: true,
    autoCenter: true,
    dragToSeek: false,
    hideScrollbar: false,
    plugins,
  };

  // wavesurfer is created synchronously (the caller wires events at once); the data arrives after.
  const ws = WaveSurfer.create({ ...base, waveColor: LANE_COLORS[0]!.waveColor, progressColor: LANE_COLORS[0]!.progressColor });

  const laneEl = q<HTMLElement>(root, '[data-role="lanes"]');
  const showLanes = (channels: number) => {
    if (!laneEl) return;
    laneEl.innerHTML = '';
    const labels = channels >= 2 ? opts.laneLabels.slice(0, channels) : [];
    labels.forEach((label, i) => {
      const span = document.createElement('span');
      span.className = `lane-label lane-${i}`;
      span.style.top = `${i * LANE_HEIGHT + 2}px`;
      span.textContent = label;
      laneEl.appendChild(span);
    });
  };

  const load = async () => {
    const peaks = opts.peaksUrl ? await fetchPeaks(opts.peaksUrl) : null;
    const duration = peaks?.duration || opts.durationSec || 0;
    if (peaks && duration > 0) {
      const channels = peaks.peaks!.length;
      ws.setOptions({ splitChannels: channels >= 2 ? LANE_COLORS.slice(0, channels).map((c) => ({ ...c })) : undefined });
      showLanes(channels);
      await ws.load(audioUrl, peaks.peaks!, duration);
      return;
    }
    if (!duration || duration <= DECODE_FALLBACK_MAX_SECONDS) {
      // No peaks (not prepared yet, or failed): a short call is decoded whole in the browser.
      setStatus(opts.messages.decoding);
      ws.setOptions({ splitChannels: LANE_COLORS.map((c) => ({ ...c })) });
      await ws.load(audioUrl);
      showLanes(ws.getDecodedData()?.numberOfChannels ?? 1);
      return;
    }
    // A long call without peaks: playable with a flat line until the media is prepared.
    setStatus(opts.messages.preparing);
    await ws.load(audioUrl, [new Float32Array(2)], duration);
  };

  let drawnOnce = false;
  const markDrawn = () => {
    if (drawnOnce) return;
    drawnOnce = true;
    root.dataset.waveformReady = '1';
    performance.mark('player:waveform');
  };
  ws.on('redraw', () => {
    if (ws.getDecodedData()) markDrawn();
  });
  ws.on('ready', () => {
    markDrawn();
    if (statusEl && statusEl.dataset.kind !== 'error' && statusEl.textContent !== opts.messages.preparing) setStatus('');
    opts.silences.forEach((s, i) => {
      if (!(s.endSec > s.startSec)) return;
      const id = `silence-${i}`;
      silenceIds.add(id);
      const region = regions.addRegion({ id, start: s.startSec, end: s.endSec, drag: false, resize: false, color: SILENCE_COLOR });
      // Shading only: drags and clicks go through to the waveform (marking, seeking).
      if (region.element) {
        region.element.style.pointerEvents = 'none';
        region.element.style.backgroundImage = 'repeating-linear-gradient(135deg, rgba(255,255,255,.35) 0 4px, transparent 4px 8px)';
        if (opts.silenceLabel) region.element.title = opts.silenceLabel;
      }
    });
    if (opts.startAt != null && Number.isFinite(opts.startAt) && opts.startAt > 0) {
      ws.setTime(Math.min(opts.startAt, ws.getDuration()));
      ws.setScrollTime(Math.max(0, opts.startAt - 5));
    }
    updateTime();
    resolveReady();
  });
  ws.on('error', () => setStatus(opts.messages.failed, 'error'));
  media.addEventListener('error', () => setStatus(opts.messages.failed, 'error'));
  load().catch(() => setStatus(opts.messages.failed, 'error'));

  // ---- controls ----
  const updateTime = () => {
    if (timeEl) timeEl.textContent = `${formatTime(ws.getCurrentTime())} / ${formatTime(ws.getDuration())}`;
  };
  ws.on('timeupdate', updateTime);
  ws.on('play', () => {
    playBtn?.setAttribute('aria-pressed', 'true');
    root.classList.add('is-playing');
  });
  ws.on('pause', () => {
    playBtn?.setAttribute('aria-pressed', 'false');
    root.classList.remove('is-playing');
  });

  const setSpeed = (rate: number) => {
    ws.setPlaybackRate(rate, true);
    if (speedEl) speedEl.value = String(rate);
  };
  const stepSpeed = (direction: 1 | -1) => {
    const current = ws.getPlaybackRate();
    const idx = SPEEDS.findIndex((s) => Math.abs(s - current) < 0.01);
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (idx < 0 ? 1 : idx) + direction))]!;
    setSpeed(next);
  };
  speedEl?.addEventListener('change', () => setSpeed(Number(speedEl.value) || 1));
  zoomEl?.addEventListener('input', () => {
    if (ws.getDecodedData()) ws.zoom(Number(zoomEl.value));
  });
  ws.on('zoom', (pxPerSec) => {
    if (zoomEl && document.activeElement !== zoomEl) zoomEl.value = String(Math.round(pxPerSec));
  });

  root.addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLElement>('[data-action]');
    if (!btn || !root.contains(btn)) return;
    const action = btn.dataset.action;
    if (action === 'play') void ws.playPause();
    else if (action === 'back') ws.skip(-SKIP_SECONDS);
    else if (action === 'forward') ws.skip(SKIP_SECONDS);
  });

  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || shortcutBlocked(e.key, e.target)) return;
    if (e.key === ' ' || e.key === 'k' || e.key === 'K') {
      e.preventDefault();
      void ws.playPause();
    } else if (e.key === 'ArrowLeft' || e.key === 'j' || e.key === 'J') {
      e.preventDefault();
      ws.skip(-SKIP_SECONDS);
    } else if (e.key === 'ArrowRight' || e.key === 'l' || e.key === 'L') {
      e.preventDefault();
      ws.skip(SKIP_SECONDS);
    } else if (e.key === ']' || e.key === '>' || e.key === '.') {
      stepSpeed(1);
    } else if (e.key === '[' || e.key === '<' || e.key === ',') {
      stepSpeed(-1);
    }
  };
  document.addEventListener('keydown', onKey);

  return {
    ws,
    regions,
    media,
    root,
    ready,
    silenceIds,
    duration: () => ws.getDuration(),
    setSpeed,
    stepSpeed,
    destroy() {
      document.removeEventListener('keydown', onKey);
      ws.destroy();
    },
  };
}

export type { Region };

// As its own bundle (the player benchmark's bare page): mount every [data-player] on the page.
function autoMount(): void {
  document.querySelectorAll<HTMLElement>('[data-player]:not([data-player-mounted])').forEach((el) => {
    el.dataset.playerMounted = '1';
    const messages = JSON.parse(el.dataset.messages ?? '{}') as PlayerOptions['messages'];
    createPlayer(el, {
      audioUrl: el.dataset.audioUrl!,
      peaksUrl: el.dataset.peaksUrl || null,
      durationSec: el.dataset.duration ? Number(el.dataset.duration) : null,
      laneLabels: JSON.parse(el.dataset.lanes ?? '[]') as string[],
      silences: JSON.parse(el.dataset.silences ?? '[]') as Segment[],
      silenceLabel: el.dataset.silenceLabel,
      startAt: Number(new URLSearchParams(location.search).get('t')) || null,
      messages: { loading: messages.loading ?? '', preparing: messages.preparing ?? '', failed: messages.failed ?? '', decoding: messages.decoding ?? '' },
    });
  });
}
if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoMount);
  else autoMount();
}
