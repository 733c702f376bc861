// Photos shared to the built app (issue 16, point 7): the manifest's share target, file handler and
// shortcuts, and the service worker's answer to a share — online, offline, and from another site.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { useBuiltApp } from './app-session.js';
import { FUNDUS_FIXTURE } from './screening-page.js';

const APP_QUERY = '/?backend=wasm&model=tiny';
const SHARED_CACHE = 'fundus-grader-shared';
const SHARE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface SharedFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

interface WebManifest {
  icons: Array<{ src: string }>;
  share_target: {
    action: string;
    method: string;
    enctype: string;
    params: { files: Array<{ name: string; accept: string[] }> };
  };
  file_handlers: Array<{ action: string; accept: Record<string, string[]>; launch_type: string }>;
  shortcuts: Array<{ name: string; url: string; icons: Array<{ src: string; type: string }> }>;
}

/** A page of the app whose service worker is in control (it claims the page once the shell is stored). */
async function controlledPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}${APP_QUERY}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120000 });
  return page;
}

/**
 * Posts `files` the way the share sheet does: a multipart form navigation to the share target. Resolves
 * with the address the page lands on, read when the navigation commits (before the page can change it).
 */
async function shareByForm(page: Page, files: SharedFile[], action = '/share-target'): Promise<URL> {
  await page.evaluate((target) => {
    const form = document.createElement('form');
    form.method = 'post';
    form.enctype = 'multipart/form-data';
    form.action = target;
    form.id = 'share-test';
    form.innerHTML = '<input type="file" name="photos" multiple><button type="submit">Share</button>';
    document.body.append(form);
  }, action);
  await page.locator('#share-test input').setInputFiles(files);
  const landed = page.waitForURL((url) => !url.pathname.startsWith('/share-target'), { waitUntil: 'commit' });
  await page.locator('#share-test button').click();
  await landed;
  return new URL(page.url());
}

/**
 * Posts `files` with fetch, without following the redirect (whose address the form navigations check),
 * and reads the shares that appeared in the shared cache meanwhile.
 */
async function shareByFetch(page: Page, files: SharedFile[]) {
  const payload = files.map(({ name, mimeType, buffer }) => ({ name, mimeType, bytes: [...buffer] }));
  return page.evaluate(
    async ({ payload, cacheName }) => {
      // No named functions in here: tsx would wrap them in a __name() helper the page does not have.
      const cache = await caches.open(cacheName);
      const before = new Set((await cache.keys()).map((request) => request.url));
      const form = new FormData();
      for (const { name, mimeType, bytes } of payload) {
        form.append('photos', new File([new Uint8Array(bytes)], name, { type: mimeType }));
      }
      const response = await fetch('/share-target', { method: 'POST', body: form, redirect: 'manual' });
      const shares = [];
      const added = (await cache.keys()).map((request) => request.url).filter((url) => !before.has(url));
      for (const path of added.filter((url) => url.endsWith('/share.json'))) {
        const share = (await (await cache.match(path))!.json()) as {
          id: string;
          photos: Array<{ key: string; name: string; type: string }>;
        };
        const photos = [];
        for (const photo of share.photos) {
          const stored = await cache.match(photo.key);
          photos.push({
            name: photo.name,
            type: photo.type,
            bytes: stored ? (await stored.arrayBuffer()).byteLength : -1,
          });
        }
        shares.push({ id: share.id, photos });
      }
      return { response: response.type, shares };
    },
    { payload, cacheName: SHARED_CACHE },
  );
}

