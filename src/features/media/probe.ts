// Probing a recording before anything else happens to it: is it audio, or a video (sign-language
// calls arrive as video, with or without a sound track), can it be read, and does it fit the size
// and length limits? Judged by content only — the file
// name and the client's MIME type are never trusted. Lengths are measured, not taken from the
// header: a WAV header can claim hours while the file holds one second.
import fs from 'node:fs/promises';
import { MediaRejectedError } from './errors';
import { ffprobeJson, mediaPath, MediaToolError, resolveMediaTools, spawnFfmpeg, type FfprobeData, type FfprobeStream, type MediaTools } from './ffmpeg';

export interface ProbeLimits {
  maxBytes: number;
  maxSeconds: number;
}

export interface ProbeResult {
  sizeBytes: number;
  /** What the first bytes say the file is (see sniffContainer). */
  container: ContainerFamily;
  /** ffprobe's format name, e.g. 'wav', 'mp3', 'ogg', 'matroska,webm', 'mov,mp4,m4a,3gp,3g2,mj2'. */
  formatName: string;
  /** Codec of the first audio stream, ffmpeg's name: 'pcm_s16le', 'pcm_mulaw', 'pcm_alaw', 'gsm_ms', 'mp3', 'opus', …; 'none' for a video without sound. */
  codec: string;
  /** 0 for a video without sound (see hasAudioTrack). */
  sampleRate: number;
  channels: number;
  /** Measured length in seconds (for WAV from the bytes actually present; never the header's word alone). */
  durationSec: number;
  /** What the container header claimed, when it claimed anything. */
  headerDurationSec: number | null;
  bitRate: number | null;
  hasVideo: boolean;
  videoCodec: string | null;
  /** Content-Type to serve the original with. */
  mimeType: string;
}

export type ContainerFamily =
  | 'wav' | 'mpeg-audio' | 'ogg' | 'flac' | 'matroska' | 'mp4' | 'amr' | 'au' | 'aiff' | 'caf' | 'asf' | 'avi' | 'mpeg-ts' | 'mpeg-ps' | 'flv';

/** Shortest recording worth keeping; anything shorter is treated as empty. */
export const MIN_RECORDING_SECONDS = 0.1;
/** A WAV missing more than this much of its declared data is truncated. */
const TRUNCATION_TOLERANCE_SEC = 0.05;
/** Compressed audio below this implied bit rate means the header's duration cannot be true. */
const MIN_PLAUSIBLE_BITS_PER_SEC = 2000;
const HEAD_BYTES = 1024 * 1024;

/**
 * Probes a recording and returns what it is, or throws MediaRejectedError with the reason key.
 * `tools` defaults to resolveMediaTools() without configured paths; pass resolveMediaTools(config).
 */
