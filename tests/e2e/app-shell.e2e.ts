import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { useBuiltApp } from './app-session.js';

/** The text of the backend each runtime reports, read from the Status view's backend list. */
async function readBackends(page: Page): Promise<{ tfjs: string; ort: string }> {
  // A DOM click: what the status says is under test here, not the tab's actionability, whose check waits
  // for animation frames that a page reloaded offline in a loaded headless browser has been slow to give.
  await page.locator('fg-app [role=tab]#tab-status').dispatchEvent('click');
  const locate = (runtime: string) => page.locator(`fg-app fg-backend-status [data-runtime="${runtime}"]`);
  await locate('ort').waitFor({ timeout: 120000 });
  return { tfjs: (await locate('tfjs').textContent()) ?? '', ort: (await locate('ort').textContent()) ?? '' };
}

describe('built app in Chromium', () => {
  const app = useBuiltApp();

  it('Automatic passes over the software GPU (SwiftShader) to WebAssembly, and the status says why', async () => {
    const page = await app.context.newPage();
    await page.goto(app.server.url);
    assert.deepEqual(await readBackends(page), { tfjs: 'wasm', ort: 'wasm' });
    // The status lists each skipped backend with its reason (text inside the components' shadow roots).
    await page
      .getByText(/software renderer \(SwiftShader\)/)
      .first()
      .waitFor({ timeout: 10000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'served cross-origin isolated');
    await page.close();
  });

  it('honours ?backend=webgpu: the worker brings WebGPU up even on the software adapter', async () => {
    const page = await app.context.newPage();
    await page.goto(`${app.server.url}/?backend=webgpu`);
    assert.deepEqual(await readBackends(page), { tfjs: 'webgpu', ort: 'webgpu' });
    await page.close();
  });

  it('honours ?backend=wasm', async () => {
    const page = await app.context.newPage();
    await page.goto(`${app.server.url}/?backend=wasm`);
    assert.deepEqual(await readBackends(page), { tfjs: 'wasm', ort: 'wasm' });
    await page.close();
  });

  it('installs the service worker and boots again with the network cut', async () => {
    const page = await app.context.newPage();
    await page.goto(`${app.server.url}/?backend=wasm`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // The first load precaches everything; a reload is then served by the service worker.
    await page.reload();
    await page.evaluate(async () => {
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) =>
          navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
        );
      }
    });
    await app.context.setOffline(true);
    try {
      await page.reload();
      assert.deepEqual(await readBackends(page), { tfjs: 'wasm', ort: 'wasm' });
    } finally {
      await app.context.setOffline(false);
      await page.close();
    }
  });

  app.itHasNoPageProblems();
});