describe('photos shared to the built app', () => {
  const app = useBuiltApp();
  let fundus: SharedFile;
  const notes: SharedFile = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') };

  before(async () => {
    fundus = { name: 'OD.jpeg', mimeType: 'image/jpeg', buffer: await readFile(FUNDUS_FIXTURE) };
  });

  it('declares a share target, a file handler and shortcuts whose icons are served', async () => {
    const manifest = (await (await fetch(`${app.server.url}/manifest.webmanifest`)).json()) as WebManifest;
    const images = ['image/jpeg', 'image/png', 'image/webp'];
    const { share_target: share, file_handlers: handlers, shortcuts } = manifest;
    assert.deepEqual(
      { action: share.action, method: share.method, enctype: share.enctype, field: share.params.files[0]?.name },
      { action: '/share-target', method: 'POST', enctype: 'multipart/form-data', field: 'photos' },
    );
    for (const type of images) assert.ok(share.params.files[0]!.accept.includes(type), `share target accepts ${type}`);
    assert.equal(handlers.length, 1);
    assert.deepEqual(
      { action: handlers[0]!.action, launch_type: handlers[0]!.launch_type, types: Object.keys(handlers[0]!.accept) },
      { action: '/', launch_type: 'single-client', types: images },
    );
    assert.deepEqual(
      shortcuts.map(({ name, url }) => [name, url]),
      [
        ['New visit', '/?view=visit'],
        ['History', '/?view=history'],
      ],
    );
    const icons = new Set([...manifest.icons, ...shortcuts.flatMap((s) => s.icons)].map((icon) => icon.src));
    for (const src of icons) {
      const response = await fetch(`${app.server.url}${src}`);
      assert.equal(response.status, 200, `${src} is served`);
      await response.arrayBuffer();
    }
  });

  it('keeps a shared photo and opens the visit with its id; a share without photos says why', async () => {
    const page = await controlledPage(app.context, app.server.url);
    try {
      const stored = await shareByFetch(page, [fundus, notes]);
      assert.equal(stored.response, 'opaqueredirect', 'answered with a redirect');
      assert.equal(stored.shares.length, 1);
      assert.match(stored.shares[0]!.id, SHARE_ID);
      assert.deepEqual(stored.shares[0]!.photos, [
        { name: 'OD.jpeg', type: 'image/jpeg', bytes: fundus.buffer.length },
      ]);

      const landed = await shareByForm(page, [fundus]);
      assert.equal(landed.searchParams.get('view'), 'visit');
      assert.match(landed.searchParams.get('shared') ?? '', SHARE_ID);
      await page.locator('fg-app').waitFor({ state: 'attached' });

      const refused = await shareByForm(page, [notes]);
      assert.equal(`${refused.pathname}${refused.search}`, '/?view=visit&share-error=not-image');
    } finally {
      await page.close();
    }
  });

  it('takes a share offline: the shell is stored and the share needs no network', { timeout: 180000 }, async () => {
    const page = await controlledPage(app.context, app.server.url);
    await app.context.setOffline(true);
    try {
      const stored = await shareByFetch(page, [fundus]);
      assert.equal(stored.response, 'opaqueredirect');
      assert.deepEqual(
        stored.shares.map((share) => share.photos),
        [[{ name: 'OD.jpeg', type: 'image/jpeg', bytes: fundus.buffer.length }]],
      );

      const landed = await shareByForm(page, [fundus, fundus]);
      assert.match(landed.searchParams.get('shared') ?? '', SHARE_ID);
      await page.locator('fg-app').waitFor({ state: 'attached' });
      assert.equal(await page.evaluate(() => navigator.onLine), false);
    } finally {
      await app.context.setOffline(false);
      await page.close();
    }
  });

  describe('from a page of another site', () => {
    let otherSite: Server;
    let otherUrl: string;

    before(async () => {
      // Another origin (127.0.0.1 against the app's localhost), with a form aimed at the share target.
      otherSite = createServer((_, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<!doctype html><title>elsewhere</title>');
      });
      await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
      otherUrl = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}/`;
    });

    after(() => new Promise<void>((resolve) => otherSite.close(() => resolve())));

    it('is refused, and nothing is stored', async () => {
      const appPage = await controlledPage(app.context, app.server.url);
      const before = await appPage.evaluate(
        async (name) => (await (await caches.open(name)).keys()).length,
        SHARED_CACHE,
      );
      const page = await app.context.newPage();
      try {
        await page.goto(otherUrl);
        const landed = await shareByForm(page, [fundus], `${app.server.url}/share-target`);
        assert.equal(landed.origin, new URL(app.server.url).origin);
        assert.equal(`${landed.pathname}${landed.search}`, '/?view=visit&share-error=refused');
        const after = await appPage.evaluate(
          async (name) => (await (await caches.open(name)).keys()).length,
          SHARED_CACHE,
        );
        assert.equal(after, before);
      } finally {
        await page.close();
        await appPage.close();
      }
    });
  });

  app.itHasNoPageProblems();
});
