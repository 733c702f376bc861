// Issue 18, "Offline that never lies": updates that always complete (also with a download in flight and
// in every open tab), an offline copy that says what it really holds and repairs itself, the app's own
// offline page when even the shell is gone, and an older page that keeps its files after a deploy.
import assert from 'node:assert/strict';
import { cp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  deploy,
  launchChromium,
  startBuiltServer,
  startGatedProxy,
  type GatedProxy,
  type RunningServer,
} from './built-app.js';
import { waitForApp } from './screening-page.js';

// Wasm backends and the tiny model keep this fast (as in offline-screening.e2e.ts).
const APP_QUERY = '/?backend=wasm&model=tiny';
/**
 * The fp32 forms are not precached: the service worker downloads them on first use (here: never finishes).
 * Any version of the tiny model: the test is about the download, not the model.
 */
const FP32_DOWNLOAD = /\/models\/tiny\/[^/]+\/tfjs-fp32\//;

const offlineChip = (page: Page) => page.locator('fg-status-summary [data-chip=offline]');
const updateButton = (page: Page, text: string | RegExp) => page.locator('fg-status-summary button', { hasText: text });

/** The service worker registration as the page sees it. */
function registrationState(page: Page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return {
      waiting: Boolean(registration?.waiting),
      installing: Boolean(registration?.installing),
      active: registration?.active?.state ?? null,
      controlled: Boolean(navigator.serviceWorker.controller),
    };
  });
}

/** Asks the active service worker to look for a new version now (what a navigation or the browser would do). */
async function checkForUpdate(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await (await navigator.serviceWorker.getRegistration())?.update();
  });
}

async function copyOfDist(name: string): Promise<string> {
  const root = join(tmpdir(), `fg-e2e-${name}-${process.pid}`);
  await rm(root, { recursive: true, force: true });
  await cp('dist', root, { recursive: true });
  return root;
}

