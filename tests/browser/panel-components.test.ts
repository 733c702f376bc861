import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/app/components/fg-history-list.js';
import type { FgHistoryList } from '../../src/app/components/fg-history-list.js';
import '../../src/app/components/fg-settings-panel.js';
import type { FgSettingsPanel } from '../../src/app/components/fg-settings-panel.js';
import '../../src/app/components/fg-status-panel.js';
import type { FgStatusPanel } from '../../src/app/components/fg-status-panel.js';
import '../../src/app/components/fg-status-summary.js';
import type { FgStatusSummary } from '../../src/app/components/fg-status-summary.js';
import type { CatalogModel } from '../../src/app/model-catalog.js';
import type { OfflineStatus } from '../../src/app/offline/service-worker-status.js';
import { DEFAULT_SETTINGS, type Settings } from '../../src/app/settings.js';
import { toScreeningRecord } from '../../src/app/records/screening-record.js';
import { gradeResult, record } from './record-fixtures.js';

const $ = <T extends Element>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;
const T0 = Date.UTC(2026, 2, 1, 8);
const CREDIT =
  'Training data: IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4.0 — Porwal et al., Data 3(3), 25 (2018)';

describe('<fg-history-list>', () => {
  const records = [record('P-2', 'right', 3, T0 + 1000), record('P-1', 'left', 0, T0)];

  it('lists the records with thumbnail, patient, eye, grade and referral', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    const items = [...el.shadowRoot!.querySelectorAll('li')];
    expect(items.map((li) => li.dataset.id)).to.deep.equal(records.map((r) => r.id));
    expect(items[0]!.textContent).to.contain('P-2 · Right eye').and.contain('Grade 3 Severe').and.contain('Refer');
    expect(items[0]!.querySelector('img')!.src).to.match(/^blob:/);
    expect($(el, '[role=status]').textContent).to.contain('2 screenings on this device');
  });

  it("says when a referral was made by the model's threshold rather than the grade", async () => {
    const byThreshold = toScreeningRecord(
      gradeResult(1, 1, 0.25),
      { patientId: 'P-7', eye: 'left', fileName: 'p7.jpeg' },
      T0,
    );
    const el = await fixture<FgHistoryList>(
      html`<fg-history-list .records=${[byThreshold, records[0]!]}></fg-history-list>`,
    );
    const badges = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.badge[data-refer-by]')];
    expect(badges.map((b) => [b.dataset.referBy, b.textContent.trim()])).to.deep.equal([
      ['probability', 'Refer: P(grade ≥ 2) 30 %'],
      ['grade', 'Refer'],
    ]);
  });

  it('filters by the search box', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    const search = $<HTMLInputElement>(el, 'input[type=search]');
    search.value = 'left';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect([...el.shadowRoot!.querySelectorAll('li')].map((li) => li.dataset.id)).to.deep.equal([records[1]!.id]);
    expect($(el, '[role=status]').textContent).to.contain('1 of 2 screenings match');
  });

  it('asks once more before deleting, then emits the id', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    let deleted: string | null = null;
    el.addEventListener('fg-delete-record', (e) => (deleted = e.detail.id));
    const button = () => el.shadowRoot!.querySelector<HTMLButtonElement>(`li[data-id="${records[0]!.id}"] button`)!;
    button().click();
    await el.updateComplete;
    expect(deleted).to.equal(null);
    expect(button().textContent).to.contain('Confirm delete');
    button().click();
    expect(deleted).to.equal(records[0]!.id);
  });

  it('asks the owner to export CSV or JSON', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    const [csv, json] = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.toolbar button')];
    setTimeout(() => csv!.click());
    expect((await oneEvent<CustomEvent<{ format: string }>>(el, 'fg-export-records')).detail.format).to.equal('csv');
    setTimeout(() => json!.click());
    expect((await oneEvent<CustomEvent<{ format: string }>>(el, 'fg-export-records')).detail.format).to.equal('json');
  });

  it('is accessible', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    await expect(el).shadowDom.to.be.accessible();
  });
});

const offline = (patch: Partial<OfflineStatus> = {}): OfflineStatus => ({
  supported: true,
  readyOffline: false,
  updateAvailable: false,
  workerVersion: null,
  error: null,
  ...patch,
});