export async function probeRecording(path: string, limits: ProbeLimits, tools: MediaTools = resolveMediaTools()): Promise<ProbeResult> {
  const stat = await fs.stat(path);
  const sizeBytes = stat.size;
  if (sizeBytes === 0) throw new MediaRejectedError('media.rejected.empty', { sizeBytes });
  if (sizeBytes > limits.maxBytes) {
    throw new MediaRejectedError('media.rejected.tooLarge', { sizeBytes, maxBytes: limits.maxBytes, maxMb: Math.floor(limits.maxBytes / 1048576) });
  }

  const head = await readHead(path, HEAD_BYTES);
  const container = sniffContainer(head);
  if (!container) throw new MediaRejectedError('media.rejected.notAudio', { hasVideo: false });

  const wav = container === 'wav' ? readWavLayout(head, head.length >= sizeBytes) : null;
  if (wav === 'malformed') throw new MediaRejectedError('media.rejected.corrupt', { detail: 'wavHeader' });

  // Fast path: a plain WAV whose header we fully understand needs no ffprobe (a process start
  // saved on every open); the analysis pass decodes every byte of it anyway.
  const wavCodecName = wav && wav !== 'unknown' ? wavCodec(wav) : null;
  if (wav && wav !== 'unknown' && wavCodecName) {
    const extent = wavDataExtent(wav, sizeBytes);
    if (extent.truncated) {
      throw new MediaRejectedError('media.rejected.corrupt', { detail: 'truncated', claimedSec: round3(extent.claimedSec ?? 0), actualSec: round3(extent.presentSec ?? 0) });
    }
    const durationSec = extent.presentSec ?? 0;
    checkDuration(durationSec, sizeBytes, limits);
    return {
      sizeBytes,
      container,
      formatName: 'wav',
      codec: wavCodecName,
      sampleRate: wav.sampleRate,
      channels: wav.channels,
      durationSec: round3(durationSec),
      headerDurationSec: extent.claimedSec === null ? null : round3(extent.claimedSec),
      bitRate: wav.byteRate * 8,
      hasVideo: false,
      videoCodec: null,
      mimeType: mimeTypeFor(container, false),
    };
  }

  let data: FfprobeData;
  try {
    data = await ffprobeJson(tools, path);
  } catch (e) {
    if (e instanceof MediaToolError) throw new MediaRejectedError('media.rejected.corrupt', { detail: 'unreadable' }, e.stderr.trim());
    throw e;
  }
  const streams = data.streams ?? [];
  // Cover art in an MP3 or M4A is a "video" stream with the attached_pic disposition: not video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!audio && video) return probeSilentVideo(path, sizeBytes, container, data, video, limits, tools);
  if (!audio) throw new MediaRejectedError('media.rejected.notAudio', { hasVideo: false });
  if (!audio.codec_name || audio.codec_name === 'none' || audio.codec_name === 'unknown') throw new MediaRejectedError('media.rejected.unsupported', { codec: audio.codec_name ?? 'unknown' });
  const sampleRate = Number(audio.sample_rate) || 0;
  const channels = audio.channels ?? 0;
  if (!sampleRate || !channels) throw new MediaRejectedError('media.rejected.corrupt', { detail: 'noAudioFormat' });

  const headerDurationSec = positiveOrNull(data.format?.duration) ?? positiveOrNull(audio.duration);
  let durationSec: number;
  if (wav && wav !== 'unknown') {
    // A compressed WAV (ADPCM and the like): its header byte rate is often wrong (ffmpeg itself
    // writes a nominal one), so lengths come from ffprobe, scaled by the share of data present.
    const extent = wavDataExtent(wav, sizeBytes);
    if (extent.truncated) {
      const claimed = headerDurationSec ?? extent.claimedSec ?? 0;
      const actual = wav.declaredDataBytes ? (claimed * extent.presentBytes) / wav.declaredDataBytes : 0;
      throw new MediaRejectedError('media.rejected.corrupt', { detail: 'truncated', claimedSec: round3(claimed), actualSec: round3(actual) });
    }
    durationSec = wav.declaredDataBytes !== null && headerDurationSec !== null ? headerDurationSec : await measureDecodedSeconds(tools, path, limits.maxSeconds + 1);
  } else if (headerDurationSec === null || headerDurationSec > limits.maxSeconds || (!video && (sizeBytes * 8) / headerDurationSec < MIN_PLAUSIBLE_BITS_PER_SEC)) {
    // No length, a length past the limit, or one the bytes cannot hold: decode (at most to the
    // limit) and count, rather than refuse or accept on the header's word.
    durationSec = await measureDecodedSeconds(tools, path, limits.maxSeconds + 1);
  } else {
    durationSec = headerDurationSec;
  }

  checkDuration(durationSec, sizeBytes, limits);

  const formatName = data.format?.format_name ?? container;
  return {
    sizeBytes,
    container,
    formatName,
    codec: audio.codec_name,
    sampleRate,
    channels,
    durationSec: round3(durationSec),
    headerDurationSec: headerDurationSec === null ? null : round3(headerDurationSec),
    bitRate: positiveOrNull(audio.bit_rate) ?? positiveOrNull(data.format?.bit_rate),
    hasVideo: Boolean(video),
    videoCodec: video?.codec_name ?? null,
    mimeType: mimeTypeFor(container, Boolean(video)),
  };
}

