import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/app/components/fg-app.js';
import type { FgApp } from '../../src/app/components/fg-app.js';
import type { InferenceService } from '../../src/app/inference-service.js';
import type { TestingRequestMap } from '../../workers/testing/test-protocol.js';
import type { ScreeningRecord } from '../../src/app/records/screening-record.js';
import { drawnImage, fixture } from './worker-client.js';
import { deep } from './shadow-dom.js';

/** Counts reads of a chosen file's bytes (File.arrayBuffer is Blob's) until restored. */
function countFileReads(): { count: () => number; restore: () => void } {
  const arrayBuffer = Blob.prototype.arrayBuffer;
  let reads = 0;
  Blob.prototype.arrayBuffer = function (this: Blob) {
    if (this instanceof File) reads++;
    return arrayBuffer.call(this);
  };
  return { count: () => reads, restore: () => (Blob.prototype.arrayBuffer = arrayBuffer) };
}

describe('<fg-app>: a screening from photo to history', function () {
  this.timeout(120000);
  const dbName = `fg-app-test-${crypto.randomUUID()}`;
  let app: FgApp | null = null;

  before(() =>
    localStorage.setItem(
      'fundus-grader.settings',
      JSON.stringify({ tfjs: 'wasm', ort: 'wasm', model: 'tiny', weights: 'fp16' }),
    ),
  );
  afterEach(() => {
    app?.remove();
    app = null;
  });
  after(() => {
    localStorage.removeItem('fundus-grader.settings');
    indexedDB.deleteDatabase(dbName);
  });

  async function mountApp(): Promise<FgApp> {
    const el = document.createElement('fg-app');
    el.setAttribute('db-name', dbName);
    const ready = oneEvent(el, 'fg-models-ready');
    document.body.append(el);
    await ready;
    app = el;
    return el;
  }

  async function choosePhoto(el: FgApp, bytes: ArrayBuffer, name: string, type = 'image/jpeg'): Promise<void> {
    const input = deep<HTMLInputElement>(el, 'fg-photo-picker', '#file')!;
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    await waitUntil(() => deep(el, 'fg-photo-preview') ?? deep(el, '[data-photo-error]'), 'the photo was read', {
      timeout: 20000,
    });
  }

  const gradeButton = (el: FgApp) => deep<HTMLButtonElement>(el, 'fg-screening-form', 'button[type=submit]')!;
  const historyCount = async (el: FgApp) => {
    deep(el, '#tab-history')!.click();
    await el.updateComplete;
    const list = deep(el, 'fg-history-list')!;
    await (list as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    return list.shadowRoot!.querySelectorAll('li').length;
  };

  it('renders the result view once off screen after the models load, then drops it, saving and showing nothing', async () => {
    const el = document.createElement('fg-app');
    el.setAttribute('db-name', dbName);
    const seen: Array<{ hidden: string | null; inert: boolean; grade: string | null }> = [];
    // Recorded on every render: the stand-in lives for about one frame.
    const watch = new MutationObserver(() => {
      const warm = deep(el, '[data-warm-up]');
      if (warm)
        seen.push({
          hidden: warm.getAttribute('aria-hidden'),
          inert: warm.hasAttribute('inert'),
          grade: deep(warm, 'fg-grade-result', '[data-grade]')?.getAttribute('data-grade') ?? null,
        });
    });
    el.addEventListener('fg-models-ready', () => watch.observe(el.shadowRoot!, { childList: true, subtree: true }), {
      once: true,
    });
    const saved: unknown[] = [];
    el.addEventListener('fg-screening-saved', (e) => saved.push(e));
    const ready = oneEvent(el, 'fg-models-ready');
    document.body.append(el);
    app = el;
    await ready;
    await waitUntil(() => seen.length > 0 && !deep(el, '[data-warm-up]'), 'stand-in rendered and dropped', {
      timeout: 10000,
    });
    watch.disconnect();
    expect(seen.some((s) => s.hidden === 'true' && s.inert)).to.equal(true);
    expect(deep(el, '[role=tabpanel] fg-grade-result')).to.equal(null);
    expect(saved).to.have.length(0);
    expect(await historyCount(el)).to.equal(0);
  });

  it('grades a photo, shows the result with focus on it, and keeps the screening across a reload', async () => {
    let el = await mountApp();
    expect(deep(el, '[data-demo-banner]')!.textContent).to.contain('Demo model trained on synthetic images');
    await choosePhoto(el, await fixture('fundus.jpeg'), 'fundus.jpeg');
    await waitUntil(() => deep(el, 'fg-photo-preview', 'circle[data-fov]'), 'field of view circled');
    const patient = deep<HTMLInputElement>(el, 'fg-screening-form', '#patient')!;
    patient.value = 'P-0042';
    patient.dispatchEvent(new Event('input'));
    await waitUntil(() => !gradeButton(el).disabled, 'Grade enabled');
    const saved = oneEvent<CustomEvent<ScreeningRecord>>(el, 'fg-screening-saved');
    const reads = countFileReads();
    gradeButton(el).click();
    const { detail: record } = await saved;
    reads.restore();
    expect(record.patientId).to.equal('P-0042');
    expect(
      reads.count(),
      'the photo the worker kept from the preview was graded: the file was not read again',
    ).to.equal(0);

    const result = deep(el, 'fg-grade-result')!;
    expect(deep(el, 'fg-grade-result', '[data-backend=tfjs]')!.textContent).to.equal('wasm');
    expect(deep(el, 'fg-grade-result', '[data-grade]')!.getAttribute('data-grade')).to.equal(String(record.grade));
    expect(el.shadowRoot!.activeElement).to.equal(result);
    expect(result.shadowRoot!.activeElement?.tagName).to.equal('H2');
    await waitUntil(() => deep(el, 'fg-grade-result', '[data-saved]'), 'saved shown');

    // A reload: a new app over the same database.
    el.remove();
    el = await mountApp();
    expect(await historyCount(el)).to.equal(1);
    expect(deep(el, 'fg-history-list', 'li')!.textContent).to.contain('P-0042');
  });

  it('refuses a photo without a retina: clear message, no grading, nothing saved', async () => {
    const el = await mountApp();
    const before = await historyCount(el);
    deep(el, '#tab-screen')!.click();
    await choosePhoto(el, await drawnImage(640, 480, (c) => c.fillRect(0, 0, 640, 480), 'image/jpeg'), 'black.jpeg');
    await waitUntil(() => deep(el, '[data-no-retina]'), 'no-retina message');
    expect(deep(el, '[data-no-retina]')!.textContent).to.contain('too dark');
    expect(gradeButton(el).disabled).to.equal(true);
    expect(await historyCount(el)).to.equal(before);
  });

  it('says a file that is not an image cannot be read', async () => {
    const el = await mountApp();
    await choosePhoto(el, new TextEncoder().encode('not a photo').buffer, 'notes.txt', 'text/plain');
    expect(deep(el, '[data-photo-error]')!.textContent).to.contain('JPEG, PNG or WebP');
    expect(gradeButton(el).disabled).to.equal(true);
  });

  it('keeps the result on screen and says so when the storage is full', async () => {
    const el = await mountApp();
    const before = await historyCount(el);
    deep(el, '#tab-screen')!.click();
    await choosePhoto(el, await fixture('fundus.jpeg'), 'fundus.jpeg');
    await waitUntil(() => !gradeButton(el).disabled, 'Grade enabled');
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('quota reached', 'QuotaExceededError');
    };
    try {
      gradeButton(el).click();
      await waitUntil(() => deep(el, 'fg-grade-result', '[role=alert]'), 'save failure shown', { timeout: 30000 });
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(deep(el, 'fg-grade-result', '[role=alert]')!.textContent).to.contain('no storage left');
    expect(deep(el, 'fg-grade-result', '[data-grade]')).to.not.equal(null);
    expect(await historyCount(el)).to.equal(before);

    // Space freed: "Save again" saves the result still on screen, once.
    const saved = oneEvent<CustomEvent<ScreeningRecord>>(el, 'fg-screening-saved');
    deep<HTMLButtonElement>(el, 'fg-grade-result', 'button[data-retry-save]')!.click();
    await saved;
    await waitUntil(() => deep(el, 'fg-grade-result', '[data-saved]'), 'saved shown');
    expect(await historyCount(el)).to.equal(before + 1);
    // The history tab is open now; back to the screen for the tests that follow.
    deep(el, '#tab-screen')!.click();
  });

  it('exports the history as CSV and JSON files through blob: URLs', async () => {
    const el = await mountApp();
    expect(await historyCount(el)).to.be.greaterThan(0);
    const downloads: Array<{ name: string; text: Promise<string> }> = [];
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      expect(this.href).to.match(/^blob:/);
      downloads.push({ name: this.download, text: fetch(this.href).then((r) => r.text()) });
    };
    try {
      const [csv, json] = [
        ...deep(el, 'fg-history-list')!.shadowRoot!.querySelectorAll<HTMLButtonElement>('.toolbar button'),
      ];
      csv!.click();
      json!.click();
      await waitUntil(() => downloads.length === 2, 'two downloads');
    } finally {
      HTMLAnchorElement.prototype.click = click;
    }
    expect(downloads[0]!.name).to.match(/^fundus-screenings-\d{4}-\d\d-\d\d\.csv$/);
    expect(await downloads[0]!.text).to.contain('P-0042');
    const { screenings } = JSON.parse(await downloads[1]!.text) as { screenings: Array<{ patientId: string }> };
    expect(screenings.map((s) => s.patientId)).to.include('P-0042');
  });

  it('grades from the file when the worker no longer keeps the photo it previewed', async () => {
    const el = await mountApp();
    deep(el, '#tab-screen')!.click();
    await choosePhoto(el, await fixture('fundus.jpeg'), 'fundus.jpeg');
    await waitUntil(() => !gradeButton(el).disabled, 'Grade enabled');
    // What a worker restarted since the preview would have: no kept photo.
    const service = (el as unknown as { service: InferenceService<TestingRequestMap> }).service;
    expect(await service.request('forget-photos', {})).to.deep.equal({ forgotten: 1 });
    const saved = oneEvent<CustomEvent<ScreeningRecord>>(el, 'fg-screening-saved');
    const reads = countFileReads();
    gradeButton(el).click();
    await saved;
    reads.restore();
    expect(reads.count(), 'the file read once, for the worker that lost the photo').to.equal(1);
    expect(deep(el, 'fg-grade-result', '[data-grade]')).to.not.equal(null);
  });

  it('saves a screening after its database was deleted with the app open, and lists only what is stored', async () => {
    const el = await mountApp();
    expect(await historyCount(el)).to.be.greaterThan(0);
    const unhandled: unknown[] = [];
    const onUnhandled = (event: PromiseRejectionEvent) => unhandled.push(event.reason);
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      // As "clear site data" or another tab would: the app's open connection must let it through.
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(dbName);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error ?? new Error('deleteDatabase failed'));
      });
      deep(el, '#tab-screen')!.click();
      await choosePhoto(el, await fixture('fundus.jpeg'), 'fundus.jpeg');
      await waitUntil(() => !gradeButton(el).disabled, 'Grade enabled');
      const saved = oneEvent<CustomEvent<ScreeningRecord>>(el, 'fg-screening-saved');
      gradeButton(el).click();
      const { detail: record } = await saved;
      // The list is read again once the store has reopened: only what the new database holds.
      await waitUntil(
        async () => (await historyCount(el)) === 1,
        'the records deleted with the database left the list',
      );
      expect(deep(el, 'fg-history-list', 'li')!.textContent).to.contain(record.patientId ?? '');
      expect(unhandled).to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
  });

  it('moves between views with the arrow keys', async () => {
    const el = await mountApp();
    const screenTab = deep(el, '#tab-screen')!;
    screenTab.focus();
    screenTab.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, composed: true }));
    await el.updateComplete;
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'tab-history', 'History tab focused');
    expect(deep(el, '#tab-history')!.getAttribute('aria-selected')).to.equal('true');
    expect(deep(el, '#panel-history')!.hidden).to.equal(false);
    expect(deep(el, '#panel-screen')!.hidden).to.equal(true);
  });
});
