// The waveform player (wavesurfer.js 8) for audio and video calls. A one-hour call is drawn at once
// from a coarse overview of the precomputed peaks (a few thousand points), the detail (100 points/s)
// arriving in parallel for zooming in; the media element streams (MediaElement backend, Range
// requests) and is the page's own `<audio>`/`<video>` (data-role="media"), downloading since the HTML
// was parsed — the recording is fetched once. Stereo as two labelled lanes (operator left, caller
// right), a timeline, zoom (slider and wheel), an overview strip for long calls, speeds, skip ±5 s,
// the silences from the audio facts shaded, and keyboard shortcuts. A video without sound gets the
// same timeline over a flat line. The evaluation page adds marks on top (regions).
//
// Used two ways: imported by evaluation.ts (createPlayer), and as its own bundle, which mounts
// every `[data-player]` element on the page (the player benchmark's bare page uses it).
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.esm.js';
import TimelinePlugin from 'wavesurfer.js/dist/plugins/timeline.esm.js';
import ZoomPlugin from 'wavesurfer.js/dist/plugins/zoom.esm.js';
import { datToChannels } from '../features/media/peaks-overview';

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
  /** The recording (or its browser rendition), audio or video. */
  audioUrl: string;
  /** The coarse overview of the peaks (drawn first), or null. */
  overviewUrl?: string | null;
  /** The same overview already in the page (.dat bytes in base64): drawn without a request. */
  overview?: { base64: string; reduced: boolean } | null;
  /** The stored peaks (.dat, or JSON `{duration, channels, peaksPerSecond, peaks: number[][]}`); null to decode in the browser. */
  peaksUrl: string | null;
  /** False for a video without an audio track: a flat line carries the timeline and the marks. */
  hasSound?: boolean;
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
  media: HTMLMediaElement;
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

interface LoadedPeaks {
  peaks: Array<Float32Array | number[]>;
  duration: number;
  /** False when the server says the overview is already the whole detail. */
  reduced: boolean;
}

async function fetchPeaks(url: string, priority: 'high' | 'low' = 'high'): Promise<LoadedPeaks | null> {
  try {
    // Plain same-origin GET, no extra headers: it then matches the page's <link rel="preload">,
    // which starts the download while the HTML is still being parsed.
    const res = await fetch(url, { credentials: 'same-origin', priority } as RequestInit);
    if (!res.ok) return null;
    if ((res.headers.get('content-type') ?? '').startsWith('application/octet-stream')) {
      // The stored binary peaks (or their overview): read here instead of building JSON on the server.
      const w = datToChannels(await res.arrayBuffer());
      if (!w.peaks.length || !w.peaks[0]!.length) return null;
      return { peaks: w.peaks, duration: w.duration, reduced: res.headers.get('x-peaks-reduced') === '1' };
    }
    const json = (await res.json()) as PeaksJson;
    if (!Array.isArray(json.peaks) || !json.peaks.length || !Array.isArray(json.peaks[0]) || !json.peaks[0].length) return null;
    return { peaks: json.peaks, duration: json.duration ?? 0, reduced: false };
  } catch {
    return null;
  }
}

/** The overview the page carries, read like a fetched one. */
function inlinePeaks(o: { base64: string; reduced: boolean }): LoadedPeaks | null {
  try {
    const bin = atob(o.base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const w = datToChannels(bytes);
    return w.peaks.length && w.peaks[0]!.length ? { peaks: w.peaks, duration: w.duration, reduced: o.reduced } : null;
  } catch {
    return null;
  }
}

/** Resolves when the browser has a moment (after the first draw, before swapping in the detail). */
function idle(): Promise<void> {
  return new Promise((resolve) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => resolve(), { timeout: 500 }) : setTimeout(resolve, 50)));
}

function q<T extends Element>(root: Element, selector: string): T | null {
  return root.querySelector<T>(selector);
}

/**
 * Whether a shortcut key must be left to the focused element: everything while typing in a field;
 * arrows and Space on radios and checkboxes (they move or tick the choice), arrows on sliders; Space
 * and Enter on buttons and links (they press them). Elsewhere the player's shortcuts apply.
 */
