// Photos opened from outside the app (issue 16, point 7): the service worker's share-target handler over
// real Requests built from FormData, and the page's side (the address, the shared-photos cache, the
// launch queue).
import { expect } from '@open-wc/testing';
import { initialView } from '../../src/app/launch/launch-address.js';
import type { LaunchParams, LaunchQueue } from '../../src/app/launch/launch-queue.js';
import { LaunchedPhotos, type LaunchedPhotoBatch, type LaunchWindow } from '../../src/app/launch/launched-photos.js';
import {
  PHOTO_LIMITS,
  SHARED_AT_HEADER,
  SHARED_PHOTOS_CACHE,
  SHARED_PHOTOS_MAX_AGE_MS,
  SHARE_TARGET_ACTION,
  shareIndexPath,
  sharedPhotoPath,
  type StoredShare,
} from '../../src/shared/shared-photos.js';
import { handleShareTarget } from '../../workers/sw/share-target.js';

const JPEG_HEAD = [0xff, 0xd8, 0xff, 0xe0];
const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const WEBP_HEAD = [0x52, 0x49, 0x46, 0x46, 0x10, 0, 0, 0, 0x57, 0x45, 0x42, 0x50];

/** A file whose bytes start like the format's (the rest is the name, so each file's bytes differ). */
function photo(name: string, head: number[], type = 'image/jpeg'): File {
  return new File([new Uint8Array(head), new TextEncoder().encode(name)], name, { type, lastModified: 1700000000000 });
}

function shareRequest(files: File[], field = 'photos'): Request {
  const form = new FormData();
  for (const file of files) form.append(field, file);
  return new Request(new URL(SHARE_TARGET_ACTION, location.href), { method: 'POST', body: form });
}

/** The address a 303 sends the page to, relative to this origin. */
function redirectTarget(response: Response): URL {
  expect(response.status).to.equal(303);
  return new URL(response.headers.get('Location')!);
}

async function storedPaths(): Promise<string[]> {
  if (!(await caches.has(SHARED_PHOTOS_CACHE))) return [];
  const cache = await caches.open(SHARED_PHOTOS_CACHE);
  return (await cache.keys()).map((request) => new URL(request.url).pathname).sort();
}

async function bytesOf(blob: Blob): Promise<number[]> {
  return [...new Uint8Array(await blob.arrayBuffer())];
}

