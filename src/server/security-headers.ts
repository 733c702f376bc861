/**
 * Response headers sent on every response, errors and /healthz included.
 * The policy is data so it can be read (and trimmed) in one place.
 */

type CspDirective = readonly [name: string, ...sources: string[]];

const CONTENT_SECURITY_POLICY: readonly CspDirective[] = [
  ['default-src', "'self'"],
  // WebAssembly compilation (TF.js wasm backend, onnxruntime-web) is gated by script-src;
  // 'wasm-unsafe-eval' allows it without allowing JavaScript eval(). blob: because each pthread
  // worker of TF.js's threaded wasm backend importScripts() the Emscripten glue from a blob: URL
  // (tfjs-backend-wasm sets mainScriptUrlOrBlob to a Blob); only script already running in our
  // origin can mint such URLs. Without it TF.js wasm silently runs single-threaded.
  ['script-src', "'self'", "'wasm-unsafe-eval'", 'blob:'],
  // The same pthread workers are started from a blob: URL that tfjs-backend-wasm builds itself.
  ['worker-src', "'self'", 'blob:'],
  ['connect-src', "'self'"],
  // blob: shows the chosen fundus photo from an object URL; data: covers canvas.toDataURL() previews.
  ['img-src', "'self'", 'blob:', 'data:'],
  // blob: plays back captured media from object URLs (live camera streams use srcObject, which
  // media-src does not govern).
  ['media-src', "'self'", 'blob:'],
  ['style-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
  ['manifest-src', "'self'"],
];

// Only the camera is used (fundus photos from the tablet). Tokens checked against
// document.featurePolicy.features() in Chromium 156: all are recognised there. browsing-topics
// opts out of the Topics API; the older interest-cohort (FLoC) is retired and left out.
const PERMISSIONS_POLICY: readonly string[] = [
  'camera=(self)',
  'microphone=()',
  'geolocation=()',
  'browsing-topics=()',
];

/** Two years; no `preload`, so leaving HTTPS stays possible by lowering max-age. */
const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

function serializeCsp(directives: readonly CspDirective[]): string {
  return directives.map((directive) => directive.join(' ')).join('; ');
}

export function securityHeaders(options: { readonly hsts: boolean }): Readonly<Record<string, string>> {
  return {
    // COOP + COEP make the page cross-origin isolated: SharedArrayBuffer, hence wasm threads.
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': PERMISSIONS_POLICY.join(', '),
    'Content-Security-Policy': serializeCsp(CONTENT_SECURITY_POLICY),
    ...(options.hsts ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
  };
}