export function shortcutBlocked(key: string, target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (el.isContentEditable || tag === 'textarea' || tag === 'select') return true;
  const pressKey = key === ' ' || key === 'Enter';
  if (tag === 'input') {
    const type = (el as HTMLInputElement).type;
    // Space ticks a radio or a checkbox (it must not start the player instead); arrows move the choice.
    if (type === 'radio' || type === 'checkbox') return key.startsWith('Arrow') || key === ' ';
    if (type === 'range') return key.startsWith('Arrow');
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

  // The page's own media element (<audio>, or <video> for a video call), buffering since the HTML
  // was parsed so that play works the moment the waveform is drawn: one request for the recording
  // (preload="metadata" would stop after the first bytes and ask again on play). The server records
  // the listening in the audit log at the first request.
  const audioUrl = new URL(opts.audioUrl, document.baseURI).href;
  const given = q<HTMLMediaElement>(root, '[data-role="media"]');
  const media: HTMLMediaElement = given ?? document.createElement('audio');
  if (!given) {
    media.preload = 'auto';
    root.appendChild(media);
  }
  // With peaks (or no sound to draw) the element streams the recording itself. Without them a short
  // call is decoded whole: wavesurfer fetches it once and plays that download (no second request).
  if (!media.getAttribute('src') && (opts.peaksUrl || opts.overviewUrl || opts.overview || opts.hasSound === false)) media.src = audioUrl;
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
  // The overview strip is a second wavesurfer drawing the same peaks (its module carries its own
  // copy of wavesurfer, a third of the player's code): loaded and added after the first draw.
  const addMinimap = async () => {
    if (!longCall || !minimapEl) return;
    const { default: MinimapPlugin } = await import('wavesurfer.js/dist/plugins/minimap.esm.js');
    ws.registerPlugin(MinimapPlugin.create({ container: minimapEl, height: 26, waveColor: '#b8c6d3', progressColor: '#6d8aa3', overlayColor: 'rgba(15, 92, 140, 0.18)', cursorWidth: 0 }));
  };

  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));

  const base = {
    container: waveEl,
    height: LANE_HEIGHT,
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
  // It is handed a detached placeholder first and the real element just after: given an element
  // that already has a source, wavesurfer would fetch the whole file to decode it (a second
  // download of the recording beside the element's own).
  const ws = WaveSurfer.create({ ...base, media: document.createElement('audio'), waveColor: LANE_COLORS[0]!.waveColor, progressColor: LANE_COLORS[0]!.progressColor });
  ws.setMediaElement(media);

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

  const drawPeaks = async (data: LoadedPeaks, duration: number) => {
    const channels = data.peaks.length;
    ws.setOptions({ splitChannels: channels >= 2 ? LANE_COLORS.slice(0, channels).map((c) => ({ ...c })) : undefined });
    showLanes(channels);
    await ws.load(audioUrl, data.peaks, duration);
  };

  const load = async () => {
    if (opts.hasSound === false) {
      // A video without sound: the timeline, the marks and the speeds over a flat line.
      root.classList.add('is-silent');
      if (!opts.durationSec) await new Promise((r) => media.addEventListener('loadedmetadata', r, { once: true }));
      await ws.load(audioUrl, [new Float32Array(2)], opts.durationSec || media.duration || 1);
      return;
    }
    // The overview (in the page, or fetched) draws; the detail arrives in parallel for zooming in.
    const overviewP = opts.overview ? Promise.resolve(inlinePeaks(opts.overview)) : opts.overviewUrl ? fetchPeaks(opts.overviewUrl) : null;
    const detailP = opts.peaksUrl ? fetchPeaks(opts.peaksUrl, overviewP ? 'low' : 'high') : null;
    const overview = overviewP ? await overviewP : null;
    const first = overview ?? (detailP ? await detailP : null);
    const duration = opts.durationSec || first?.duration || 0;
    if (first && duration > 0) {
      await drawPeaks(first, duration);
      if (overview?.reduced && detailP) {
        const detail = await detailP;
        await idle();
        if (detail) {
          await drawPeaks(detail, duration);
          root.dataset.detail = '1';
        }
      }
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
    if (!media.getAttribute('src')) media.src = audioUrl;
    await ws.load(audioUrl, [new Float32Array(2)], duration);
  };

  let drawnOnce = false;
  const markDrawn = () => {
    if (drawnOnce) return;
    drawnOnce = true;
    root.dataset.waveformReady = '1';
    performance.mark('player:waveform');
  };
  ws.on('redrawcomplete', () => {
    if (ws.getDecodedData()) markDrawn();
  });
  // 'ready' comes again when the detail replaces the overview: the set-up below happens once.
  let readyOnce = false;
  ws.on('ready', () => {
    markDrawn();
    if (readyOnce) return;
    readyOnce = true;
    setTimeout(() => void addMinimap().catch(() => undefined), 0);
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
      overviewUrl: el.dataset.overviewUrl || null,
      peaksUrl: el.dataset.peaksUrl || null,
      hasSound: el.dataset.hasSound !== '0',
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
