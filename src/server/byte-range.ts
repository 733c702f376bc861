/**
 * A single `Range: bytes=…` request against a representation of `size` bytes (RFC 9110 §14).
 * Several ranges are answered with the whole body (allowed: a server MAY ignore Range),
 * which spares us multipart/byteranges; no client of this app asks for more than one.
 */
export type ByteRange =
  | { readonly kind: 'whole' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number };

const WHOLE: ByteRange = { kind: 'whole' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };
const RANGE_SPEC = /^(\d*)-(\d*)$/;

export function parseByteRange(header: string, size: number): ByteRange {
  const equals = header.indexOf('=');
  if (equals === -1 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return WHOLE;
  const specs = header.slice(equals + 1).split(',');
  if (specs.length !== 1) return WHOLE;
  const match = RANGE_SPEC.exec((specs[0] ?? '').trim());
  if (!match) return WHOLE; // invalid syntax is ignored, not refused
  const [, first = '', last = ''] = match;

  if (first === '') {
    // Suffix range `-n`: the last n bytes.
    const length = toInteger(last);
    if (length === undefined) return WHOLE;
    if (length === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = toInteger(first);
  const end = last === '' ? size - 1 : toInteger(last);
  if (start === undefined || end === undefined || (last !== '' && end < start)) return WHOLE;
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

function toInteger(digits: string): number | undefined {
  if (digits === '') return undefined;
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : undefined;
}