describe('the share target (service worker)', () => {
  beforeEach(() => caches.delete(SHARED_PHOTOS_CACHE));
  after(() => caches.delete(SHARED_PHOTOS_CACHE));

  it('keeps JPEG, PNG and WebP photos in the shared cache and sends the page to the visit with the id', async () => {
    const files = [photo('left.jpg', JPEG_HEAD), photo('right.png', PNG_HEAD, 'image/png'), photo('x.webp', WEBP_HEAD)];
    const target = redirectTarget(await handleShareTarget(shareRequest(files), caches, { now: () => 42 }));
    expect(target.origin).to.equal(location.origin);
    expect(target.pathname).to.equal('/');
    expect(target.searchParams.get('view')).to.equal('visit');
    const id = target.searchParams.get('shared')!;
    expect(id).to.match(/^[0-9a-f-]{36}$/);

    expect(await storedPaths()).to.deep.equal(
      [shareIndexPath(id), sharedPhotoPath(id, 0), sharedPhotoPath(id, 1), sharedPhotoPath(id, 2)].sort(),
    );
    const cache = await caches.open(SHARED_PHOTOS_CACHE);
    const share = (await (await cache.match(shareIndexPath(id)))!.json()) as StoredShare;
    expect(share.storedAt).to.equal(42);
    expect(share.problems).to.deep.equal([]);
    expect(share.photos.map(({ name, type, size }) => ({ name, type, size }))).to.deep.equal([
      { name: 'left.jpg', type: 'image/jpeg', size: files[0]!.size },
      { name: 'right.png', type: 'image/png', size: files[1]!.size },
      // The type the bytes say, not the one declared.
      { name: 'x.webp', type: 'image/webp', size: files[2]!.size },
    ]);
    for (const [index, file] of files.entries()) {
      const stored = (await cache.match(sharedPhotoPath(id, index)))!;
      expect(stored.headers.get('Content-Type')).to.equal(share.photos[index]!.type);
      expect(stored.headers.get(SHARED_AT_HEADER)).to.equal('42');
      expect(await bytesOf(await stored.blob())).to.deep.equal(await bytesOf(file));
    }
  });

  it('keeps the photos of a share that also held other files, with a problem for each of those', async () => {
    const pdf = new File(['%PDF-1.7'], 'report.pdf', { type: 'application/pdf' });
    const renamed = new File(['not a jpeg'], 'fake.jpg', { type: 'image/jpeg' });
    const target = redirectTarget(
      await handleShareTarget(shareRequest([pdf, photo('eye.jpg', JPEG_HEAD), renamed]), caches),
    );
    const id = target.searchParams.get('shared')!;
    const share = (await (await (
      await caches.open(SHARED_PHOTOS_CACHE)
    ).match(shareIndexPath(id)))!.json()) as StoredShare;
    expect(share.photos.map((p) => p.name)).to.deep.equal(['eye.jpg']);
    expect(share.problems).to.deep.equal([
      { code: 'not-image', fileName: 'report.pdf' },
      { code: 'not-image', fileName: 'fake.jpg' },
    ]);
  });

  it('stores nothing and names the error when no file is a photo', async () => {
    const files = [new File(['hello'], 'notes.txt', { type: 'text/plain' })];
    const target = redirectTarget(await handleShareTarget(shareRequest(files), caches));
    expect(target.searchParams.get('view')).to.equal('visit');
    expect(target.searchParams.has('shared')).to.equal(false);
    expect(target.searchParams.getAll('share-error')).to.deep.equal(['not-image']);
    expect(await storedPaths()).to.deep.equal([]);
  });

  it('answers a share without files, or with them under another field, with no-files', async () => {
    for (const request of [shareRequest([]), shareRequest([photo('a.jpg', JPEG_HEAD)], 'file')]) {
      const target = redirectTarget(await handleShareTarget(request, caches));
      expect(target.searchParams.getAll('share-error')).to.deep.equal(['no-files']);
    }
    expect(await storedPaths()).to.deep.equal([]);
  });

  it(`keeps the first ${PHOTO_LIMITS.maxFiles} photos of a larger share and counts the rest`, async () => {
    const files = Array.from({ length: PHOTO_LIMITS.maxFiles + 2 }, (_, i) => photo(`p${i}.jpg`, JPEG_HEAD));
    const id = redirectTarget(await handleShareTarget(shareRequest(files), caches)).searchParams.get('shared')!;
    const share = (await (await (
      await caches.open(SHARED_PHOTOS_CACHE)
    ).match(shareIndexPath(id)))!.json()) as StoredShare;
    expect(share.photos.map((p) => p.name)).to.deep.equal(files.slice(0, PHOTO_LIMITS.maxFiles).map((f) => f.name));
    expect(share.problems).to.deep.equal([{ code: 'too-many', count: 2 }]);
    expect(await storedPaths()).to.have.length(PHOTO_LIMITS.maxFiles + 1);
  });

  it('refuses a photo over the size limit', async () => {
    const huge = new File([new Uint8Array(JPEG_HEAD), new Uint8Array(PHOTO_LIMITS.maxBytes)], 'huge.jpg');
    const alone = redirectTarget(await handleShareTarget(shareRequest([huge]), caches));
    expect(alone.searchParams.getAll('share-error')).to.deep.equal(['too-large']);
    const id = redirectTarget(
      await handleShareTarget(shareRequest([huge, photo('ok.jpg', JPEG_HEAD)]), caches),
    ).searchParams.get('shared')!;
    const share = (await (await (
      await caches.open(SHARED_PHOTOS_CACHE)
    ).match(shareIndexPath(id)))!.json()) as StoredShare;
    expect(share.photos.map((p) => p.name)).to.deep.equal(['ok.jpg']);
    expect(share.problems).to.deep.equal([{ code: 'too-large', fileName: 'huge.jpg' }]);
  });

  it('refuses a POST that is not a multipart form', async () => {
    const request = new Request(new URL(SHARE_TARGET_ACTION, location.href), {
      method: 'POST',
      body: new URLSearchParams({ photos: 'x' }),
    });
    const target = redirectTarget(await handleShareTarget(request, caches));
    expect(target.searchParams.getAll('share-error')).to.deep.equal(['refused']);
    expect(await storedPaths()).to.deep.equal([]);
  });

  it('leaves no half share behind when the cache refuses to store (a full disk)', async () => {
    let puts = 0;
    const filling: CacheStorage = Object.assign(Object.create(caches) as CacheStorage, {
      open: async (name: string) => {
        const cache = await caches.open(name);
        return Object.assign(Object.create(cache) as Cache, {
          put: async (key: RequestInfo | URL, response: Response) => {
            if ((puts += 1) > 1) throw new DOMException('quota', 'QuotaExceededError');
            return cache.put(key, response);
          },
          keys: () => cache.keys(),
          delete: (key: RequestInfo | URL) => cache.delete(key),
        });
      },
    });
    const files = [photo('a.jpg', JPEG_HEAD), photo('b.jpg', JPEG_HEAD)];
    const target = redirectTarget(await handleShareTarget(shareRequest(files), filling));
    expect(puts).to.equal(2);
    expect(target.searchParams.getAll('share-error')).to.deep.equal(['not-stored']);
    expect(await storedPaths()).to.deep.equal([]);
  });
});

