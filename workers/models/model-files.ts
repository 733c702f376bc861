/**
 * Downloads a manifest entry's files and checks each against its sha256 before anything uses it.
 * A file that fails is also evicted from every Cache Storage cache, so that a corrupted copy cached
 * by the service worker is not served again as if it were good.
 */
import type { ModelFile, ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { WorkerFailure } from '../worker-failure.js';

/** Verified file bytes by manifest path (relative to the models folder). */
export type ModelFiles = ReadonlyMap<string, ArrayBuffer>;

export interface FetchModelOptions {
  signal?: AbortSignal;
  /** Called with the number of new bytes each time a chunk arrives. */
  onBytes?: (bytes: number) => void;
}

export function entryBytes(entry: ModelManifestEntry): number {
  return entry.files.reduce((sum, file) => sum + file.bytes, 0);
}

/**
 * A gate for download progress messages: `send` runs at most once per `intervalMs`, and always when
 * `last` is true. A 92 MiB model arrives in thousands of chunks, and every message is garbage for the
 * worker and a re-render for the page.
 */
export function everyAtMost(intervalMs: number): (last: boolean, send: () => void) => void {
  let sent = -Infinity;
  return (last, send) => {
    const now = performance.now();
    if (now - sent < intervalMs && !last) return;
    sent = now;
    send();
  };
}

async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function evictFromCaches(url: string): Promise<void> {
  if (typeof caches === 'undefined') return;
  for (const name of await caches.keys()) await (await caches.open(name)).delete(url, { ignoreSearch: true });
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/**
 * What a screener reads when the connection drops mid-download. Files already complete are kept by the
 * service worker's model cache, so the next attempt (the page retries when it is back online) fetches
 * only what is missing.
 */
export function downloadCutMessage(file: ModelFile, received: number): string {
  return `The download of ${file.path} stopped at ${megabytes(received)} of ${megabytes(file.bytes)}: the connection was lost. It will resume when you are back online.`;
}

async function download(url: string, file: ModelFile, options: FetchModelOptions): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal ?? null });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new WorkerFailure('model-missing', `${file.path} could not be downloaded (offline and not stored on this device?)`);
  }
  if (!response.ok) throw new WorkerFailure('model-missing', `${file.path}: HTTP ${response.status}`);
  if (!response.body) throw new WorkerFailure('model-missing', `${file.path}: empty response`);
  // Sized from the manifest, so a longer file is caught before it can grow without bound.
  const out = new Uint8Array(file.bytes);
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new WorkerFailure('model-missing', downloadCutMessage(file, received));
    }
    const { done, value } = chunk;
    if (done) break;
    if (received + value.length > file.bytes) {
      await reader.cancel();
      await evictFromCaches(url);
      throw new WorkerFailure('model-integrity', `${file.path} is larger than the ${file.bytes} bytes the manifest lists`);
    }
    out.set(value, received);
    received += value.length;
    options.onBytes?.(value.length);
  }
  if (received !== file.bytes) {
    await evictFromCaches(url);
    throw new WorkerFailure('model-integrity', `${file.path} has ${received} bytes, the manifest lists ${file.bytes}`);
  }
  return out.buffer;
}

export async function fetchModelFiles(entry: ModelManifestEntry, modelsUrl: string, options: FetchModelOptions = {}): Promise<ModelFiles> {
  const files = new Map<string, ArrayBuffer>();
  for (const file of entry.files) {
    const url = new URL(file.path, new URL(modelsUrl, self.location.href)).href;
    const bytes = await download(url, file, options);
    const actual = await sha256Hex(bytes);
    if (actual !== file.sha256) {
      await evictFromCaches(url);
      throw new WorkerFailure('model-integrity', `${file.path} does not match its sha256 in the model manifest (got ${actual.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…)`);
    }
    files.set(file.path, bytes);
  }
  return files;
}

export function requireFile(files: ModelFiles, path: string): ArrayBuffer {
  const bytes = files.get(path);
  if (!bytes) throw new WorkerFailure('model-missing', `${path} is not among the model's verified files`);
  return bytes;
}
