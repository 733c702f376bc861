/**
 * The bytes of a model file whose download was cut, for the next attempt to ask only for the rest.
 *
 * Kept in this worker's memory, for a retry in the same page, and in Cache Storage, so that they survive
 * a reload (the first thing many people try after an error) and the worker being restarted. The copy in
 * Cache Storage costs one write of what arrived, when the download stops; the ONNX variant is a single
 * file (46 MB in fp16, 91 MB in fp32), and downloading again what arrived costs far more on a slow connection. Entries are deleted once the file
 * completes, and by the service worker with the caches of model versions no longer listed.
 */
import type { ModelFile } from '../../src/shared/model-manifest.js';
import { PARTIAL_DOWNLOADS_CACHE } from './model-caches.js';

export interface PartialDownload {
  /** The whole file's size; its first `received` bytes have arrived. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  received: number;
  /** The strong ETag or the Last-Modified date of the response they came from: the rest's If-Range. */
  validator: string | null;
}

const VALIDATOR_HEADER = 'X-Fundus-Grader-Validator';

const inMemory = new Map<string, PartialDownload>();

/** Where the part is stored: the URL with the file's sha256, so that another file's part never matches. */
function storedKey(url: string, file: ModelFile): string {
  const key = new URL(url);
  key.searchParams.set('partial', file.sha256);
  return key.href;
}

/** What arrived of the file at `url` in earlier attempts; null when nothing did. */
export async function storedPartial(url: string, file: ModelFile): Promise<PartialDownload | null> {
  const kept = inMemory.get(storedKey(url, file));
  if (kept) return kept;
  if (typeof caches === 'undefined') return null;
  const response = await caches
    .match(storedKey(url, file), { cacheName: PARTIAL_DOWNLOADS_CACHE })
    .catch(() => undefined);
  if (!response) return null;
  const part = new Uint8Array(await response.arrayBuffer());
  if (part.length === 0 || part.length >= file.bytes) return null;
  const bytes = new Uint8Array(file.bytes);
  bytes.set(part);
  const partial: PartialDownload = {
    bytes,
    received: part.length,
    validator: response.headers.get(VALIDATOR_HEADER),
  };
  inMemory.set(storedKey(url, file), partial);
  return partial;
}

/** Keeps what arrived; best effort on disk (storage may be full), always in memory. */
export async function keepPartial(url: string, file: ModelFile, partial: PartialDownload): Promise<void> {
  if (partial.received === 0) return dropPartial(url, file);
  const key = storedKey(url, file);
  inMemory.set(key, partial);
  if (typeof caches === 'undefined') return;
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  if (partial.validator) headers[VALIDATOR_HEADER] = partial.validator;
  try {
    const cache = await caches.open(PARTIAL_DOWNLOADS_CACHE);
    await cache.put(key, new Response(partial.bytes.subarray(0, partial.received), { headers }));
  } catch (error) {
    console.warn(`model download: could not store the part of ${file.path} that arrived:`, error);
  }
}

/** Forgets the part (the file completed, or the part proved wrong). */
export async function dropPartial(url: string, file: ModelFile): Promise<void> {
  const key = storedKey(url, file);
  inMemory.delete(key);
  if (typeof caches === 'undefined' || !(await caches.has(PARTIAL_DOWNLOADS_CACHE))) return;
  await (await caches.open(PARTIAL_DOWNLOADS_CACHE)).delete(key);
}
