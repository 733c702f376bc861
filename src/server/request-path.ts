/**
 * Turns the raw request target into path segments under the root, or a refusal.
 * Works on the raw string because URL/fetch normalise `..` away before we could see it.
 * Each segment is percent-decoded exactly once, so an encoded separator (`%2f`, `%5c`) can be
 * told apart from a real one, and anything still percent-encoded afterwards (double encoding)
 * is refused rather than risk a second decoder somewhere seeing `..` or `/`.
 */

export type RequestPath =
  | { readonly kind: 'file'; readonly segments: readonly string[] }
  | { readonly kind: 'refused'; readonly status: 400 | 404; readonly reason: string };

const ROOT_DOCUMENT = 'index.html';

// After the single decode: separators, a leftover percent, drive-letter colons, control bytes.
const FORBIDDEN_DECODED = /[/\\%:\x00-\x1f\x7f]/;
// Before decoding: browsers percent-encode everything outside printable ASCII.
const FORBIDDEN_RAW = /[^\x21-\x7e]|\\/;

const refuse = (status: 400 | 404, reason: string): RequestPath => ({ kind: 'refused', status, reason });

export function parseRequestPath(target: string): RequestPath {
  const queryStart = target.search(/[?#]/);
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  // Only origin-form (`/path`): not a proxy, so absolute-form and `*` have no meaning here.
  if (!rawPath.startsWith('/')) return refuse(400, 'not an origin-form path');
  if (FORBIDDEN_RAW.test(rawPath)) return refuse(400, 'backslash, space, control or non-ASCII byte');
  if (rawPath === '/') return { kind: 'file', segments: [ROOT_DOCUMENT] };

  const rawSegments = rawPath.slice(1).split('/');
  const segments: string[] = [];
  for (const [index, raw] of rawSegments.entries()) {
    if (raw === '') {
      // A trailing slash names a directory; only the root has an index document.
      return index === rawSegments.length - 1 ? refuse(404, 'directory') : refuse(400, 'empty segment');
    }
    const decoded = decodeOnce(raw);
    if (decoded === undefined) return refuse(400, 'malformed percent-encoding');
    if (FORBIDDEN_DECODED.test(decoded)) return refuse(400, 'encoded separator, percent, colon or control');
    if (decoded === '.' || decoded === '..') return refuse(400, 'dot segment');
    segments.push(decoded);
  }
  if (segments.some((segment) => segment.startsWith('.'))) return refuse(404, 'dotfile');
  return { kind: 'file', segments };
}

function decodeOnce(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // `%zz`, a lone `%`, or bytes that are not UTF-8
  }
}
