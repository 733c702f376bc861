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
// eslint-disable-next-line no-control-regex -- control bytes are exactly what it must refuse
const FORBIDDEN_DECODED = /[/\\%:\x00-\x1f\x7f]/;
// Before decoding: browsers percent-encode everything outside printable ASCII.
const FORBIDDEN_RAW = /[^\x21-\x7e]|\\/;

// Absolute-form (RFC 9112 §3.2.2): `http://authority/path?query`; the scheme is case-insensitive.
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)(.*)$/is;
// host[:port]: a registered name or a bracketed IP literal. No userinfo (RFC 9110 §4.2.4 calls
// its presence an error), no percent-encoding, and not empty (RFC 9110 §4.2.1: reject an empty host).
const AUTHORITY = /^(?:[A-Za-z0-9._~!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])(?::\d*)?$/;

const refuse = (status: 400 | 404, reason: string): RequestPath => ({ kind: 'refused', status, reason });

export function parseRequestPath(target: string): RequestPath {
  const originForm = toOriginForm(target);
  if (originForm === undefined) return refuse(400, 'neither origin-form nor an http(s) absolute-form target');
  const queryStart = originForm.search(/[?#]/);
  const rawPath = queryStart === -1 ? originForm : originForm.slice(0, queryStart);
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

/**
 * Origin-form (`/path?query`) as is; absolute-form, which RFC 9112 §3.2.2 says a server MUST
 * accept (proxies and some clients send it), reduced to its path and query, `/` when the path is
 * empty. The authority is checked for shape, then ignored, as the Host header is: this server
 * has one site, whatever name it is reached by. `*` and authority-form are undefined (400).
 */
function toOriginForm(target: string): string | undefined {
  if (target.startsWith('/')) return target;
  const match = ABSOLUTE_FORM.exec(target);
  if (!match) return undefined;
  const [, authority = '', rest = ''] = match;
  if (!AUTHORITY.test(authority)) return undefined;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function decodeOnce(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // `%zz`, a lone `%`, or bytes that are not UTF-8
  }
}