describe('updates of the built app', () => {
  let root: string;
  let server: RunningServer;
  let proxy: GatedProxy;
  let browser: Browser;

  before(async () => {
    root = await copyOfDist('updates');
    server = await startBuiltServer({ root });
    proxy = await startGatedProxy(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it(
    'completes every "Update available — reload" click, also with a model download in flight',
    { timeout: 900000 },
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${proxy.url}${APP_QUERY}`);
      await waitForApp(page, { offline: true });
      // From here on the fp32 download the page starts never finishes: it holds the service worker's
      // fetch event open, which is what kept a new version `installed` after SKIP_WAITING.
      proxy.hold(FP32_DOWNLOAD);
      const stuck: string[] = [];
      try {
        await page.goto(`${proxy.url}${APP_QUERY}&weights=fp32`);
        await clickUpdates(page, 10, stuck);
      } finally {
        proxy.release();
      }
      assert.deepEqual(stuck, [], 'no stuck update');
      await context.close();
    },
  );

  /** `rounds` deploys, each offered and clicked with a held download in flight; clicks that did not complete go to `stuck`. */
  async function clickUpdates(page: Page, rounds: number, stuck: string[]): Promise<void> {
    let held = 1;
    for (let round = 0; round < rounds; round++) {
      // The download this page load started is in flight, held.
      await proxy.waitForHeld(held);
      await deploy(root);
      await checkForUpdate(page);
      const update = updateButton(page, 'Update available — reload');
      await update.waitFor({ timeout: 60000 });
      const reloaded = page.waitForEvent('load', { timeout: 90000 }).then(
        () => true,
        () => false,
      );
      held = proxy.heldCount() + 1;
      await update.click();
      if (!(await reloaded)) {
        stuck.push(`round ${round}: no reload, ${JSON.stringify(await registrationState(page))}`);
        break;
      }
      const state = await registrationState(page);
      if (state.waiting) stuck.push(`round ${round}: reloaded, but the new version still waits`);
    }
  }

  it('tells every other open tab, whose "Reload to finish the update" works', { timeout: 300000 }, async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(`${proxy.url}${APP_QUERY}`);
    await waitForApp(first, { offline: true });
    // A later visit, as the second tab's: both pages are controlled by the version they came from.
    await first.reload();
    await waitForApp(first, { offline: true });
    const second = await context.newPage();
    await second.goto(`${proxy.url}${APP_QUERY}`);
    await waitForApp(second, { offline: true });

    await deploy(root);
    await checkForUpdate(first);
    await updateButton(first, 'Update available — reload').waitFor({ timeout: 60000 });
    await updateButton(second, 'Update available — reload').waitFor({ timeout: 60000 });

    await Promise.all([first.waitForEvent('load'), updateButton(first, 'Update available — reload').click()]);
    await waitForApp(first);
    assert.equal(await first.locator('fg-status-summary button').count(), 0, 'nothing more to do in the first tab');

    // The other tab still runs the previous version under the new worker: it says so, and its button works.
    const finish = updateButton(second, 'Reload to finish the update');
    await finish.waitFor({ timeout: 60000 });
    await second.locator('fg-app [role=tab]#tab-status').click();
    await second.locator('fg-status-panel', { hasText: 'A new version has taken over' }).waitFor();
    await Promise.all([second.waitForEvent('load'), finish.click()]);
    await waitForApp(second);
    assert.equal(await second.locator('fg-status-summary button').count(), 0, 'nothing more to do in the other tab');
    assert.deepEqual(await registrationState(second), {
      waiting: false,
      installing: false,
      active: 'activated',
      controlled: true,
    });
    await context.close();
  });

  it(
    'keeps the worker file an older tab still needs after a deploy removed it from the server',
    { timeout: 400000 },
    async () => {
      const context = await browser.newContext();
      const old = await context.newPage();
      await old.goto(`${proxy.url}${APP_QUERY}`);
      await waitForApp(old, { offline: true });
      // A later visit: the page is controlled by the version it came from.
      await old.reload();
      await waitForApp(old, { offline: true });
      const workerFile = (await readdir(join(root, 'assets'))).find((f) => /^inference\.worker-.*\.js$/.test(f));
      assert.ok(workerFile, 'the built inference worker');

      // The deploy: a new inference worker (new name), the bundles that name it, and the old file gone.
      const renames = await deploy(root, [`assets/${workerFile}`]);
      assert.ok(renames.has(`assets/${workerFile}`));
      const oldWorkerUrl = `${proxy.url}/assets/${workerFile}`;
      assert.equal((await fetch(oldWorkerUrl)).status, 404, 'the server no longer has the old worker');

      // Another tab takes the update; the old tab stays on its version.
      await checkForUpdate(old);
      const other = await context.newPage();
      await other.goto(`${proxy.url}${APP_QUERY}`);
      const update = updateButton(other, 'Update available — reload');
      await update.waitFor({ timeout: 120000 });
      await Promise.all([other.waitForEvent('load'), update.click()]);
      await old.waitForFunction(
        async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return !registration?.waiting && registration?.active?.state === 'activated';
        },
        undefined,
        { timeout: 60000, polling: 200 },
      );

      // Without Chromium's HTTP cache (it kept the old file in the report), the old tab restarts its worker.
      const cdp = await context.newCDPSession(old);
      await cdp.send('Network.clearBrowserCache');
      const restarted = old.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const app = document.querySelector('fg-app')!;
            app.addEventListener('fg-runtimes-ready', () => resolve('ready'), { once: true });
            const summary = app.shadowRoot!.querySelector('fg-status-summary')!;
            const timer = setInterval(() => {
              if (summary.shadowRoot?.textContent?.includes('Model unavailable')) {
                clearInterval(timer);
                resolve('the model became unavailable');
              }
            }, 100);
          }),
      );
      await old.locator('fg-app [role=tab]#tab-settings').click();
      await old.locator('fg-settings-panel select#backend-tfjs').selectOption('webgl');
      assert.equal(await restarted, 'ready', 'the old tab restarted its inference worker');
      await waitForApp(old);
      const served = await old.evaluate(async (url) => {
        const response = await fetch(url);
        return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
      }, oldWorkerUrl);
      assert.equal(served.status, 200, 'the old worker file, from the offline copy');
      assert.ok(served.bytes > 0);

      // The old tab offers to finish the update; once it has reloaded, the kept files go.
      const finish = updateButton(old, 'Reload to finish the update');
      await finish.waitFor({ timeout: 60000 });
      await Promise.all([old.waitForEvent('load'), finish.click()]);
      await waitForApp(old);
      await old.waitForFunction(
        async () => !(await caches.keys()).some((name) => name.startsWith('fundus-grader-previous-')),
        undefined,
        { timeout: 30000, polling: 500 },
      );
      await context.close();
    },
  );
});

describe('the offline copy after Cache Storage was deleted', () => {
  let server: RunningServer;
  let proxy: GatedProxy;
  let browser: Browser;

  before(async () => {
    server = await startBuiltServer();
    proxy = await startGatedProxy(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await server?.stop();
  });

  async function deleteCacheStorage(page: Page): Promise<void> {
    await page.evaluate(async () => {
      for (const name of await caches.keys()) await caches.delete(name);
    });
  }

  it(
    'says it is incomplete, repairs itself on the next online load, then works offline',
    { timeout: 400000 },
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${proxy.url}${APP_QUERY}`);
      await waitForApp(page, { offline: true });
      await deleteCacheStorage(page);

      // The repair's fetch of bench.html (the app never loads it) waits: the status meanwhile must not lie.
      proxy.hold(/^\/bench\.html/);
      try {
        await page.reload();
        await offlineChip(page)
          .filter({ hasText: /Offline copy incomplete: \d+ of \d+ files missing — repairing/ })
          .waitFor({ timeout: 120000 });
        assert.doesNotMatch((await offlineChip(page).textContent()) ?? '', /Ready offline/);
      } finally {
        proxy.release();
      }
      await offlineChip(page).filter({ hasText: 'Ready offline' }).waitFor({ timeout: 120000 });

      await context.setOffline(true);
      try {
        await page.reload();
        await waitForApp(page, { offline: true });
      } finally {
        await context.setOffline(false);
      }
      await context.close();
    },
  );

  it('repairs when the network comes back', { timeout: 300000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${proxy.url}${APP_QUERY}`);
    await waitForApp(page, { offline: true });
    await deleteCacheStorage(page);
    proxy.hold(/^\/bench\.html/);
    try {
      // The page asks again on its `online` event.
      await context.setOffline(true);
      await context.setOffline(false);
      await offlineChip(page)
        .filter({ hasText: /Offline copy incomplete: \d+ of \d+ files missing — repairing/ })
        .waitFor({ timeout: 60000 });
    } finally {
      proxy.release();
    }
    await offlineChip(page).filter({ hasText: 'Ready offline' }).waitFor({ timeout: 120000 });
    await context.close();
  });

  it("shows the app's offline page when the shell itself is missing offline", { timeout: 200000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${proxy.url}${APP_QUERY}`);
    await waitForApp(page, { offline: true });
    await deleteCacheStorage(page);
    await context.setOffline(true);
    try {
      await page.reload().catch(() => null);
      assert.match((await page.locator('h1').textContent({ timeout: 30000 })) ?? '', /You are offline/);
    } finally {
      await context.setOffline(false);
    }
    await context.close();
  });
});
