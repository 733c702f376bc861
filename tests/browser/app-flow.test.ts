import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/app/components/fg-app.js';
import type { FgApp } from '../../src/app/components/fg-app.js';
import type { InferenceService } from '../../src/app/inference-service.js';
import type { TestingRequestMap } from '../../workers/testing/test-protocol.js';
import type { PhotoRecord, ScreeningRecord } from '../../src/app/records/screening-record.js';
import { SHARE_TARGET_ACTION } from '../../src/shared/shared-photos.js';
import { handleShareTarget } from '../../workers/sw/share-target.js';
import { drawnImage, fixture } from './worker-client.js';
import { deep } from './shadow-dom.js';

/** Passes the quality gate; fundus.jpeg (420 px) fails it: too few pixels across the retina. */
const GRADABLE_PHOTO = 'fundus-1400.jpeg';
const panel = (eye: 'right' | 'left' = 'right') => `fg-eye-panel[eye=${eye}]`;
const spoken = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

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

  async function choosePhoto(
    el: FgApp,
    bytes: ArrayBuffer,
    name: string,
    { type = 'image/jpeg', eye = 'right' }: { type?: string; eye?: 'right' | 'left' } = {},
  ): Promise<void> {
    const input = deep<HTMLInputElement>(el, panel(eye), 'fg-photo-picker', '#file')!;
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    await waitUntil(
      () => deep(el, panel(eye), 'fg-photo-preview') ?? deep(el, panel(eye), '[data-photo-error]'),
      'the photo was read',
      { timeout: 20000 },
    );
  }

  const gradeButton = (el: FgApp, eye: 'right' | 'left' = 'right') =>
    deep<HTMLButtonElement>(el, panel(eye), 'fg-screening-form', 'button[data-grade]')!;
  /** The visits the History tab lists. */
  const historyCount = async (el: FgApp) => {
    deep(el, '#tab-history')!.click();
    await el.updateComplete;
    const list = deep(el, 'fg-history-list')!;
    await (list as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    return list.shadowRoot!.querySelectorAll('button[data-visit-id]').length;
  };
  /** The next record the app saves. */
  const nextSave = (el: FgApp) => oneEvent<CustomEvent<PhotoRecord>>(el, 'fg-screening-saved');

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
    expect(deep(el, panel('right'), 'fg-grade-result')).to.equal(null);
    expect(deep(el, panel('left'), 'fg-grade-result')).to.equal(null);
    expect(saved).to.have.length(0);
    expect(await historyCount(el)).to.equal(0);
  });

  it('grades a photo, shows the result with focus on it, and keeps the screening across a reload', async () => {
    let el = await mountApp();
    expect(deep(el, '[data-demo-banner]')!.textContent).to.contain('Demo model trained on synthetic images');
    const patient = deep<HTMLInputElement>(el, '#visit-patient')!;
    patient.value = 'P-0042';
    patient.dispatchEvent(new Event('input'));
    await choosePhoto(el, await fixture(GRADABLE_PHOTO), GRADABLE_PHOTO);
    await waitUntil(() => deep(el, panel(), 'fg-photo-preview', 'circle[data-fov]'), 'field of view circled');
    await waitUntil(() => !gradeButton(el).disabled, 'Grade enabled');
    expect(spoken(gradeButton(el))).to.equal('Grade');
    const saved = oneEvent<CustomEvent<ScreeningRecord>>(el, 'fg-screening-saved');
    const reads = countFileReads();
    gradeButton(el).click();
    const { detail: record } = await saved;
    reads.restore();
    expect(record).to.deep.include({ kind: 'graded', patientId: 'P-0042', eye: 'right', gradedAnyway: false });
    expect(
      reads.count(),
      'the photo the worker kept from the preview was graded: the file was not read again',
    ).to.equal(0);

    const eyePanel = deep(el, panel())!;
    const result = deep(el, panel(), 'fg-grade-result')!;
    expect(deep(result, '[data-backend=tfjs]')!.textContent).to.equal('wasm');
    expect(deep(result, '[data-grade]')!.getAttribute('data-grade')).to.equal(String(record.grade));
    expect(el.shadowRoot!.activeElement).to.equal(eyePanel);
    expect(eyePanel.shadowRoot!.activeElement).to.equal(result);
    expect(spoken(result.shadowRoot!.activeElement)).to.equal('Right eye: result');
    await waitUntil(() => deep(result, '[data-saved]'), 'saved shown');
    expect(spoken(deep(el, 'fg-visit-summary', '[data-eye=right]'))).to.match(/^Grade [0-4] /);
    expect(spoken(deep(el, 'fg-visit-summary', '[data-eye=left]'))).to.equal('Missing: no photo');

    // A reload: a new app over the same database.
    el.remove();
    el = await mountApp();
    expect(await historyCount(el)).to.equal(1);
    expect(deep(el, 'fg-history-list', 'li')!.textContent).to.contain('P-0042');
  });

  it('keeps a photo without a retina in the visit as ungradable, and never grades it', async () => {
    const el = await mountApp();
    const before = await historyCount(el);
    deep(el, '#tab-screen')!.click();
    const saved = nextSave(el);
    await choosePhoto(el, await drawnImage(640, 480, (c) => c.fillRect(0, 0, 640, 480), 'image/jpeg'), 'black.jpeg');
    await waitUntil(() => deep(el, panel(), 'fg-visit-quality', '[data-no-retina]'), 'no-retina message');
    expect(deep(el, panel(), 'fg-visit-quality', '[data-no-retina]')!.textContent).to.contain('too dark');
    expect(gradeButton(el).disabled).to.equal(true);
    const { detail: kept } = await saved;
    expect(kept).to.deep.include({ kind: 'ungraded', eye: 'right' });
    await el.updateComplete;
    expect(spoken(deep(el, 'fg-visit-summary', '[data-eye=right]'))).to.match(/^Ungradable: /);
    expect(deep(el, 'fg-visit-summary', '[data-referral]')!.getAttribute('data-referral')).to.equal('refer');
    expect(await historyCount(el)).to.equal(before + 1);
  });

  it('says a file that is not an image cannot be read', async () => {
    const el = await mountApp();
    await choosePhoto(el, new TextEncoder().encode('not a photo').buffer, 'notes.txt', { type: 'text/plain' });
    expect(deep(el, panel(), '[data-photo-error]')!.textContent).to.contain('JPEG, PNG or WebP');
    expect(gradeButton(el).disabled).to.equal(true);
  });

  it('grades a photo the quality gate judged ungradable only when asked to anyway, and keeps one record of it', async () => {
    const el = await mountApp();
    const before = await historyCount(el);
    deep(el, '#tab-screen')!.click();
    const kept = nextSave(el);
    await choosePhoto(el, await fixture('fundus.jpeg'), 'fundus.jpeg', { eye: 'left' });
    const { detail: ungraded } = await kept;
    expect(ungraded).to.deep.include({ kind: 'ungraded', eye: 'left' });
    expect(spoken(deep(el, panel('left'), 'fg-visit-quality', '[data-quality=ungradable]'))).to.match(
      /^Ungradable: too few pixels across the retina \(\d+ px across, needs ≥ 1024\)/,
    );
    await waitUntil(() => !gradeButton(el, 'left').disabled, 'Grade anyway enabled');
    expect(spoken(gradeButton(el, 'left'))).to.equal('Grade anyway');
    const graded = nextSave(el);
    gradeButton(el, 'left').click();
    const { detail: record } = await graded;
    expect(record).to.deep.include({ kind: 'graded', id: ungraded.id, gradedAnyway: true });
    expect((record as ScreeningRecord).quality?.verdict).to.equal('ungradable');
    expect(await historyCount(el)).to.equal(before + 1);
    deep(el, '#tab-screen')!.click();
  });

  it('keeps the result on screen and says so when the storage is full', async () => {
    const el = await mountApp();
    const before = await historyCount(el);
    deep(el, '#tab-screen')!.click();
    await choosePhoto(el, await fixture(GRADABLE_PHOTO), GRADABLE_PHOTO);
    await waitUntil(() => !gradeButton(el).disabled, 'Grade enabled');
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('quota reached', 'QuotaExceededError');
    };
    try {
      gradeButton(el).click();
      await waitUntil(() => deep(el, panel(), 'fg-grade-result', '[role=alert]'), 'save failure shown', {
        timeout: 30000,
      });
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(deep(el, panel(), 'fg-grade-result', '[role=alert]')!.textContent).to.contain('no storage left');
    expect(deep(el, panel(), 'fg-grade-result', '[data-grade]')).to.not.equal(null);
    expect(await historyCount(el)).to.equal(before);

    // Space freed: "Save again" saves the result still on screen, once.
    const saved = oneEvent<CustomEvent<ScreeningRecord>>(el, 'fg-screening-saved');
    deep<HTMLButtonElement>(el, panel(), 'fg-grade-result', 'button[data-retry-save]')!.click();
    await saved;
    await waitUntil(() => deep(el, panel(), 'fg-grade-result', '[data-saved]'), 'saved shown');
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
    await choosePhoto(el, await fixture(GRADABLE_PHOTO), GRADABLE_PHOTO);
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
    expect(deep(el, panel(), 'fg-grade-result', '[data-grade]')).to.not.equal(null);
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
      await choosePhoto(el, await fixture(GRADABLE_PHOTO), GRADABLE_PHOTO);
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

  describe('opened from outside the app', () => {
    const address = location.href;
    afterEach(() => history.replaceState(history.state, '', address));

    /** Opens the app at this address, as the manifest's shortcuts and the share target do. */
    function openAt(search: string): Promise<FgApp> {
      const url = new URL(address);
      for (const [name, value] of new URLSearchParams(search)) url.searchParams.set(name, value);
      history.replaceState(history.state, '', url.href);
      return mountApp();
    }

    it('opens History for ?view=history, and leaves the address without it', async () => {
      const el = await openAt('?view=history');
      expect(deep(el, '#tab-history')!.getAttribute('aria-selected')).to.equal('true');
      expect(deep(el, '#panel-screen')!.hidden).to.equal(true);
      await waitUntil(() => !new URL(location.href).searchParams.has('view'), 'the address cleaned');
    });

    it('adds shared photos to the visit: the first to the right eye, the next to the left', async () => {
      const form = new FormData();
      form.append('photos', new File([await fixture(GRADABLE_PHOTO)], 'od.jpeg', { type: 'image/jpeg' }));
      form.append('photos', new File([await fixture('fundus.jpeg')], 'os.jpeg', { type: 'image/jpeg' }));
      const request = new Request(new URL(SHARE_TARGET_ACTION, location.href), { method: 'POST', body: form });
      const landed = new URL((await handleShareTarget(request, caches)).headers.get('Location')!);
      const el = await openAt(landed.search);
      await waitUntil(
        () => deep(el, panel('right'), 'fg-photo-preview') && deep(el, panel('left'), 'fg-photo-preview'),
        'both photos read',
        { timeout: 20000 },
      );
      expect(deep(el, '#tab-screen')!.getAttribute('aria-selected')).to.equal('true');
      expect(deep(el, panel('right'), 'fg-photo-preview')!.getAttribute('filename')).to.equal('od.jpeg');
      expect(deep(el, panel('left'), 'fg-photo-preview')!.getAttribute('filename')).to.equal('os.jpeg');
      await waitUntil(() => !new URL(location.href).searchParams.has('shared'), 'the address cleaned');
    });
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