/** Whether the probed recording carries sound (a sign-language video may have none). */
export function hasAudioTrack(p: Pick<ProbeResult, 'channels'>): boolean {
  return p.channels > 0;
}

/**
 * A video without a sound track (sign language): its length from the header when plausible, else
 * measured by reading the video stream to its end (no decoding).
 */
async function probeSilentVideo(
  path: string,
  sizeBytes: number,
  container: ContainerFamily,
  data: FfprobeData,
  video: FfprobeStream,
  limits: ProbeLimits,
  tools: MediaTools,
): Promise<ProbeResult> {
  const headerDurationSec = positiveOrNull(data.format?.duration) ?? positiveOrNull(video.duration);
  const durationSec = headerDurationSec !== null && headerDurationSec <= limits.maxSeconds ? headerDurationSec : await measureVideoSeconds(tools, path, limits.maxSeconds + 1);
  checkDuration(durationSec, sizeBytes, limits);
  return {
    sizeBytes,
    container,
    formatName: data.format?.format_name ?? container,
    codec: 'none',
    sampleRate: 0,
    channels: 0,
    durationSec: round3(durationSec),
    headerDurationSec: headerDurationSec === null ? null : round3(headerDurationSec),
    bitRate: positiveOrNull(data.format?.bit_rate),
    hasVideo: true,
    videoCodec: video.codec_name ?? null,
    mimeType: mimeTypeFor(container, true),
  };
}

/**
 * Reads the first video stream (at most capSeconds) without decoding and returns the time it
 * reached: the length of a video whose header does not say (WebM from a browser recorder).
 */
export function measureVideoSeconds(tools: MediaTools, path: string, capSeconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawnFfmpeg(tools, ['-v', 'error', '-stats', '-i', mediaPath(path), '-map', '0:v:0', '-t', String(capSeconds), '-c', 'copy', '-f', 'null', '-']);
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString('latin1')).slice(-4096)));
    child.on('error', reject);
    child.on('close', () => {
      const times = [...stderr.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
      const last = times[times.length - 1];
      if (!last) return reject(new MediaRejectedError('media.rejected.corrupt', { detail: 'undecodable' }));
      resolve(Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]));
    });
  });
}

function checkDuration(durationSec: number, sizeBytes: number, limits: ProbeLimits): void {
  if (durationSec < MIN_RECORDING_SECONDS) throw new MediaRejectedError('media.rejected.empty', { sizeBytes });
  if (durationSec > limits.maxSeconds) {
    throw new MediaRejectedError('media.rejected.tooLong', { durationSec: round3(durationSec), maxSeconds: limits.maxSeconds, maxMinutes: Math.floor(limits.maxSeconds / 60) });
  }
}

/**
 * ffmpeg's codec name for a WAV header we fully understand and that is self-consistent
 * (block size and byte rate agree with channels, bits and rate); null = let ffprobe judge.
 * Pure.
 */
export function wavCodec(w: WavLayout): string | null {
  if (w.channels < 1 || w.channels > 16 || w.sampleRate < 1000 || w.sampleRate > 384000) return null;
  const pcmLike = (bits: number) => w.bitsPerSample === bits && w.blockAlign === (bits / 8) * w.channels && w.byteRate === w.sampleRate * w.blockAlign;
  switch (w.formatTag) {
    case 1:
      if (pcmLike(8)) return 'pcm_u8';
      if (pcmLike(16)) return 'pcm_s16le';
      if (pcmLike(24)) return 'pcm_s24le';
      if (pcmLike(32)) return 'pcm_s32le';
      return null;
    case 3:
      if (pcmLike(32)) return 'pcm_f32le';
      if (pcmLike(64)) return 'pcm_f64le';
      return null;
    case 6:
      return pcmLike(8) ? 'pcm_alaw' : null;
    case 7:
      return pcmLike(8) ? 'pcm_mulaw' : null;
    case 0x31: // GSM 6.10, Microsoft framing: 65 bytes carry 320 samples
      return w.channels === 1 && w.blockAlign === 65 && Math.abs(w.byteRate - (w.sampleRate * 65) / 320) <= 1 ? 'gsm_ms' : null;
    default:
      return null;
  }
}

