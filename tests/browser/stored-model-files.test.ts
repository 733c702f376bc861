// Model files read straight from Cache Storage (workers/models/stored-model-files.ts): hashed the first
// time, marked, then used without hashing again; a copy that is not the file is refused and evicted.
// fetchModelFiles runs here on the page, where crypto.subtle.digest and fetch can be watched.
import { expect, waitUntil } from '@open-wc/testing';
import type { ModelFile, ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { fetchModelFiles } from '../../workers/models/model-files.js';
import { VERIFIED_SHA256_HEADER } from '../../workers/models/stored-model-files.js';
import { WorkerFailure } from '../../workers/worker-failure.js';
import { MODELS_URL, tinyModels } from './worker-client.js';

/** The WorkerFailure `promise` rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<WorkerFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof WorkerFailure)) throw new Error(`expected a WorkerFailure, got ${String(error)}`);
  return error;
}

const urlOf = (file: ModelFile) => new URL(file.path, new URL(MODELS_URL, location.href)).href;

/** Counts what fetchModelFiles hashes and what it asks the network for. */
function watch() {
  const digest = crypto.subtle.digest.bind(crypto.subtle);
  const fetchBefore = window.fetch;
  const seen = { hashed: 0, fetched: [] as string[] };
  Object.defineProperty(crypto.subtle, 'digest', {
    configurable: true,
    value: (...args: Parameters<SubtleCrypto['digest']>) => {
      seen.hashed++;
      return digest(...args);
    },
  });
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    seen.fetched.push(input instanceof Request ? input.url : String(input));
    return fetchBefore(input, init);
  };
  return {
    seen,
    restore() {
      delete (crypto.subtle as { digest?: unknown }).digest;
      window.fetch = fetchBefore;
    },
  };
}

describe('model files read from Cache Storage', function () {
  this.timeout(30000);
  const cacheName = `fundus-grader-test-stored-${crypto.randomUUID()}`;
  let entry: ModelManifestEntry;
  let originals: Map<string, ArrayBuffer>;
  let watcher: ReturnType<typeof watch> | null = null;

  /** Every copy of the entry's files, in any cache, gone: the test decides what is stored. */
  async function forgetStoredCopies(): Promise<void> {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const file of entry.files) await cache.delete(urlOf(file));
    }
  }

  async function store(file: ModelFile, bytes: ArrayBuffer, headers: Record<string, string> = {}): Promise<void> {
    await (await caches.open(cacheName)).put(urlOf(file), new Response(bytes, { headers }));
  }

  const markOf = async (file: ModelFile) =>
    (await (await caches.open(cacheName)).match(urlOf(file)))?.headers.get(VERIFIED_SHA256_HEADER) ?? null;

  before(async () => {
    // The tiny model's TF.js variant: model.json and its weights, several files.
    const pair = await tinyModels();
    entry = pair.tfjs;
    originals = new Map();
    for (const file of entry.files) originals.set(file.path, await (await fetch(urlOf(file))).arrayBuffer());
  });
  beforeEach(forgetStoredCopies);
  afterEach(async () => {
    watcher?.restore();
    watcher = null;
    await caches.delete(cacheName);
  });

  it('hashes a stored file once, marks it, and then uses it without hashing or downloading it again', async () => {
    for (const file of entry.files) await store(file, originals.get(file.path)!);
    watcher = watch();

    const first = await fetchModelFiles(entry, MODELS_URL);
    expect(watcher.seen.hashed, 'each file hashed once').to.equal(entry.files.length);
    for (const file of entry.files) {
      await waitUntil(async () => (await markOf(file)) === file.sha256, `${file.path} marked as verified`);
    }

    const second = await fetchModelFiles(entry, MODELS_URL);
    expect(watcher.seen.hashed, 'no file hashed again').to.equal(entry.files.length);
    expect(watcher.seen.fetched, 'nothing downloaded').to.deep.equal([]);
    for (const file of entry.files) {
      const expected = new Uint8Array(originals.get(file.path)!);
      expect(new Uint8Array(first.get(file.path)!)).to.deep.equal(expected);
      expect(new Uint8Array(second.get(file.path)!)).to.deep.equal(expected);
    }
  });

  it('refuses and evicts a stored file whose bytes are not the file', async () => {
    const [file] = entry.files;
    const tampered = originals.get(file!.path)!.slice(0);
    new Uint8Array(tampered)[0]! ^= 0xff;
    await store(file!, tampered);

    const error = await failureOf(fetchModelFiles(entry, MODELS_URL));
    expect(error.code).to.equal('model-integrity');
    expect(error.message).to.include(`${file!.path} does not match its sha256`);
    expect(await (await caches.open(cacheName)).match(urlOf(file!)), 'evicted').to.equal(undefined);
  });

  it('hashes a file marked with another sha256 (a changed file), and refuses it when it does not match', async () => {
    const [file] = entry.files;
    const tampered = originals.get(file!.path)!.slice(0);
    new Uint8Array(tampered)[1]! ^= 0xff;
    await store(file!, tampered, { [VERIFIED_SHA256_HEADER]: '0'.repeat(64) });
    watcher = watch();

    const error = await failureOf(fetchModelFiles(entry, MODELS_URL));
    expect(error.code).to.equal('model-integrity');
    expect(watcher.seen.hashed).to.be.greaterThan(0);
  });

  it('hashes a file marked with its sha256 but cut short (a torn write), and refuses it', async () => {
    const [file] = entry.files;
    await store(file!, originals.get(file!.path)!.slice(0, file!.bytes - 1), {
      [VERIFIED_SHA256_HEADER]: file!.sha256,
    });

    const error = await failureOf(fetchModelFiles(entry, MODELS_URL));
    expect(error.code).to.equal('model-integrity');
  });
});
