import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';

/** The headers every response must carry, whatever its status. */
export const EXPECTED_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=(), browsing-topics=()',
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; " +
    "connect-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; " +
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; manifest-src 'self'",
};

export const EXPECTED_HSTS = 'max-age=63072000; includeSubDomains';

export function assertSecurityHeaders(headers: IncomingHttpHeaders, options: { hsts: boolean }, context = ''): void {
  for (const [name, value] of Object.entries(EXPECTED_SECURITY_HEADERS)) {
    assert.equal(headers[name], value, `${name} ${context}`);
  }
  assert.equal(headers['strict-transport-security'], options.hsts ? EXPECTED_HSTS : undefined, `HSTS ${context}`);
}

/** Parses "HTTP/1.1 …\r\nName: value\r\n…" into lower-cased headers. */
export function headersOfRaw(rawResponse: string): IncomingHttpHeaders {
  const head = rawResponse.split('\r\n\r\n')[0] ?? '';
  const headers: IncomingHttpHeaders = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
