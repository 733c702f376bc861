// Model downloads cut mid-body (tests/browser/serve-models.mjs, /__cut-network/<key>/…): what the app says,
// and how the next attempt resumes from the bytes that arrived.
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/app/components/fg-app.js';
import type { FgApp } from '../../src/app/components/fg-app.js';
import { formatBytes } from '../../src/app/model-state.js';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { InferenceError, type ModelPair } from '../../src/shared/protocol.js';
import { downloadCutMessage, modelDownloadCut } from '../../workers/models/download-cut.js';
import { PARTIAL_DOWNLOADS_CACHE } from '../../workers/models/model-caches.js';
import { deep } from './shadow-dom.js';
import { initParams, rejectionOf, startWorker, tinyModels, type TestClient } from './worker-client.js';

interface Served {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  sent: number;
  cut: boolean;
}

/** One cut network of the test server: its models URL, its switches and what it served. */
function cutNetwork(options: { cut?: string; range?: 'honour' | 'ignore' | 'corrupt' } = {}) {
  const base = `/__cut-network/${crypto.randomUUID()}/`;
  const query = new URLSearchParams(options).toString();
  return {
    modelsUrl: `${base}models/`,
    configure: () => fetch(`${base}configure?${query}`),
    restore: () => fetch(`${base}restore`),
    /** What was served of files whose path ends with `suffix`, in order. */
    served: async (suffix: string) =>
      ((await (await fetch(`${base}log`)).json()) as Served[]).filter((entry) => entry.path.endsWith(suffix)),
  };
}

const normalised = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ');
const totalBytes = (pair: ModelPair) =>
  [pair.tfjs, pair.ort].reduce((sum, entry) => sum + entry.files.reduce((s, f) => s + f.bytes, 0), 0);
const onnxFile = (pair: ModelPair) => pair.ort.files[0]!;

/** The parts of cut ONNX files kept in Cache Storage for a models URL. */
async function storedParts(modelsUrl: string): Promise<string[]> {
  if (!(await caches.has(PARTIAL_DOWNLOADS_CACHE))) return [];
  const keys = await (await caches.open(PARTIAL_DOWNLOADS_CACHE)).keys();
  const folder = new URL(modelsUrl, location.href).href;
  return keys.map((request) => request.url).filter((url) => url.startsWith(folder) && url.includes('.onnx?'));
}

after(() => caches.delete(PARTIAL_DOWNLOADS_CACHE));