/** The window LaunchedPhotos reads: this page's address and caches, and a launch queue of the test's. */
function launchWindow(launchQueue?: LaunchQueue): LaunchWindow {
  return { location: window.location, history: window.history, caches: window.caches, launchQueue };
}

function nextBatch(launched: LaunchedPhotos): Promise<LaunchedPhotoBatch> {
  return new Promise((resolve) => {
    const stop = launched.onPhotos((batch) => {
      stop();
      resolve(batch);
    });
  });
}

/** Opens this page at `query` (its own parameters kept) for the test, and back afterwards. */
function atAddress(query: Record<string, string | string[]>): void {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(query)) {
    for (const one of [value].flat()) url.searchParams.append(name, one);
  }
  history.replaceState(history.state, '', url.href);
}

describe('photos the app was opened with (page)', () => {
  let original: string;
  beforeEach(async () => {
    original = location.href;
    await caches.delete(SHARED_PHOTOS_CACHE);
  });
  afterEach(() => history.replaceState(history.state, '', original));
  after(() => caches.delete(SHARED_PHOTOS_CACHE));

  it('reads the view a shortcut opens', () => {
    expect(initialView(new URL('https://x.test/?view=visit'))).to.equal('visit');
    expect(initialView(new URL('https://x.test/?backend=wasm&view=history'))).to.equal('history');
    expect(initialView(new URL('https://x.test/?view=settings'))).to.equal(null);
    expect(initialView(new URL('https://x.test/'))).to.equal(null);
  });

  it('takes a share from the cache as Files, deletes it, and strips the launch parameters', async () => {
    const id = crypto.randomUUID();
    const cache = await caches.open(SHARED_PHOTOS_CACHE);
    const now = String(Date.now());
    const share: StoredShare = {
      id,
      storedAt: Date.now(),
      photos: [
        { key: sharedPhotoPath(id, 0), name: 'OD.jpg', type: 'image/jpeg', size: 7, lastModified: 1700000000000 },
        { key: sharedPhotoPath(id, 1), name: 'OS.png', type: 'image/png', size: 8, lastModified: 1700000000001 },
      ],
      problems: [{ code: 'not-image', fileName: 'notes.txt' }],
    };
    await cache.put(sharedPhotoPath(id, 0), new Response('od-eye!', { headers: { [SHARED_AT_HEADER]: now } }));
    await cache.put(sharedPhotoPath(id, 1), new Response('os-eye!!', { headers: { [SHARED_AT_HEADER]: now } }));
    await cache.put(shareIndexPath(id), new Response(JSON.stringify(share), { headers: { [SHARED_AT_HEADER]: now } }));
    atAddress({ keep: 'me', view: 'visit', shared: id });

    const launched = new LaunchedPhotos(launchWindow());
    expect(launched.view).to.equal('visit');
    const batch = await nextBatch(launched);
    await launched.ready;

    expect(batch.source).to.equal('share');
    expect(batch.files.map((f) => [f.name, f.type, f.lastModified])).to.deep.equal([
      ['OD.jpg', 'image/jpeg', 1700000000000],
      ['OS.png', 'image/png', 1700000000001],
    ]);
    expect(await Promise.all(batch.files.map((f) => f.text()))).to.deep.equal(['od-eye!', 'os-eye!!']);
    expect(batch.problems).to.deep.equal(['“notes.txt” is not a JPEG, PNG or WebP photo.']);
    expect(await storedPaths()).to.deep.equal([], 'the share is deleted once read');
    const params = new URLSearchParams(location.search);
    expect(params.has('view') || params.has('shared')).to.equal(false);
    expect(params.get('keep')).to.equal('me');
    expect(new URL(original).searchParams.size + 1).to.equal(params.size, "the page's other parameters stay");
  });

  it('opens a share the handler stored, once: a second read finds it gone', async () => {
    const response = await handleShareTarget(shareRequest([photo('eye.jpg', JPEG_HEAD)]), caches);
    const target = new URL(response.headers.get('Location')!);
    atAddress(Object.fromEntries(target.searchParams));
    const first = await nextBatch(new LaunchedPhotos(launchWindow()));
    expect(first.files.map((f) => f.name)).to.deep.equal(['eye.jpg']);
    expect(await bytesOf(first.files[0]!)).to.deep.equal(await bytesOf(photo('eye.jpg', JPEG_HEAD)));

    atAddress(Object.fromEntries(target.searchParams));
    const again = await nextBatch(new LaunchedPhotos(launchWindow()));
    expect(again).to.deep.equal({
      source: 'share',
      files: [],
      problems: ['The shared photos are no longer here: they were already opened, or cleared.'],
    });
  });

  it('says what went wrong for an unknown id or an error code, without throwing', async () => {
    atAddress({ view: 'visit', shared: crypto.randomUUID() });
    const unknown = await nextBatch(new LaunchedPhotos(launchWindow()));
    expect(unknown.files).to.deep.equal([]);
    expect(unknown.problems).to.deep.equal([
      'The shared photos are no longer here: they were already opened, or cleared.',
    ]);

    atAddress({ view: 'visit', 'share-error': ['not-image', 'too-large'] });
    const failed = new LaunchedPhotos(launchWindow());
    expect((await nextBatch(failed)).problems).to.deep.equal([
      'The shared file is not a JPEG, PNG or WebP photo.',
      'The shared file is larger than 40 MB, the most a photo may be.',
    ]);
    await failed.ready;
    expect(new URLSearchParams(location.search).has('share-error')).to.equal(false);
  });

  it('delivers nothing for an address without a share, and strips only the view', async () => {
    atAddress({ view: 'history' });
    const launched = new LaunchedPhotos(launchWindow());
    const batches: LaunchedPhotoBatch[] = [];
    launched.onPhotos((batch) => batches.push(batch));
    await launched.ready;
    expect(launched.view).to.equal('history');
    expect(batches).to.deep.equal([]);
    expect([...new URLSearchParams(location.search)]).to.deep.equal([...new URL(original).searchParams]);
  });

  it('discards shares no page took within the hour', async () => {
    const cache = await caches.open(SHARED_PHOTOS_CACHE);
    const stale = crypto.randomUUID();
    const fresh = crypto.randomUUID();
    const at = (time: number) => ({ headers: { [SHARED_AT_HEADER]: String(time) } });
    await cache.put(sharedPhotoPath(stale, 0), new Response('old', at(Date.now() - SHARED_PHOTOS_MAX_AGE_MS - 1000)));
    await cache.put(sharedPhotoPath(fresh, 0), new Response('new', at(Date.now())));
    await new LaunchedPhotos(launchWindow()).ready;
    expect(await storedPaths()).to.deep.equal([sharedPhotoPath(fresh, 0)]);
  });

  it('delivers the files of a file-handler launch, checked like shared ones, to listeners that come later', async () => {
    let consumer: ((params: LaunchParams) => unknown) | undefined;
    const queue: LaunchQueue = { setConsumer: (next) => (consumer = next) };
    const launched = new LaunchedPhotos(launchWindow(queue));
    expect(consumer, 'the consumer is registered at once').to.be.a('function');

    const handle = (file: File) => ({ kind: 'file' as const, name: file.name, getFile: () => Promise.resolve(file) });
    // A launch from the app's icon: no files, nothing to deliver.
    await consumer!({ files: [] });
    await consumer!({
      files: [
        handle(photo('fundus.png', PNG_HEAD, '')),
        { kind: 'directory', name: 'DCIM' },
        handle(new File(['plain'], 'readme.txt', { type: 'text/plain' })),
        { kind: 'file', name: 'moved.jpg', getFile: () => Promise.reject(new DOMException('gone', 'NotFoundError')) },
      ],
    });
    const batch = await nextBatch(launched);
    expect(batch.source).to.equal('file-handler');
    expect(batch.files.map((f) => [f.name, f.type])).to.deep.equal([['fundus.png', 'image/png']]);
    expect(batch.problems).to.deep.equal([
      '“moved.jpg” is no longer here.',
      '“readme.txt” is not a JPEG, PNG or WebP photo.',
    ]);
  });
});
