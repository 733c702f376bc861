// What the app says about the model comes from the model's manifest entry (notice, credit), with the
// generic demo notice only as the fallback for a demo model that says nothing itself.
import { expect, waitUntil } from '@open-wc/testing';
import '../../src/app/components/fg-app.js';
import type { FgApp } from '../../src/app/components/fg-app.js';
import { DEMO_MODEL_NOTICE } from '../../src/app/components/fg-grade-result.js';
import type { FgSettingsPanel } from '../../src/app/components/fg-settings-panel.js';
import { listModels } from '../../src/app/model-catalog.js';
import type {
  ModelDescription,
  ModelManifest,
  ModelManifestEntry,
  ModelVariant,
} from '../../src/shared/model-manifest.js';
import { modelSummary } from '../../src/shared/protocol.js';
import { deep } from './shadow-dom.js';

const NOTICE =
  'Research model trained on 413 photographs from one clinic and one camera type (IDRiD). Not a medical device; not for clinical use.';
const CREDIT =
  'Training data: IDRiD dataset © Prasanna Porwal, Samiksha Pachade and Manesh Kokare, CC BY 4.0 — Porwal et al., Data 3(3), 25 (2018)';
const MODELS_URL = '/__model-notice-test/models/';

function entry(description: Partial<ModelDescription>, variant: ModelVariant): ModelManifestEntry {
  const id = description.id ?? 'research';
  const folder = `${id}/1/${variant}-fp16`;
  return {
    id,
    version: '1',
    name: 'Research grader',
    trainingData: 'IDRiD',
    demo: false,
    ...description,
    variant,
    format: variant === 'tfjs' ? 'tfjs-layers' : 'onnx',
    weights: 'fp16',
    entry: `${folder}/${variant === 'tfjs' ? 'model.json' : 'model.onnx'}`,
    files: [
      { path: `${folder}/${variant === 'tfjs' ? 'model.json' : 'model.onnx'}`, sha256: '0'.repeat(64), bytes: 1000 },
    ],
    input: {
      layout: variant === 'tfjs' ? 'NHWC' : 'NCHW',
      size: 300,
      channels: 3,
      normalisation: { appliedBy: 'model', mean: [0, 0, 0], std: [1, 1, 1], description: 'test' },
    },
    output: {},
    labels: ['No DR', 'Mild', 'Moderate', 'Severe', 'Proliferative'],
  };
}

const manifestOf = (description: Partial<ModelDescription>): ModelManifest => ({
  schemaVersion: 1,
  models: [entry(description, 'tfjs'), entry(description, 'onnx')],
});

describe('model catalog and grade results: notice and credit', () => {
  it('exposes the manifest entry’s notice and credit, and leaves them out when the entry has none', () => {
    const [model] = listModels(manifestOf({ notice: NOTICE, credit: CREDIT }));
    expect([model!.notice, model!.credit]).to.deep.equal([NOTICE, CREDIT]);
    const [plain] = listModels(manifestOf({}));
    expect('notice' in plain! || 'credit' in plain!).to.equal(false);
  });

  it('carries them into the model summary of every grade result (which the result card and records read)', () => {
    expect(modelSummary(entry({ notice: NOTICE, credit: CREDIT }, 'tfjs'))).to.deep.include({
      notice: NOTICE,
      credit: CREDIT,
    });
    const plain = modelSummary(entry({}, 'tfjs'));
    expect('notice' in plain || 'credit' in plain).to.equal(false);
  });
});

describe('<fg-app>: the model notice banner', function () {
  this.timeout(60000);
  const dbName = `fg-notice-test-${crypto.randomUUID()}`;
  const realFetch = window.fetch;
  let app: FgApp | null = null;

  afterEach(() => {
    app?.remove();
    app = null;
    window.fetch = realFetch;
  });
  after(() => indexedDB.deleteDatabase(dbName));

  /** Mounts the app on a manifest served from memory; resolves once the app has read it. */
  async function mountWith(manifest: ModelManifest): Promise<FgApp> {
    window.fetch = (input, init) =>
      String(input instanceof Request ? input.url : input).endsWith(`${MODELS_URL}manifest.json`)
        ? Promise.resolve(new Response(JSON.stringify(manifest), { headers: { 'Content-Type': 'application/json' } }))
        : realFetch(input, init);
    const el = document.createElement('fg-app');
    el.setAttribute('models-url', MODELS_URL);
    el.setAttribute('db-name', dbName);
    document.body.append(el);
    app = el;
    await waitUntil(
      () => (deep<FgSettingsPanel>(el, 'fg-settings-panel')?.models.length ?? 0) > 0,
      'the app read the manifest',
      { timeout: 20000 },
    );
    await el.updateComplete;
    return el;
  }

  it("shows the model's own notice, not the demo notice, even for a demo model", async () => {
    const el = await mountWith(manifestOf({ demo: true, notice: NOTICE, credit: CREDIT }));
    const banner = deep(el, '[data-model-notice]')!;
    expect(banner.textContent).to.equal(NOTICE);
    expect(banner.hasAttribute('data-demo-banner')).to.equal(true);
    expect(el.shadowRoot!.textContent).not.to.contain(DEMO_MODEL_NOTICE);
    const settings = deep<FgSettingsPanel>(el, 'fg-settings-panel')!;
    await settings.updateComplete;
    expect(deep(settings, '[data-model-credit]')!.textContent).to.equal(CREDIT);
  });

  it('falls back to the demo notice for a demo model without one', async () => {
    const el = await mountWith(manifestOf({ demo: true }));
    expect(deep(el, '[data-demo-banner]')!.textContent).to.equal(DEMO_MODEL_NOTICE);
    expect(deep(el, '[data-model-notice]')).to.equal(deep(el, '[data-demo-banner]'));
  });

  it('shows no banner for a model with neither', async () => {
    const el = await mountWith(manifestOf({ demo: false }));
    expect(deep(el, '[data-model-notice]')).to.equal(null);
    expect(deep(el, '[data-demo-banner]')).to.equal(null);
  });
});
