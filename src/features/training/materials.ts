// Training materials: what kind of file an upload really is, judged by its content (never by its
// name), and how its original name goes back to the browser on download. Pure functions.

export type MaterialKind = 'pdf' | 'docx' | 'pptx' | 'xlsx' | 'png' | 'jpeg' | 'text';

export const MATERIAL_MIME: Record<MaterialKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  png: 'image/png',
  jpeg: 'image/jpeg',
  text: 'text/plain; charset=utf-8',
};

export function kindOfMime(mime: string): MaterialKind | null {
  const entry = Object.entries(MATERIAL_MIME).find(([, m]) => m === mime);
  return entry ? (entry[0] as MaterialKind) : null;
}

/** Largest material accepted, per file. */
export const MAX_MATERIAL_BYTES = 20 * 1024 * 1024;
export const MAX_MATERIALS_PER_UPLOAD = 5;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(buf: Uint8Array, bytes: readonly number[]): boolean {
  if (buf.length < bytes.length) return false;
  return bytes.every((b, i) => buf[i] === b);
}

/**
 * The names of the entries of a ZIP file, read from its central directory (the end-of-central-
 * directory record is searched for in the last 64 KiB + 22 bytes). Null when it is not a readable
 * ZIP. ZIP64 archives (over 4 GiB or 65,535 entries) are far beyond a training material's size and
 * are not read.
 */
export function zipEntryNames(buf: Buffer): string[] | null {
  const EOCD = 0x06054b50;
  const CEN = 0x02014b50;
  const minStart = Math.max(0, buf.length - (0xffff + 22));
  let eocd = -1;
  for (let i = buf.length - 22; i >= minStart; i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = buf.readUInt16LE(eocd + 10);
  const size = buf.readUInt32LE(eocd + 12);
  let offset = buf.readUInt32LE(eocd + 16);
  if (offset + size > buf.length) return null;
  const names: string[] = [];
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > buf.length || buf.readUInt32LE(offset) !== CEN) return null;
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    if (offset + 46 + nameLength > buf.length) return null;
    names.push(buf.subarray(offset + 46, offset + 46 + nameLength).toString('utf8'));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** Which Office Open XML document a ZIP is, from its parts; null for any other ZIP. */
function officeKind(buf: Buffer): MaterialKind | null {
  const names = zipEntryNames(buf);
  if (!names || !names.includes('[Content_Types].xml')) return null;
  if (names.some((n) => n.startsWith('word/'))) return 'docx';
  if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
  if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  return null;
}

/**
 * Plain text: valid UTF-8 (a BOM allowed) with no control characters other than tab, line feed,
 * form feed and carriage return. Empty files are not materials.
 */
export function isPlainUtf8Text(buf: Buffer): boolean {
  if (!buf.length) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

/** What the file is, from its bytes: a PDF, an Office document, a PNG/JPEG image or UTF-8 text; null otherwise. */
export function sniffMaterial(buf: Buffer): MaterialKind | null {
  if (startsWith(buf, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  if (startsWith(buf, PNG)) return 'png';
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return officeKind(buf); // PK\3\4
  return isPlainUtf8Text(buf) ? 'text' : null;
}

/**
 * The name a user gave a file, made safe to show and to send back: no directories, no control
 * characters, trimmed, at most 200 characters; a fallback when nothing is left.
 */
export function cleanOriginalName(name: string | undefined | null, fallback = 'material'): string {
  const base = String(name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^\.+/, '').trim().slice(0, 200);
  return cleaned || fallback;
}

/**
 * Content-Disposition for a download under the user's original name (RFC 6266): an ASCII
 * `filename` for old clients and the exact name UTF-8 percent-encoded in `filename*` (RFC 5987),
 * so Cyrillic and Uzbek names survive and quotes or semicolons cannot break the header.
 */
export function contentDisposition(name: string): string {
  const clean = cleanOriginalName(name);
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
