/**
 * Reads or downloads a manifest entry's files and checks each against its sha256 before anything uses
 * it: files Cache Storage holds are read from there, a copy this code already checked without hashing it
 * again (stored-model-files.ts, which says why that keeps the check). A file that fails is also evicted
 * from every Cache Storage cache, so that a corrupted copy is not served again as if it were good.
 *
 * A download the network cuts keeps what arrived (partial-downloads.ts); the next attempt asks only for
 * the rest (`Range`, with `If-Range` so that a file changed meanwhile comes whole), and the whole file is
 * verified as always. A resumed file that fails its sha256 is fetched whole once more.
 */
import type { ModelFile, ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { throwIfAborted, WorkerFailure } from '../worker-failure.js';
import { currentCutReason, DownloadCut } from './download-cut.js';
import { modelCacheName } from './model-caches.js';
import { dropPartial, keepPartial, storedPartial, type PartialDownload } from './partial-downloads.js';
import { timedSpan } from './start-up-timing.js';
import { markVerified, readStoredFile, verifiedResponse } from './stored-model-files.js';

/** Verified file bytes by manifest path (relative to the models folder). */
export type ModelFiles = ReadonlyMap<string, ArrayBuffer>;

export interface FetchModelOptions {
  signal?: AbortSignal;
  /**
   * Called with the number of new bytes each time some arrive (a resumed file's stored part counts when
   * the rest starts coming), and with a negative number when bytes already counted are thrown away.
   */
  onBytes?: (bytes: number) => void;
  /** Names the start-up spans of each file's read and check (start-up-timing.ts), e.g. the runtime. */
  timingLabel?: string;
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

/** What the rest of a file may be checked against: a strong ETag, else the Last-Modified date. */
function validatorOf(response: Response): string | null {
  const etag = response.headers.get('ETag');
  if (etag && !etag.startsWith('W/')) return etag;
  return response.headers.get('Last-Modified');
}

/** True when a 206 holds exactly the rest of the file after the part we have. */
function isTheRest(response: Response, file: ModelFile, from: number): boolean {
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('Content-Range')?.trim() ?? '');
  if (!range) return false;
  const [, start, end, size] = range;
  return Number(start) === from && Number(end) === file.bytes - 1 && (size === '*' || Number(size) === file.bytes);
}

interface Downloaded {
  bytes: ArrayBuffer;
  /** Put together from a stored part and the rest. */
  resumed: boolean;
}

async function request(url: string, file: ModelFile, partial: PartialDownload | null, signal: AbortSignal | null) {
  const headers = new Headers();
  if (partial) {
    headers.set('Range', `bytes=${partial.received}-`);
    if (partial.validator) headers.set('If-Range', partial.validator);
  }
  try {
    // The rest past the browser's HTTP cache: what answers is the server (or the service worker's whole copy).
    return await fetch(url, { signal, headers, ...(partial ? { cache: 'no-store' as const } : {}) });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new DownloadCut(file, partial?.received ?? 0, currentCutReason());
  }
}

/** One file's bytes; from the part stored by an earlier attempt when `resume` and the server agrees. */
async function download(url: string, file: ModelFile, options: FetchModelOptions, resume: boolean): Promise<Downloaded> {
  const signal = options.signal ?? null;
  let partial = resume ? await storedPartial(url, file) : null;
  let response = await request(url, file, partial, signal);
  if (partial && (response.status === 416 || (response.status === 206 && !isTheRest(response, file, partial.received)))) {
    // The server cannot give the rest of this part: the file whole, then.
    await response.body?.cancel();
    await dropPartial(url, file);
    partial = null;
    response = await request(url, file, null, signal);
  }
  // 200: the whole file, also when the server ignored the Range (or If-Range found the file changed).
  const resumed = partial !== null && response.status === 206;
  if (response.status !== 200 && !resumed)
    throw new WorkerFailure('model-missing', `${file.path}: HTTP ${response.status}`);
  if (!response.body) throw new WorkerFailure('model-missing', `${file.path}: empty response`);

  // Sized from the manifest, so a longer file is caught before it can grow without bound.
  const progress: PartialDownload = resumed
    ? { bytes: partial!.bytes, received: partial!.received, validator: validatorOf(response) ?? partial!.validator }
    : { bytes: new Uint8Array(file.bytes), received: 0, validator: validatorOf(response) };
  if (resumed) options.onBytes?.(progress.received);
  const reader = response.body.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      // Cut after the last byte: the file is all there (its sha256 says whether it is right).
      if (progress.received === file.bytes && !signal?.aborted) break;
      await keepPartial(url, file, progress);
      if (signal?.aborted) throw error;
      throw new DownloadCut(file, progress.received, currentCutReason());
    }
    const { done, value } = chunk;
    if (done) break;
    if (progress.received + value.length > file.bytes) {
      await reader.cancel();
      await Promise.all([evictFromCaches(url), dropPartial(url, file)]);
      throw new WorkerFailure('model-integrity', `${file.path} is larger than the ${file.bytes} bytes the manifest lists`);
    }
    progress.bytes.set(value, progress.received);
    progress.received += value.length;
    options.onBytes?.(value.length);
  }
  if (partial) await dropPartial(url, file);
  if (progress.received !== file.bytes) {
    await evictFromCaches(url);
    throw new WorkerFailure('model-integrity', `${file.path} has ${progress.received} bytes, the manifest lists ${file.bytes}`);
  }
  return { bytes: progress.bytes.buffer, resumed };
}