describe('<fg-status-panel>', () => {
  it('shows model download progress in bytes', async () => {
    const model = { phase: 'downloading', model: null, loadedBytes: 3 * 1048576, totalBytes: 48 * 1048576 } as const;
    const el = await fixture<FgStatusPanel>(html`<fg-status-panel .model=${model}></fg-status-panel>`);
    expect(el.shadowRoot!.textContent).to.contain('Downloading the model: 3.0 MB of 48.0 MB');
    expect($<HTMLProgressElement>(el, 'progress').value).to.equal(3 * 1048576);
  });

  it('says when shaders compile and when the app is ready offline', async () => {
    const model = { phase: 'warming-up', model: null, runtime: 'tfjs', backend: 'webgpu' } as const;
    const el = await fixture<FgStatusPanel>(
      html`<fg-status-panel .model=${model} .offline=${offline({ readyOffline: true })}></fg-status-panel>`,
    );
    expect(el.shadowRoot!.textContent).to.contain('Compiling shaders and warming up TensorFlow.js on webgpu');
    expect($(el, '[data-ready-offline]').textContent).to.contain('Ready to work offline');
  });

  it('offers the update and persistent storage, as events', async () => {
    const storage = { usage: 5 * 1048576, quota: 2 * 1073741824, persisted: false };
    const el = await fixture<FgStatusPanel>(
      html`<fg-status-panel
        .offline=${offline({ readyOffline: true, updateAvailable: true })}
        .storage=${storage}
      ></fg-status-panel>`,
    );
    expect($(el, '[data-storage-used]').textContent).to.contain('5.0 MB used of 2.0 GB available');
    const buttons = [...el.shadowRoot!.querySelectorAll('button')];
    setTimeout(() => buttons.find((b) => b.textContent.includes('Reload to update'))!.click());
    await oneEvent(el, 'fg-apply-update');
    setTimeout(() => buttons.find((b) => b.textContent.includes('persistent'))!.click());
    await oneEvent(el, 'fg-request-persistence');
  });

  it("credits the model's training data when the model has a credit", async () => {
    const model = (credit?: string) =>
      ({
        phase: 'ready',
        model: {
          id: 'resnet50-dr',
          version: '2',
          name: 'ResNet50 DR',
          demo: false,
          trainingData: 'IDRiD',
          ...(credit ? { credit } : {}),
          bytes: { fp16: 96e6 },
        },
        backends: { tfjs: 'webgpu', ort: 'wasm' },
      }) as const;
    const el = await fixture<FgStatusPanel>(html`<fg-status-panel .model=${model(CREDIT)}></fg-status-panel>`);
    expect($(el, '[data-model-credit]').textContent).to.equal(`Training data credit: ${CREDIT}`);
    await expect(el).shadowDom.to.be.accessible();
    const none = await fixture<FgStatusPanel>(html`<fg-status-panel .model=${model()}></fg-status-panel>`);
    expect(none.shadowRoot!.querySelector('[data-model-credit]')).to.equal(null);
  });

  it('is accessible', async () => {
    const el = await fixture<FgStatusPanel>(html`<fg-status-panel .offline=${offline()}></fg-status-panel>`);
    await expect(el).shadowDom.to.be.accessible();
  });
});

describe('<fg-status-summary>', () => {
  it('shows model and offline state and the update button', async () => {
    const model = { phase: 'ready', model: null, backends: { tfjs: 'webgpu', ort: 'wasm' } } as const;
    const el = await fixture<FgStatusSummary>(
      html`<fg-status-summary
        .model=${model}
        .offline=${offline({ readyOffline: true, updateAvailable: true })}
      ></fg-status-summary>`,
    );
    expect($(el, '[data-chip=model]').textContent).to.contain('Model ready');
    expect($(el, '[data-chip=offline]').textContent).to.contain('Ready offline');
    setTimeout(() => $<HTMLButtonElement>(el, 'button').click());
    await oneEvent(el, 'fg-apply-update');
  });
});

describe('<fg-settings-panel>', () => {
  const models: CatalogModel[] = [
    {
      id: 'resnet50-dr',
      version: '1',
      name: 'ResNet50 DR',
      demo: true,
      trainingData: 'synthetic',
      bytes: { fp16: 96e6, fp32: 192e6 },
    },
    { id: 'tiny', version: '1', name: 'Tiny', demo: true, trainingData: 'none', bytes: { fp32: 50e3 } },
  ];

  it('emits the new settings when a backend, model or weight form changes', async () => {
    const el = await fixture<FgSettingsPanel>(
      html`<fg-settings-panel
        .settings=${DEFAULT_SETTINGS}
        .models=${models}
        active-model="resnet50-dr"
      ></fg-settings-panel>`,
    );
    const select = $<HTMLSelectElement>(el, '#backend-ort');
    expect([...select.options].map((o) => o.value)).to.deep.equal(['auto', 'webgpu', 'wasm']);
    select.value = 'wasm';
    setTimeout(() => select.dispatchEvent(new Event('change')));
    expect((await oneEvent<CustomEvent<Settings>>(el, 'fg-settings-changed')).detail).to.deep.equal({
      ...DEFAULT_SETTINGS,
      ort: 'wasm',
    });

    const fp32 = $<HTMLInputElement>(el, 'input[value=fp32]');
    setTimeout(() => fp32.click());
    expect((await oneEvent<CustomEvent<Settings>>(el, 'fg-settings-changed')).detail.weights).to.equal('fp32');

    const model = $<HTMLSelectElement>(el, '#model');
    model.value = 'tiny';
    setTimeout(() => model.dispatchEvent(new Event('change')));
    expect((await oneEvent<CustomEvent<Settings>>(el, 'fg-settings-changed')).detail.model).to.equal('tiny');
  });

  it('shows the training-data credit under "Trained on" for a model that has one', async () => {
    const credited: CatalogModel[] = [
      { ...models[0]!, trainingData: 'IDRiD (413 photographs)', credit: CREDIT },
      models[1]!,
    ];
    const el = await fixture<FgSettingsPanel>(
      html`<fg-settings-panel
        .settings=${DEFAULT_SETTINGS}
        .models=${credited}
        active-model="resnet50-dr"
      ></fg-settings-panel>`,
    );
    const credit = $(el, '[data-model-credit]');
    expect(credit.textContent).to.equal(CREDIT);
    expect(credit.previousElementSibling!.textContent).to.equal('Trained on: IDRiD (413 photographs)');
    await expect(el).shadowDom.to.be.accessible();
    const tiny = await fixture<FgSettingsPanel>(
      html`<fg-settings-panel
        .settings=${DEFAULT_SETTINGS}
        .models=${credited}
        active-model="tiny"
      ></fg-settings-panel>`,
    );
    expect(tiny.shadowRoot!.querySelector('[data-model-credit]')).to.equal(null);
  });

  it('disables a weight form the model lacks', async () => {
    const el = await fixture<FgSettingsPanel>(
      html`<fg-settings-panel .settings=${DEFAULT_SETTINGS} .models=${models} active-model="tiny"></fg-settings-panel>`,
    );
    expect($<HTMLInputElement>(el, 'input[value=fp16]').disabled).to.equal(true);
    await expect(el).shadowDom.to.be.accessible();
  });
});
