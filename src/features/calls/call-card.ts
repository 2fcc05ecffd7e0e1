// The electronic call card (standard A1.02.3) that may come with a call, as an XML document.
// Parsed safely: a document with a DOCTYPE or an ENTITY declaration is refused before any parser
// sees it (no external entities, no entity expansion, so a "billion laughs" bomb costs nothing),
// and the parser runs with entity processing off. Fields are pulled out through a typed mapping
// (field → element path) and completeness is measured against a list of mandatory fields; both are
// plain constants so a deployment with a different card layout changes one object.
// The document format is described in docs/call-card.md.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * How one card field is found. `path` is the element path from the root, slash-separated, with an
 * optional last `@attribute` segment: `CallCard/Location/Coordinates/@lat`. Repeated elements are
 * all visited; `multiple` keeps every value (else the first non-empty one).
 */
export interface CardFieldSpec {
  path: string;
  kind?: 'text' | 'number';
  multiple?: boolean;
  /** For numbers: the accepted range (a value outside it counts as invalid, i.e. missing). */
  min?: number;
  max?: number;
}

/** The default mapping of the sample card format (docs/call-card.md). */
export const CALL_CARD_FIELDS = {
  cardNumber: { path: 'CallCard/CardNumber' },
  createdAt: { path: 'CallCard/CreatedAt' },
  operatorCode: { path: 'CallCard/Operator/@code' },
  callerName: { path: 'CallCard/Caller/Name' },
  callerPhone: { path: 'CallCard/Caller/Phone' },
  incidentType: { path: 'CallCard/Incident/Type' },
  incidentDescription: { path: 'CallCard/Incident/Description' },
  victims: { path: 'CallCard/Incident/Victims', kind: 'number', min: 0, max: 10000 },
  regionCode: { path: 'CallCard/Location/Region' },
  address: { path: 'CallCard/Location/Address' },
  latitude: { path: 'CallCard/Location/Coordinates/@lat', kind: 'number', min: -90, max: 90 },
  longitude: { path: 'CallCard/Location/Coordinates/@lon', kind: 'number', min: -180, max: 180 },
  servicesRouted: { path: 'CallCard/Dispatch/Service/@code', multiple: true },
  operatorNotes: { path: 'CallCard/OperatorNotes' },
} as const satisfies Record<string, CardFieldSpec>;

export type CallCardFieldName = keyof typeof CALL_CARD_FIELDS;

/** Fields every card must fill (A1.02.3 #1); completeness = filled ÷ this list. */
export const CALL_CARD_MANDATORY_FIELDS: readonly CallCardFieldName[] = [
  'cardNumber',
  'incidentType',
  'callerPhone',
  'address',
  'latitude',
  'longitude',
  'servicesRouted',
  'operatorNotes',
];

/** Largest card accepted. A real card is a few kilobytes. */
export const CALL_CARD_MAX_BYTES = 512 * 1024;

export type CardFieldValue = string | number | string[] | null;

export interface ParsedCallCard {
  /** The document exactly as received (stored in call_cards.xml). */
  xml: string;
  fields: Record<string, CardFieldValue>;
  /** 0..1 share of mandatory fields filled. */
  completeness: number;
  missingFields: string[];
  /** Fields present but unreadable (a latitude of "north"): they also count as missing. */
  invalidFields: string[];
}