describe('<fg-app> when the server stops answering during the model download', function () {
  this.timeout(120000);
  const dbName = `fg-cut-test-${crypto.randomUUID()}`;
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

  it('says how far the whole model got and why, then resumes the cut file from there', async () => {
    const pair = await tinyModels();
    const network = cutNetwork({ cut: '\\.onnx$' });
    await network.configure();
    const el = document.createElement('fg-app');
    el.setAttribute('db-name', dbName);
    el.setAttribute('models-url', network.modelsUrl);
    document.body.append(el);
    app = el;

    await waitUntil(() => deep(el, '#tab-status'), 'the app rendered');
    deep(el, '#tab-status')!.click();
    const panelText = () => normalised(deep(el, 'fg-status-panel')?.shadowRoot?.textContent);
    await waitUntil(() => /stopped at/.test(panelText()), 'the cut download is explained', { timeout: 60000 });
    expect(panelText()).to.match(
      new RegExp(
        `The download of tiny v${pair.tfjs.version} stopped at [\\d.]+ KB of ${formatBytes(totalBytes(pair))}: the server stopped answering\\. ` +
          'It will resume by itself within minutes \\(or when you grade a photo\\)\\.',
      ),
    );

    await network.restore();
    const ready = oneEvent(el, 'fg-models-ready');
    window.dispatchEvent(new Event('online'));
    await ready;
    await waitUntil(() => deep(el, 'fg-status-panel', '[data-model-ready]'), 'the status says the model is ready');

    const [cut, rest, ...more] = await network.served('.onnx');
    expect(cut).to.include({ status: 200, cut: true, sent: Math.floor(onnxFile(pair).bytes / 2) });
    expect(rest).to.include({ range: `bytes=${cut!.sent}-`, status: 206, cut: false });
    expect(rest!.ifRange, 'If-Range: the first answer’s ETag').to.match(/^"/);
    expect(more).to.deep.equal([]);
  });
});

describe('a model download resumed in the inference worker', function () {
  this.timeout(120000);
  let client: TestClient;
  let pair: ModelPair;

  async function startedWorker(): Promise<TestClient> {
    const { client: started } = startWorker();
    await started.request('init', initParams('wasm', 'wasm'));
    return started;
  }

  /** A load-models the configured network cuts: the cut file's part is then stored. */
  async function cutLoad(network: ReturnType<typeof cutNetwork>): Promise<InferenceError> {
    await network.configure();
    return rejectionOf(client.request('load-models', { modelsUrl: network.modelsUrl, models: pair }));
  }

  before(async () => {
    pair = await tinyModels();
    client = await startedWorker();
  });
  after(() => client?.terminate());
  afterEach(() => client.request('unload-models', {}));

  it('asks only for the rest with Range and If-Range, and loads the verified model', async () => {
    const network = cutNetwork({ cut: '\\.onnx$' });
    const error = await cutLoad(network);
    expect(error.code).to.equal('model-missing');
    expect(error.message).to.match(
      new RegExp(
        `^The download of tiny v${pair.tfjs.version} stopped at [\\d.]+ KB of [\\d.]+ KB: the server stopped answering\\.`,
      ),
    );
    expect(await storedParts(network.modelsUrl), 'the part that arrived, kept in Cache Storage').to.have.length(1);

    await network.restore();
    const report = await client.request('load-models', { modelsUrl: network.modelsUrl, models: pair });
    expect(report.ort).to.include({ loaded: true, bytes: onnxFile(pair).bytes });
    const [cut, rest, ...more] = await network.served('.onnx');
    expect(cut).to.include({ range: null, status: 200, cut: true });
    expect(rest).to.include({ range: `bytes=${cut!.sent}-`, status: 206 });
    expect(rest!.ifRange).to.match(/^"/);
    expect(more).to.deep.equal([]);
    expect(await storedParts(network.modelsUrl), 'the part, once the file is complete').to.deep.equal([]);
  });

  it('takes the whole file when the server ignores the range', async () => {
    const network = cutNetwork({ cut: '\\.onnx$', range: 'ignore' });
    await cutLoad(network);
    await network.restore();
    const report = await client.request('load-models', { modelsUrl: network.modelsUrl, models: pair });
    expect(report.ort.loaded).to.equal(true);
    const [cut, whole, ...more] = await network.served('.onnx');
    expect(whole).to.include({ range: `bytes=${cut!.sent}-`, status: 200, sent: onnxFile(pair).bytes });
    expect(more).to.deep.equal([]);
  });

  it('finds a resumed file whose rest is corrupted by its sha256, and fetches it whole once more', async () => {
    const network = cutNetwork({ cut: '\\.onnx$', range: 'corrupt' });
    await cutLoad(network);
    await network.restore();
    const report = await client.request('load-models', { modelsUrl: network.modelsUrl, models: pair });
    expect(report.ort.loaded).to.equal(true);
    const [cut, corrupted, whole, ...more] = await network.served('.onnx');
    expect(corrupted).to.include({ range: `bytes=${cut!.sent}-`, status: 206 });
    expect(whole).to.include({ range: null, status: 200, sent: onnxFile(pair).bytes });
    expect(more).to.deep.equal([]);
  });

  it('resumes in a new worker (a reload) from the part kept in Cache Storage', async () => {
    const network = cutNetwork({ cut: '\\.onnx$' });
    await cutLoad(network);
    client.terminate();
    client = await startedWorker();
    await network.restore();
    const report = await client.request('load-models', { modelsUrl: network.modelsUrl, models: pair });
    expect(report.ort.loaded).to.equal(true);
    const [cut, rest] = await network.served('.onnx');
    expect(rest).to.include({ range: `bytes=${cut!.sent}-`, status: 206 });
  });
});

describe('the words of a cut download', () => {
  const model: Pick<ModelManifestEntry, 'id' | 'version'> = { id: 'resnet50-dr', version: '5' };
  const file = { path: 'resnet50-dr/5/onnx-fp16/model.onnx', sha256: '', bytes: 47_743_838 };

  it('tells the whole model when the device went offline, also from a cut in another worker', () => {
    const fromOrtWorker = new InferenceError({
      code: 'model-missing',
      message: downloadCutMessage(file.path, 21_000_000, file.bytes, 'offline'),
    });
    const told = modelDownloadCut(fromOrtWorker, model, 44_040_192, 95_617_411);
    expect(told?.message).to.equal(
      'The download of resnet50-dr v5 stopped at 42.0 MB of 91.2 MB: the connection was lost. It will resume when you are back online.',
    );
  });

  it('says the download could not start when nothing arrived, and leaves other failures alone', () => {
    const refused = new InferenceError({
      code: 'model-missing',
      message: downloadCutMessage(file.path, 0, file.bytes, 'server'),
    });
    expect(modelDownloadCut(refused, model, 0, 95_617_411)?.message).to.equal(
      'The download of resnet50-dr v5 could not start: the server did not answer. It will start by itself within minutes (or when you grade a photo).',
    );
    const corrupted = new InferenceError({
      code: 'model-integrity',
      message: `${file.path} does not match its sha256`,
    });
    expect(modelDownloadCut(corrupted, model, 1, 2)).to.equal(null);
    expect(modelDownloadCut(new InferenceError({ code: 'aborted', message: 'cancelled' }), model, 1, 2)).to.equal(null);
  });
});
