// Reading a WAV's layout without ffprobe, as robustly as telephony recorders need: RIFF chunks
// walked one by one (odd sizes padded or not — some writers forget the pad byte), the
// WAVE_FORMAT_EXTENSIBLE header resolved to its sub-format, RF64/BW64 64-bit sizes, streaming
// headers whose data size is 0 or 0xFFFFFFFF (read to the end of the file), and files cut short
// (what is there is read; `truncated` says so). Pure: it reads the first bytes it is given.
import fs from 'node:fs/promises';
import type { ByteCodec } from './g711';

/** Codecs the in-process path decodes. */
export type InProcessCodec = ByteCodec | 'pcm_s16le';

export interface WavInfo {
  /** The format code after resolving WAVE_FORMAT_EXTENSIBLE (1 PCM, 3 float, 6 A-law, 7 mu-law, …). */
  formatTag: number;
  extensible: boolean;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** The data chunk's declared size; null for a streaming placeholder (0, 0x7FFFFFFF, 0xFFFFFFFF). */
  declaredDataBytes: number | null;
  /** Whole sample frames' bytes present in the file (bounded by the declared size). */
  dataBytes: number;
  /** The file ends before the data its header declares (by more than one sample frame). */
  truncated: boolean;
  /** What the in-process path decodes it as; null = leave it to ffmpeg. */
  codec: InProcessCodec | null;
}

export type WavParse = { ok: true; wav: WavInfo } | { ok: false; reason: 'notWav' | 'malformed' | 'needMore' };

const EXTENSIBLE = 0xfffe;
// The GUID tail every KSDATAFORMAT_SUBTYPE_* for a WAVE format code shares (after the code's 4 bytes).
const SUBTYPE_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function ascii(b: Uint8Array, at: number, len: number): string {
  let s = '';
  for (let i = at; i < at + len && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Chunk ids recorders write into WAVs: enough to recognise a missing pad byte. */
const KNOWN_CHUNKS = new Set(['data', 'fmt ', 'fact', 'LIST', 'list', 'JUNK', 'junk', 'PAD ', 'bext', 'iXML', 'cue ', 'smpl', 'inst', 'PEAK', 'ds64', 'id3 ', 'ID3 ', 'axml', 'minf', 'elm1', 'regn', 'umid', 'DGDA', 'FLLR']);

/**
 * Parses a WAV from its first bytes (`head`) and the file's full size. 'needMore' when the data
 * chunk starts beyond the bytes given (pass more), 'malformed' when a RIFF/WAVE file has no usable
 * fmt/data chunk, 'notWav' when it is not RIFF/RF64 WAVE at all. Little-endian only (RIFX: notWav).
 */
export function parseWavHeader(head: Uint8Array, fileSize: number): WavParse {
  if (head.length < 12) return { ok: false, reason: fileSize <= head.length ? 'notWav' : 'needMore' };
  const magic = ascii(head, 0, 4);
  if ((magic !== 'RIFF' && magic !== 'RF64' && magic !== 'BW64') || ascii(head, 8, 4) !== 'WAVE') return { ok: false, reason: 'notWav' };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  const u16 = (at: number) => view.getUint16(at, true);
  const wholeFile = head.length >= fileSize;

  let ds64DataBytes: number | null = null;
  let fmt: Omit<WavInfo, 'dataOffset' | 'declaredDataBytes' | 'dataBytes' | 'truncated' | 'codec'> | null = null;
  let off = 12;
  while (off + 8 <= head.length) {
    const id = ascii(head, off, 4);
    const size = u32(off + 4);
    const body = off + 8;
    if (id === 'ds64' && body + 24 <= head.length) {
      // RF64: riffSize (8), dataSize (8), sampleCount (8). Sizes past 2^53 are not real files.
      ds64DataBytes = u32(body + 8) + u32(body + 12) * 2 ** 32;
    } else if (id === 'fmt ') {
      if (body + 16 > head.length) return { ok: false, reason: wholeFile ? 'malformed' : 'needMore' };
      let formatTag = u16(body);
      let extensible = false;
      if (formatTag === EXTENSIBLE && size >= 40 && body + 40 <= head.length) {
        const sub = body + 24;
        if (SUBTYPE_TAIL.every((b, i) => head[sub + 4 + i] === b) && u16(sub + 2) === 0) {
          formatTag = u16(sub);
          extensible = true;
        }
      }
      fmt = { formatTag, extensible, channels: u16(body + 2), sampleRate: u32(body + 4), blockAlign: u16(body + 12), bitsPerSample: u16(body + 14) };
    } else if (id === 'data') {
      if (!fmt || !fmt.channels || !fmt.sampleRate || !fmt.blockAlign) return { ok: false, reason: 'malformed' };
      const placeholder = size === 0 || size === 0xffffffff || size === 0x7fffffff;
      const declared = magic !== 'RIFF' && size === 0xffffffff && ds64DataBytes !== null ? ds64DataBytes : placeholder ? null : size;
      const available = Math.max(0, fileSize - body);
      const present = declared === null ? available : Math.min(declared, available);
      const whole = present - (present % fmt.blockAlign);
      return {
        ok: true,
        wav: {
          ...fmt,
          dataOffset: body,
          declaredDataBytes: declared,
          dataBytes: whole,
          truncated: declared !== null && declared - present >= fmt.blockAlign,
          codec: inProcessCodec(fmt),
        },
      };
    }
    let next = body + size;
    // RIFF pads odd chunks to an even length; some writers do not. Take the pad byte unless a
    // known chunk id starts right after the chunk and none starts one byte later.
    if (size & 1 && !(KNOWN_CHUNKS.has(ascii(head, next, 4)) && !KNOWN_CHUNKS.has(ascii(head, next + 1, 4)))) next += 1;
    if (next <= off) return { ok: false, reason: 'malformed' };
    off = next;
  }
  return { ok: false, reason: wholeFile || off >= fileSize ? 'malformed' : 'needMore' };
}

/** The codec the in-process path decodes this format as, or null (left to ffmpeg). Pure. */
export function inProcessCodec(f: Pick<WavInfo, 'formatTag' | 'channels' | 'sampleRate' | 'bitsPerSample' | 'blockAlign'>): InProcessCodec | null {
  if (f.channels < 1 || f.channels > 16 || f.sampleRate < 4000 || f.sampleRate > 192000) return null;
  const bytes = f.bitsPerSample / 8;
  if (f.blockAlign !== bytes * f.channels) return null;
  if (f.formatTag === 7 && f.bitsPerSample === 8) return 'pcm_mulaw';
  if (f.formatTag === 6 && f.bitsPerSample === 8) return 'pcm_alaw';
  if (f.formatTag === 1 && f.bitsPerSample === 8) return 'pcm_u8';
  if (f.formatTag === 1 && f.bitsPerSample === 16) return 'pcm_s16le';
  return null;
}

/** Reads a WAV file's layout, reading more of the head while chunks before the data need it. null when it is not a WAV. */
export async function readWavInfo(path: string): Promise<WavInfo | null> {
  const fh = await fs.open(path, 'r');
  try {
    const { size } = await fh.stat();
    for (let want = 64 * 1024; ; want *= 4) {
      const buf = Buffer.alloc(Math.min(want, size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const parsed = parseWavHeader(buf.subarray(0, bytesRead), size);
      if (parsed.ok) return parsed.wav;
      if (parsed.reason !== 'needMore' || bytesRead >= size || want >= 16 * 1024 * 1024) return null;
    }
  } finally {
    await fh.close();
  }
}
