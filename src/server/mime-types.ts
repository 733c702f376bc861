import { extname } from 'node:path';

interface MediaType {
  readonly contentType: string;
  /** Worth a precompressed variant: `Vary: Accept-Encoding` is always sent for these. */
  readonly compressible: boolean;
}

const text = (type: string): MediaType => ({ contentType: `${type}; charset=utf-8`, compressible: true });
const binary = (type: string, compressible = false): MediaType => ({ contentType: type, compressible });

const MEDIA_TYPES: Readonly<Record<string, MediaType>> = {
  '.html': text('text/html'),
  '.js': text('text/javascript'),
  '.mjs': text('text/javascript'),
  '.css': text('text/css'),
  '.json': text('application/json'),
  // Source maps are JSON; the spec has no registered media type for them.
  '.map': text('application/json'),
  '.webmanifest': text('application/manifest+json'),
  '.svg': text('image/svg+xml'),
  '.txt': text('text/plain'),
  // application/wasm is what WebAssembly.instantiateStreaming insists on.
  '.wasm': binary('application/wasm', true),
  // Model weights and graphs: opaque bytes to the browser, fetched as ArrayBuffers.
  '.bin': binary('application/octet-stream', true),
  '.onnx': binary('application/octet-stream', true),
  '.png': binary('image/png'),
  '.jpg': binary('image/jpeg'),
  '.jpeg': binary('image/jpeg'),
  '.webp': binary('image/webp'),
  '.ico': binary('image/x-icon'),
};

const UNKNOWN: MediaType = binary('application/octet-stream');

export function mediaTypeFor(fileName: string): MediaType {
  return MEDIA_TYPES[extname(fileName).toLowerCase()] ?? UNKNOWN;
}