/**
 * A file put together from a part and the rest went past the service worker's model cache (a 206 is not
 * the file): stored there now, verified and marked so, so that the next visit does not download it again.
 * Only where that cache exists, that is where the service worker stores this model's files.
 */
async function storeResumedFile(url: string, entry: ModelManifestEntry, file: ModelFile, bytes: ArrayBuffer): Promise<void> {
  const name = modelCacheName(entry.id, entry.version);
  if (typeof caches === 'undefined' || !(await caches.has(name))) return;
  try {
    await (await caches.open(name)).put(url, verifiedResponse(bytes, file));
  } catch (error) {
    console.warn(`model download: could not store ${url} for offline use:`, error);
  }
}

function integrityFailure(file: ModelFile, actual: string): WorkerFailure {
  return new WorkerFailure(
    'model-integrity',
    `${file.path} does not match its sha256 in the model manifest (got ${actual.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…)`,
  );
}

/** Where each model file is, and how its spans are named (start-up-timing.ts). */
function fileNaming(modelsUrl: string, label = 'model') {
  const base = new URL(modelsUrl, self.location.href);
  return {
    urlOf: (file: ModelFile) => new URL(file.path, base).href,
    span: (file: ModelFile, stage: string) => `${label}:${file.path.split('/').pop()} ${stage}`,
  };
}

/**
 * The entry's files Cache Storage holds, read all at once and each checked (a copy this code already
 * checked is not hashed again: stored-model-files.ts), by path; the files it does not hold are left out.
 * A stored copy that is not the file is evicted and refused ('model-integrity').
 */
async function readStored(entry: ModelManifestEntry, modelsUrl: string, options: FetchModelOptions): Promise<Map<string, ArrayBuffer>> {
  const { urlOf, span } = fileNaming(modelsUrl, options.timingLabel);
  const stored = await Promise.all(
    entry.files.map((file) => timedSpan(span(file, 'read'), () => readStoredFile(urlOf(file), file))),
  );
  if (options.signal) throwIfAborted(options.signal);
  const files = new Map<string, ArrayBuffer>();
  await Promise.all(
    entry.files.map(async (file, i) => {
      const copy = stored[i];
      if (!copy) return;
      options.onBytes?.(copy.bytes.byteLength);
      if (!copy.verified) {
        const actual = await timedSpan(span(file, 'sha256'), () => sha256Hex(copy.bytes));
        if (actual !== file.sha256) {
          await evictFromCaches(urlOf(file));
          throw integrityFailure(file, actual);
        }
        void markVerified(urlOf(file), file, copy.bytes);
      }
      files.set(file.path, copy.bytes);
    }),
  );
  return files;
}

/** Every file of the entry from Cache Storage, checked; null when one is not stored (nothing is downloaded). */
export async function readStoredModelFiles(
  entry: ModelManifestEntry,
  modelsUrl: string,
  options: FetchModelOptions = {},
): Promise<ModelFiles | null> {
  const files = await readStored(entry, modelsUrl, options);
  return files.size === entry.files.length ? files : null;
}

/**
 * A manifest entry's files, each checked against its sha256 before anything uses it: those Cache Storage
 * holds from there, all at once (on a reload that is every file, and the start waits for them), the
 * others downloaded one after the other.
 */
export async function fetchModelFiles(entry: ModelManifestEntry, modelsUrl: string, options: FetchModelOptions = {}): Promise<ModelFiles> {
  const { urlOf, span } = fileNaming(modelsUrl, options.timingLabel);
  const files = await readStored(entry, modelsUrl, options);
  for (const file of entry.files.filter((f) => !files.has(f.path))) {
    const url = urlOf(file);
    let { bytes, resumed } = await timedSpan(span(file, 'download'), () => download(url, file, options, true));
    let actual = await timedSpan(span(file, 'sha256'), () => sha256Hex(bytes));
    if (actual !== file.sha256 && resumed) {
      // The stored part and the rest do not make the file (a part gone bad, a server that changed the
      // file without changing its validators): once more, whole.
      options.onBytes?.(-file.bytes);
      ({ bytes, resumed } = await download(url, file, options, false));
      actual = await sha256Hex(bytes);
    }
    if (actual !== file.sha256) {
      await evictFromCaches(url);
      throw integrityFailure(file, actual);
    }
    // The service worker may have stored what it passed on meanwhile: marked, it is not hashed next time.
    if (resumed) await storeResumedFile(url, entry, file, bytes);
    else void markVerified(url, file, bytes);
    files.set(file.path, bytes);
  }
  return files;
}

export function requireFile(files: ModelFiles, path: string): ArrayBuffer {
  const bytes = files.get(path);
  if (!bytes) throw new WorkerFailure('model-missing', `${path} is not among the model's verified files`);
  return bytes;
}
