import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/app/components/fg-app.js';
import type { FgApp } from '../../src/app/components/fg-app.js';
import { deep } from './shadow-dom.js';

describe('<fg-app> when the connection drops during the model download', function () {
  this.timeout(120000);
  const key = crypto.randomUUID();
  const dbName = `fg-cut-test-${key}`;
  let app: FgApp | null = null;

  before(() =>
    localStorage.setItem(
      'fundus-grader.settings',
      JSON.stringify({ tfjs: 'wasm', ort: 'wasm', model: 'tiny', weights: 'fp16' }),
    ),
  );
  after(() => {
    app?.remove();
    localStorage.removeItem('fundus-grader.settings');
    indexedDB.deleteDatabase(dbName);
  });

  it('says where the download stopped and why, then loads by itself once back online', async () => {
    // The test server cuts every weights file half-way until this key is restored (tests/browser/serve-models.mjs).
    const el = document.createElement('fg-app');
    el.setAttribute('db-name', dbName);
    el.setAttribute('models-url', `/__cut-network/${key}/models/`);
    document.body.append(el);
    app = el;

    await waitUntil(() => deep(el, '#tab-status'), 'the app rendered');
    deep(el, '#tab-status')!.click();
    await waitUntil(
      () =>
        /stopped at .* of .*: the connection was lost/.test(deep(el, 'fg-status-panel')?.shadowRoot?.textContent ?? ''),
      'the cut download is explained',
      { timeout: 60000 },
    );
    const explained = deep(el, 'fg-status-panel')!.shadowRoot!.textContent;
    expect(explained).to.contain('It will resume when you are back online.');

    await fetch(`/__cut-network/${key}/restore`);
    const ready = oneEvent(el, 'fg-models-ready');
    window.dispatchEvent(new Event('online'));
    await ready;
    await waitUntil(() => deep(el, 'fg-status-panel', '[data-model-ready]'), 'the status says the model is ready');
  });
});