/**
 * Decodes the first audio stream (at most capSeconds of it) to a tiny 1 kHz mono stream and
 * counts the samples: the real playable length. Throws corrupt when nothing decodes.
 */
export function measureDecodedSeconds(tools: MediaTools, path: string, capSeconds: number): Promise<number> {
  const rate = 1000;
  return new Promise((resolve, reject) => {
    const child = spawnFfmpeg(tools, ['-v', 'error', '-i', mediaPath(path), '-map', '0:a:0', '-t', String(capSeconds), '-ac', '1', '-ar', String(rate), '-f', 's16le', '-flush_packets', '0', 'pipe:1']);
    let bytes = 0;
    child.stdout.on('data', (b: Buffer) => (bytes += b.length));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && bytes === 0) reject(new MediaRejectedError('media.rejected.corrupt', { detail: 'undecodable' }));
      else resolve(bytes / 2 / rate);
    });
  });
}

/** Recognises media containers by their first bytes. null = not a media file we know. */
export function sniffContainer(head: Uint8Array): ContainerFamily | null {
  const ascii = (from: number, len: number) => String.fromCharCode(...head.subarray(from, from + len));
  if (head.length < 4) return null;
  const magic4 = ascii(0, 4);
  if ((magic4 === 'RIFF' || magic4 === 'RF64' || magic4 === 'BW64' || magic4 === 'RIFX') && head.length >= 12) {
    const kind = ascii(8, 4);
    if (kind === 'WAVE') return 'wav';
    if (kind === 'AVI ') return 'avi';
    return null;
  }
  if (magic4 === 'OggS') return 'ogg';
  if (magic4 === 'fLaC') return 'flac';
  if (magic4 === '.snd') return 'au';
  if (magic4 === 'caff') return 'caf';
  if (magic4 === 'FORM' && head.length >= 12 && (ascii(8, 4) === 'AIFF' || ascii(8, 4) === 'AIFC')) return 'aiff';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'matroska';
  if (ascii(0, 5) === '#!AMR') return 'amr';
  if (ascii(0, 3) === 'FLV') return 'flv';
  if (ascii(0, 3) === 'ID3') return 'mpeg-audio';
  if (head.length >= 8 && ['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip'].includes(ascii(4, 4))) return 'mp4';
  const asfGuid = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];
  if (head.length >= 8 && asfGuid.every((b, i) => head[i] === b)) return 'asf';
  if (head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0xba) return 'mpeg-ps';
  if (head[0] === 0x47 && head.length > 376 && head[188] === 0x47 && head[376] === 0x47) return 'mpeg-ts';
  // MPEG audio frame sync (MP3, MP2) and ADTS AAC: 11 set bits, then a valid version. Some
  // recorders pad the start with zero bytes; ffmpeg resyncs past them, so do we.
  let i = 0;
  while (i < head.length && i < 4096 && head[i] === 0) i++;
  if (head[i] === 0xff && i + 1 < head.length && (head[i + 1]! & 0xe0) === 0xe0 && (head[i + 1]! & 0x18) !== 0x08) return 'mpeg-audio';
  return null;
}

export interface WavLayout {
  formatTag: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  dataOffset: number;
  /** The data chunk's declared size; null when it is a streaming placeholder (0, 0x7FFFFFFF, 0xFFFFFFFF). */
  declaredDataBytes: number | null;
}

/**
 * Walks the RIFF chunks of a WAV's first bytes to its data chunk.
 * 'malformed': the whole file was given and it has no usable fmt/data chunk.
 * 'unknown': the data chunk lies beyond the bytes given (leave it to ffprobe).
 */
