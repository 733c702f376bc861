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
  if (first === '' && last === '') return WHOLE;

  // Positions may have any number of digits (RFC 9110 §14.1.1 sets no limit), so they are
  // compared exactly, as decimal strings: as doubles, 9007199254740993 and 9007199254740992 are
  // the same number. (Strings rather than BigInt: no arbitrary-precision parse of a 16 KiB run of
  // digits.) A position becomes a number only once it is known to be below the size, a safe integer.
  const length = String(size);
  if (first === '') {
    // Suffix range `-n`: the last n bytes, or the whole file when n is at least its size.
    if (compareDecimal(last, '0') === 0 || size === 0) return UNSATISFIABLE;
    const start = compareDecimal(last, length) >= 0 ? 0 : size - Number(last);
    return { kind: 'partial', start, end: size - 1 };
  }
  if (last !== '' && compareDecimal(last, first) < 0) return WHOLE; // last before first: invalid, so ignored
  // A first position at or past the end, however large, is unsatisfiable (§14.1.1); a last
  // position at or past the end (or none), however large, means "to the end".
  if (compareDecimal(first, length) >= 0) return UNSATISFIABLE;
  const end = last === '' || compareDecimal(last, length) >= 0 ? size - 1 : Number(last);
  return { kind: 'partial', start: Number(first), end };
}

/** Exact comparison of two non-empty strings of decimal digits, of any length: <0, 0 or >0. */
function compareDecimal(a: string, b: string): number {
  const x = withoutLeadingZeros(a);
  const y = withoutLeadingZeros(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function withoutLeadingZeros(digits: string): string {
  const firstNonZero = digits.search(/[1-9]/);
  return firstNonZero === -1 ? '0' : digits.slice(firstNonZero);
}
