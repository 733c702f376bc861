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
import { gradedPhoto, gradeResult } from './record-fixtures.js';

const $ = <T extends Element>(el: Element, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;
const T0 = Date.UTC(2026, 2, 1, 8);
const CREDIT =
  'Training data: IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4.0 — Porwal et al., Data 3(3), 25 (2018)';

describe('<fg-history-list>', () => {
  // P-2's visit is the newer one: P-2 comes first. P-1's visit lacks the left eye.
  const p2 = [
    gradedPhoto('P-2', 'right', 3, T0 + 3000, { visitId: 'v-2' }),
    gradedPhoto('P-2', 'left', 0, T0 + 2000, { visitId: 'v-2' }),
  ];
  const p1 = [gradedPhoto('P-1', 'right', 0, T0, { visitId: 'v-1' })];
  const records = [...p2, ...p1];
  const text = (node: Element) => node.textContent.replace(/\s+/g, ' ').trim();

  it('lists patients and their visits, with each eye’s thumbnail and result and the patient’s referral', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    const patients = [...el.shadowRoot!.querySelectorAll('section.patient h3')].map(text);
    expect(patients).to.deep.equal(['P-2 · 1 visit', 'P-1 · 1 visit']);
    const [visit2, visit1] = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.visit')];
    expect(visit2!.dataset.visitId).to.equal('v-2');
    expect(text(visit2!.querySelector('[data-eye=right]')!)).to.equal('Right eye: Grade 3 Severe, referable');
    expect(text(visit2!.querySelector('[data-eye=left]')!)).to.equal('Left eye: Grade 0 No DR');
    expect(visit2!.querySelector<HTMLImageElement>('[data-eye=right] img')!.src).to.match(/^blob:/);
    expect(visit2!.querySelector('[data-verdict]')!.textContent).to.contain('Refer to an ophthalmologist');
    expect(visit1!.querySelector('[data-eye=left]')!.getAttribute('data-status')).to.equal('missing');
    expect(visit1!.querySelector('[data-eye=left] img')).to.equal(null);
    expect(visit1!.querySelector('[data-verdict]')!.getAttribute('data-verdict')).to.equal('incomplete');
    expect(text($(el, 'p.count'))).to.equal('2 visits of 2 patients on this device, newest first.');
  });

  it("says when a patient's referral rests on the model's threshold rather than the grade", async () => {
    const byThreshold = toScreeningRecord(
      gradeResult(1, 1, 0.25),
      { patientId: 'P-7', eye: 'left', fileName: 'p7.jpeg' },
      T0,
    );
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${[byThreshold]}></fg-history-list>`);
    expect($(el, '[data-verdict]').getAttribute('data-verdict')).to.equal('refer');
    expect(text($(el, '[data-eye=left]'))).to.equal('Left eye: Grade 1 Mild, referable');
  });

  it('filters the visits by the search box', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    const search = $<HTMLInputElement>(el, 'input[type=search]');
    search.value = 'missing';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    const shown = () => [...el.shadowRoot!.querySelectorAll<HTMLElement>('button.visit')].map((b) => b.dataset.visitId);
    expect(shown()).to.deep.equal(['v-1']);
    expect(text($(el, 'p.count'))).to.equal('1 of 2 visits match.');
    search.value = 'severe';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(shown()).to.deep.equal(['v-2']);
  });

  it('asks the owner to export CSV or JSON', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${records}></fg-history-list>`);
    const [csv, json] = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.toolbar button')];
    setTimeout(() => csv!.click());
    expect((await oneEvent<CustomEvent<{ format: string }>>(el, 'fg-export-records')).detail.format).to.equal('csv');
    setTimeout(() => json!.click());
    expect((await oneEvent<CustomEvent<{ format: string }>>(el, 'fg-export-records')).detail.format).to.equal('json');
  });

  it('says when there is nothing yet, and offers no export', async () => {
    const el = await fixture<FgHistoryList>(html`<fg-history-list .records=${[]}></fg-history-list>`);
    expect(text($(el, 'p.count'))).to.equal('No screenings on this device yet.');
    expect(
      [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.toolbar button')].map((b) => b.disabled),
    ).to.deep.equal([true, true]);
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