/** Why a card was refused: an i18n key (calls.card.*) with its params. */
export class CallCardError extends Error {
  override name = 'CallCardError';
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${key} ${JSON.stringify(params)}`);
  }
}

export interface ParseCallCardOptions {
  fields?: Record<string, CardFieldSpec>;
  mandatory?: readonly string[];
  maxBytes?: number;
}

// DTDs are where entities live: a card never needs one, so any declaration is refused outright.
const DECLARATION_RE = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;

// XML 1.0 Char: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and the supplementary planes.
const FORBIDDEN_CHAR_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function positionOf(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** Deeper than any card: a document nested past this is refused, not walked. */
export const CALL_CARD_MAX_DEPTH = 64;

const parser = new XMLParser({
  maxNestedTags: CALL_CARD_MAX_DEPTH,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Every element is an array, so a path walks repeated and single elements alike.
  isArray: (_name: string, _jpath: unknown, _isLeaf: boolean, isAttribute: boolean) => !isAttribute,
});

/** Decodes, checks and parses a card. Throws CallCardError with the reason; never expands entities. */
export function parseCallCard(input: string | Buffer, opts: ParseCallCardOptions = {}): ParsedCallCard {
  const maxBytes = opts.maxBytes ?? CALL_CARD_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) throw new CallCardError('calls.card.tooLarge', { maxKb: Math.floor(maxBytes / 1024) });
  const xml = typeof input === 'string' ? input : decodeUtf8(input);
  const body = xml.replace(/^\uFEFF/, '');
  if (!body.trim()) throw new CallCardError('calls.card.empty');
  if (DECLARATION_RE.test(body)) throw new CallCardError('calls.card.doctypeForbidden');
  // Characters XML 1.0 does not allow (NUL, other C0 controls, lone surrogates): PostgreSQL text refuses NUL.
  const bad = FORBIDDEN_CHAR_RE.exec(body);
  if (bad) throw new CallCardError('calls.card.malformed', positionOf(body, bad.index));

  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(body, { allowBooleanAttributes: false });
  } catch {
    valid = { err: { code: 'InvalidXml', msg: '', line: 1, col: 1 } };
  }
  if (valid !== true) throw new CallCardError('calls.card.malformed', { line: valid.err.line, col: valid.err.col });

  const fieldsSpec = opts.fields ?? CALL_CARD_FIELDS;
  const mandatory = opts.mandatory ?? CALL_CARD_MANDATORY_FIELDS;
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body) as Record<string, unknown>;
  } catch {
    // Nesting deeper than any card (maxNestedTags), or an element named __proto__ / constructor.
    throw new CallCardError('calls.card.malformed', { line: 1, col: 1 });
  }
  const elements = Object.entries(doc).filter(([k]) => !k.startsWith('?') && k !== '#text');
  if (elements.reduce((n, [, v]) => n + (Array.isArray(v) ? v.length : 1), 0) !== 1) throw new CallCardError('calls.card.malformed', { line: 1, col: 1 });
  const expectedRoot = rootOf(fieldsSpec);
  const roots = elements.map(([k]) => k);
  if (expectedRoot && !roots.includes(expectedRoot)) throw new CallCardError('calls.card.wrongRoot', { expected: expectedRoot, found: roots[0] ?? '' });

  const { fields, invalid } = extractFields(doc, fieldsSpec);
  const { completeness, missing } = cardCompleteness(fields, mandatory);
  return { xml, fields, completeness, missingFields: missing, invalidFields: invalid };
}

/** Values of every mapped field from a parsed document (elements as arrays). Pure. */
export function extractFields(doc: Record<string, unknown>, spec: Record<string, CardFieldSpec>): { fields: Record<string, CardFieldValue>; invalid: string[] } {
  const fields: Record<string, CardFieldValue> = {};
  const invalid: string[] = [];
  for (const [name, s] of Object.entries(spec)) {
    const values = collect(doc, s.path.split('/').filter(Boolean)).map((v) => decodeXmlReferences(v).trim()).filter((v) => v !== '');
    if (s.multiple) {
      fields[name] = [...new Set(values)];
      continue;
    }
    const first = values[0] ?? null;
    if (first === null || s.kind !== 'number') {
      fields[name] = first;
      continue;
    }
    const n = Number(first.replace(',', '.'));
    if (Number.isFinite(n) && (s.min === undefined || n >= s.min) && (s.max === undefined || n <= s.max)) fields[name] = n;
    else {
      fields[name] = null;
      invalid.push(name);
    }
  }
  return { fields, invalid };
}

/** Share of mandatory fields filled, and which are missing. Pure. An empty mandatory list is complete. */
export function cardCompleteness(fields: Record<string, CardFieldValue>, mandatory: readonly string[]): { completeness: number; missing: string[] } {
  const missing = mandatory.filter((f) => isEmptyValue(fields[f]));
  const completeness = mandatory.length ? (mandatory.length - missing.length) / mandatory.length : 1;
  return { completeness: Math.round(completeness * 1000) / 1000, missing };
}

function isEmptyValue(v: CardFieldValue | undefined): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

function collect(node: unknown, segments: string[]): string[] {
  if (segments.length === 0) return [textOf(node)];
  const [seg, ...rest] = segments as [string, ...string[]];
  if (Array.isArray(node)) return node.flatMap((n) => collect(n, segments));
  if (node === null || typeof node !== 'object') return [];
  const obj = node as Record<string, unknown>;
  if (seg.startsWith('@')) {
    const v = Object.prototype.hasOwnProperty.call(obj, seg) ? obj[seg] : undefined;
    return typeof v === 'string' && rest.length === 0 ? [v] : [];
  }
  if (!Object.prototype.hasOwnProperty.call(obj, seg)) return [];
  return collect(obj[seg], rest);
}

function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const t = (node as Record<string, unknown>)['#text'];
    return typeof t === 'string' ? t : t == null ? '' : String(t);
  }
  if (Array.isArray(node)) return node.map(textOf).join(' ');
  return '';
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * The five predefined XML entities and numeric character references, decoded in one pass (the
 * parser leaves every reference alone). Nothing is expanded recursively: `&amp;lt;` becomes `&lt;`.
 */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return isXmlChar(code) ? String.fromCodePoint(code) : whole;
  });
}

/** A code point XML 1.0 allows in a document (a reference to any other is left as written). */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function rootOf(spec: Record<string, CardFieldSpec>): string | null {
  const roots = new Set(Object.values(spec).map((s) => s.path.split('/')[0]));
  return roots.size === 1 ? [...roots][0]! : null;
}

function decodeUtf8(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new CallCardError('calls.card.notUtf8');
  }
}