export function readWavLayout(head: Buffer, isWholeFile: boolean): WavLayout | 'malformed' | 'unknown' {
  if (head.length < 12) return isWholeFile ? 'malformed' : 'unknown';
  if (head.toString('latin1', 0, 4) === 'RIFX') return 'unknown'; // big-endian WAV: rare, let ffprobe judge
  let fmt: Omit<WavLayout, 'dataOffset' | 'declaredDataBytes'> | null = null;
  let off = 12;
  while (off + 8 <= head.length) {
    const id = head.toString('latin1', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      if (off + 8 + 16 > head.length) break;
      fmt = {
        formatTag: head.readUInt16LE(off + 8),
        channels: head.readUInt16LE(off + 10),
        sampleRate: head.readUInt32LE(off + 12),
        byteRate: head.readUInt32LE(off + 16),
        blockAlign: head.readUInt16LE(off + 20),
        bitsPerSample: head.readUInt16LE(off + 22),
      };
    } else if (id === 'data') {
      if (!fmt || !fmt.channels || !fmt.sampleRate || !fmt.blockAlign) return 'malformed';
      const placeholder = size === 0 || size === 0xffffffff || size === 0x7fffffff;
      return { ...fmt, dataOffset: off + 8, declaredDataBytes: placeholder ? null : size };
    }
    off += 8 + size + (size & 1);
  }
  return isWholeFile ? 'malformed' : 'unknown';
}

export interface WavExtent {
  /** Data bytes actually in the file (bounded by the declared size). */
  presentBytes: number;
  /** Length the present bytes play for; null when the byte rate is unknown. */
  presentSec: number | null;
  /** Length the header claims; null for a streaming placeholder. */
  claimedSec: number | null;
  /** The file ends well before the data its header declares. */
  truncated: boolean;
}

/** Compares what a WAV header declares with what the file holds. Pure. */
export function wavDataExtent(layout: WavLayout, fileSize: number): WavExtent {
  const available = Math.max(0, fileSize - layout.dataOffset);
  const declared = layout.declaredDataBytes;
  const presentBytes = declared === null ? available : Math.min(declared, available);
  const missing = declared === null ? 0 : declared - presentBytes;
  const rate = layout.byteRate > 0 ? layout.byteRate : 0;
  const tolerance = Math.max(layout.blockAlign, rate * TRUNCATION_TOLERANCE_SEC);
  // Whole blocks only: a trailing partial block does not play.
  const wholeBytes = presentBytes - (presentBytes % Math.max(1, layout.blockAlign));
  return {
    presentBytes,
    presentSec: rate ? wholeBytes / rate : null,
    claimedSec: rate && declared !== null ? declared / rate : null,
    truncated: missing > tolerance,
  };
}

export function mimeTypeFor(container: ContainerFamily, hasVideo: boolean): string {
  switch (container) {
    case 'wav': return 'audio/wav';
    case 'mpeg-audio': return 'audio/mpeg';
    case 'ogg': return hasVideo ? 'video/ogg' : 'audio/ogg';
    case 'flac': return 'audio/flac';
    case 'matroska': return hasVideo ? 'video/webm' : 'audio/webm';
    case 'mp4': return hasVideo ? 'video/mp4' : 'audio/mp4';
    case 'amr': return 'audio/amr';
    case 'au': return 'audio/basic';
    case 'aiff': return 'audio/aiff';
    case 'caf': return 'audio/x-caf';
    case 'asf': return hasVideo ? 'video/x-ms-asf' : 'audio/x-ms-wma';
    case 'avi': return 'video/x-msvideo';
    case 'mpeg-ts': return 'video/mp2t';
    case 'mpeg-ps': return 'video/mpeg';
    case 'flv': return 'video/x-flv';
  }
}

async function readHead(path: string, max: number): Promise<Buffer> {
  const fh = await fs.open(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function positiveOrNull(v: string | number | undefined): number | null {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
