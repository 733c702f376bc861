// The app's controllers (src/app/controllers/) without <fg-app> or any layout: each on a bare host. The
// records controller runs on the real IndexedDB store; the models controller runs on a fake
// InferenceService, so that the test decides when each answer arrives (the real worker: app-flow.test.ts;
// the visit: visit-controller.test.ts).
import { expect, waitUntil } from '@open-wc/testing';
import { ModelsController, reloadFor, type ModelsOptions } from '../../src/app/controllers/models-controller.js';
import { DELETED_MEANWHILE, RecordsController } from '../../src/app/controllers/records-controller.js';
import type { ScreeningRecord } from '../../src/app/records/screening-record.js';
import { ScreeningStore } from '../../src/app/records/screening-store.js';
import type { Settings } from '../../src/app/settings.js';
import type { ModelManifest } from '../../src/shared/model-manifest.js';
import type { InitResult, LoadModelsResult } from '../../src/shared/protocol.js';
import { InferenceError } from '../../src/shared/protocol.js';
import { announcements, BareHost } from './bare-host.js';
import { gradedPhoto, record, ungradedPhoto } from './record-fixtures.js';
import { loadManifest } from './worker-client.js';

const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);

describe('RecordsController', function () {
  this.timeout(20000);
  const names: string[] = [];
  const hosts: BareHost[] = [];
  afterEach(() => hosts.splice(0).forEach((host) => host.disconnect()));
  after(() => names.forEach((name) => indexedDB.deleteDatabase(name)));

  /** A connected controller over its own database (or `name`'s), once it has read the list. */
  async function connected(name = `fg-controllers-test-${crypto.randomUUID()}`) {
    names.push(name);
    const host = new BareHost();
    const { said, announce } = announcements();
    const records = new RecordsController(host, { dbName: () => name, announce });
    const updates = host.updates;
    host.connect();
    hosts.push(host);
    // Two changes: the list read once the store opened, and the storage estimate.
    await waitUntil(() => host.updates >= updates + 2, 'store opened and listed');
    return { host, records, said, name };
  }

  it('saves a record: listed first, shown as saved, dispatched as fg-screening-saved, and kept in the store', async () => {
    const { host, records, name } = await connected();
    const saved = host.events<ScreeningRecord>('fg-screening-saved');
    const older = record('P-1', 'left', 0, 1000);
    const newer = record('P-2', 'right', 3, 2000);
    expect(await records.save(older)).to.deep.equal({ state: 'saved' });
    await records.save(newer);
    expect(ids(records.state.records)).to.deep.equal([newer.id, older.id]);
    expect(saved.map((r) => r.id)).to.deep.equal([older.id, newer.id]);

    const reopened = await connected(name);
    await waitUntil(() => reopened.records.state.records.length === 2, 'listed from the store');
    expect(ids(reopened.records.state.records)).to.deep.equal([newer.id, older.id]);
  });

  it('says why a save failed, and saves the same record when asked again', async () => {
    const { host, records, said, name } = await connected();
    const saved = host.events<ScreeningRecord>('fg-screening-saved');
    const notSaved = host.events<{ message: string }>('fg-screening-not-saved');
    const screening = record('P-3', 'left', 2, 3000);
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('quota reached', 'QuotaExceededError');
    };
    let failed;
    try {
      failed = await records.save(screening);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    const message = failed.state === 'failed' ? failed.message : '';
    expect(message).to.contain('no storage left');
    expect(notSaved).to.deep.equal([{ message }]);
    expect(said).to.include(message);
    expect(records.state.records).to.deep.equal([]);

    expect(await records.save(screening)).to.deep.equal({ state: 'saved' });
    expect(saved.map((r) => r.id)).to.deep.equal([screening.id]);
    expect(ids(records.state.records)).to.deep.equal([screening.id]);
    const store = await ScreeningStore.open(name);
    expect(ids(await store.list())).to.deep.equal([screening.id]);
    store.close();
  });

  it('lists again when the store had to reopen its database: only what the new database holds', async () => {
    const { records, name } = await connected();
    const before = record('P-5', 'left', 0, 5000);
    await records.save(before);
    // As "clear site data" or another tab would.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error('deleteDatabase failed'));
    });
    const after = record('P-6', 'right', 4, 6000);
    await records.save(after);
    await waitUntil(() => records.state.records.length === 1, 'the deleted record left the list');
    expect(ids(records.state.records)).to.deep.equal([after.id]);
  });

  it('deletes a record from the store and the list', async () => {
    const { records, name } = await connected();
    const [a, b] = [record('P-7', 'left', 0, 7000), record('P-8', 'left', 1, 8000)];
    await records.save(a);
    await records.save(b);
    await records.delete(a.id);
    expect(ids(records.state.records)).to.deep.equal([b.id]);
    const store = await ScreeningStore.open(name);
    expect(ids(await store.list())).to.deep.equal([b.id]);
    store.close();
  });

  it("deletes an eye's photos at once and restores them where they were, graded or not", async () => {
    const { records, said, name } = await connected();
    const blurred = ungradedPhoto('P-9', 'left', 9200, { visitId: 'v-9' });
    const visit = [
      gradedPhoto('P-9', 'right', 0, 9000, { visitId: 'v-9' }),
      gradedPhoto('P-9', 'left', 2, 9100, { visitId: 'v-9' }),
      blurred,
    ];
    for (const photo of visit) await records.save(photo);
    const before = ids(records.state.records);
    const left = [visit[1]!.id, visit[2]!.id];

    const deleted = await records.deleteMany([...left, 'not-there']);
    expect(ids(deleted)).to.have.members(left);
    expect(ids(records.state.records)).to.deep.equal([visit[0]!.id]);
    const store = await ScreeningStore.open(name);
    expect(ids(await store.listPhotos())).to.deep.equal([visit[0]!.id]);

    await records.restore(deleted);
    expect(ids(records.state.records)).to.deep.equal(before);
    expect(ids(await store.listPhotos())).to.deep.equal(before);
    const ungraded = records.state.records.find((r) => r.id === blurred.id)!;
    expect(ungraded).to.deep.include({ kind: 'ungraded', reason: blurred.reason, visitId: 'v-9' });
    expect(said).to.include('2 photos restored.');
    store.close();
  });

  it('does not bring back a photo deleted while a save of it was on its way, until an undo restores it', async () => {
    const { records, name } = await connected();
    const photo = gradedPhoto('P-20', 'right', 2, 20000, { visitId: 'v-20' });
    await records.save(photo);
    // History deletes the photo while the visit saves it again under a corrected patient id: both start
    // in the same task, the delete first.
    const deleting = records.deleteMany([photo.id]);
    const resaving = records.save({ ...photo, patientId: 'P-21' });
    const [deleted, resaved] = await Promise.all([deleting, resaving]);
    expect(ids(deleted)).to.deep.equal([photo.id]);
    expect(resaved).to.deep.equal({ state: 'failed', message: DELETED_MEANWHILE });
    expect(ids(records.state.records)).to.deep.equal([]);
    const store = await ScreeningStore.open(name);
    expect(ids(await store.listPhotos())).to.deep.equal([]);

    await records.restore(deleted);
    expect(await records.save({ ...photo, patientId: 'P-21' })).to.deep.equal({ state: 'saved' });
    expect((await store.listPhotos()).map((r) => [r.id, r.patientId])).to.deep.equal([[photo.id, 'P-21']]);
    store.close();
  });

  it('tells its watchers of the photos deleted and restored, until they stop watching', async () => {
    const { records } = await connected();
    const photo = record('P-12', 'right', 2, 12_000);
    await records.save(photo);
    const told: string[] = [];
    const stop = records.watch({
      deleted: (deletedIds) => told.push(`deleted ${deletedIds.join()}`),
      restored: (restored) => told.push(`restored ${ids(restored).join()}`),
    });
    const deleted = await records.deleteMany([photo.id]);
    await records.restore(deleted);
    stop();
    await records.deleteMany([photo.id]);
    expect(told).to.deep.equal([`deleted ${photo.id}`, `restored ${photo.id}`]);
  });

  it('says when photos could not be deleted, keeps them listed, and tells no watcher', async () => {
    const { records, said } = await connected();
    const told: unknown[] = [];
    records.watch({ deleted: (deletedIds) => told.push(deletedIds), restored: (restored) => told.push(restored) });
    const photo = record('P-10', 'right', 1, 10_000);
    await records.save(photo);
    const remove = IDBObjectStore.prototype.delete;
    IDBObjectStore.prototype.delete = function () {
      throw new DOMException('the disk is read-only', 'ReadOnlyError');
    };
    let deleted;
    try {
      deleted = await records.deleteMany([photo.id]);
    } finally {
      IDBObjectStore.prototype.delete = remove;
    }
    expect(deleted).to.deep.equal([]);
    expect(ids(records.state.records)).to.deep.equal([photo.id]);
    expect(said.at(-1)).to.match(/^The photos could not be deleted: /);
    expect(told).to.deep.equal([]);
  });

  it('says when photos could not be restored, and leaves them out of the list', async () => {
    const { records, said } = await connected();
    const photo = record('P-11', 'left', 0, 11_000);
    await records.save(photo);
    const deleted = await records.deleteMany([photo.id]);
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('quota reached', 'QuotaExceededError');
    };
    try {
      await records.restore(deleted);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(records.state.records).to.deep.equal([]);
    expect(said.at(-1)).to.equal('The photos could not be restored: this device has no storage left');
  });
});

describe('ModelsController (on a fake InferenceService)', function () {
  this.timeout(20000);
  const settings: Settings = { tfjs: 'wasm', ort: 'wasm', model: 'tiny', weights: 'fp16' };
  const hosts: BareHost[] = [];
  afterEach(() => hosts.splice(0).forEach((host) => host.disconnect()));

  it('decides what a change of settings restarts', () => {
    expect(reloadFor(settings, { ...settings, tfjs: 'webgpu' })).to.equal('runtimes');
    expect(reloadFor(settings, { ...settings, ort: 'auto', weights: 'fp32' })).to.equal('runtimes');
    expect(reloadFor(settings, { ...settings, weights: 'fp32' })).to.equal('models');
    expect(reloadFor(settings, { ...settings, model: 'resnet50-dr' })).to.equal('models');
    expect(reloadFor(settings, { ...settings })).to.equal(null);
  });

  /**
   * A connected controller whose worker starts and loads at once; loads fail while `failLoads` is set,
   * with `failure`'s error (default: the connection was lost, code 'internal').
   */
  async function connectedModels(options: Partial<Pick<ModelsOptions, 'retryDelaysMs'>> = {}) {
    const manifest: ModelManifest = await loadManifest();
    const host = new BareHost();
    const calls: string[] = [];
    let failLoads = false;
    let failure = new InferenceError({ code: 'internal', message: 'the connection was lost' });
    const report = { tfjs: { backend: 'wasm' }, ort: { backend: 'wasm' } } as unknown as LoadModelsResult;
    const service = {
      start: async (choices: Settings) => {
        calls.push(`start ${choices.tfjs}/${choices.ort}`);
        return { tfjs: { backend: 'wasm' }, ort: { backend: 'wasm' } } as unknown as InitResult;
      },
      request: async (type: string, params: { models: { tfjs: { id: string; weights: string } } }) => {
        calls.push(`${type} ${params.models.tfjs.id} ${params.models.tfjs.weights}`);
        if (failLoads) throw failure;
        return report;
      },
    };
    let readyCalls = 0;
    const models = new ModelsController(host, {
      service: service as unknown as ModelsOptions['service'],
      modelsUrl: () => '/models/',
      settings,
      announce: () => undefined,
      onReady: () => readyCalls++,
      fetchManifest: async () => manifest,
      ...options,
    });
    const runtimesReady = host.events<InitResult>('fg-runtimes-ready');
    const modelsReady = host.events<LoadModelsResult>('fg-models-ready');
    hosts.push(host);
    host.connect();
    await waitUntil(() => models.state.model.phase === 'ready', 'models ready');
    return {
      models,
      calls,
      runtimesReady,
      modelsReady,
      readyCalls: () => readyCalls,
      failLoads: (fail: boolean) => (failLoads = fail),
      failWith: (error: InferenceError) => (failure = error),
    };
  }

  it('starts the runtimes, then loads the chosen models, and says so on the host', async () => {
    const { models, calls, runtimesReady, modelsReady, readyCalls } = await connectedModels();
    expect(calls).to.deep.equal(['start wasm/wasm', 'load-models tiny fp16']);
    expect(models.state.runtimes).to.equal('ready');
    expect(models.catalogModel?.id).to.equal('tiny');
    expect(runtimesReady).to.have.length(1);
    expect(modelsReady).to.have.length(1);
    expect(readyCalls()).to.equal(1);
  });

  it('restarts the runtimes for new backends, reloads only the models for new weights, and nothing else', async () => {
    const { models, calls } = await connectedModels();
    calls.length = 0;
    await models.applySettings({ ...settings, tfjs: 'webgl' });
    expect(calls).to.deep.equal(['start webgl/wasm', 'load-models tiny fp16']);
    calls.length = 0;
    await models.applySettings({ ...settings, tfjs: 'webgl', weights: 'fp32' });
    expect(calls).to.deep.equal(['load-models tiny fp32']);
    expect(models.pair?.ort.weights).to.equal('fp32');
    calls.length = 0;
    await models.applySettings({ ...settings, tfjs: 'webgl', weights: 'fp32' });
    expect(calls).to.deep.equal([]);
    expect(models.state.settings).to.deep.equal({ ...settings, tfjs: 'webgl', weights: 'fp32' });
  });

  it('loads the models again when the connection comes back after a failed load, and only then', async () => {
    const { models, calls, failLoads } = await connectedModels();
    calls.length = 0;
    window.dispatchEvent(new Event('online'));
    expect(calls, 'ready: nothing to retry').to.deep.equal([]);

    failLoads(true);
    await models.applySettings({ ...settings, weights: 'fp32' });
    expect(models.state.model).to.deep.include({ phase: 'failed', message: 'the connection was lost' });
    failLoads(false);
    calls.length = 0;
    window.dispatchEvent(new Event('online'));
    await waitUntil(() => models.state.model.phase === 'ready', 'loaded again');
    expect(calls).to.deep.equal(['load-models tiny fp32']);
  });
  it('tries again on a timer after the server cut a download while online, and stops once loaded', async () => {
    const { models, calls, failLoads, failWith } = await connectedModels({ retryDelaysMs: [50, 100] });
    expect(navigator.onLine, 'the test browser is online').to.equal(true);
    failWith(new InferenceError({ code: 'model-missing', message: 'the server stopped answering' }));
    failLoads(true);
    calls.length = 0;
    await models.applySettings({ ...settings, weights: 'fp32' });
    expect(models.state.model).to.deep.include({ phase: 'failed', message: 'the server stopped answering' });
    await waitUntil(() => calls.length >= 3, 'two tries on the timer', { timeout: 5000 });
    failLoads(false);
    await waitUntil(() => models.state.model.phase === 'ready', 'loaded on a later try', { timeout: 5000 });
    const tries = calls.length;
    expect(calls.every((call) => call === 'load-models tiny fp32')).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls.length, 'no try after the load succeeded').to.equal(tries);
  });

  it('does not retry on a timer a failure that another try would not mend', async () => {
    const { models, calls, failLoads, failWith } = await connectedModels({ retryDelaysMs: [20] });
    failWith(new InferenceError({ code: 'internal', message: 'the model could not be built' }));
    failLoads(true);
    calls.length = 0;
    await models.applySettings({ ...settings, weights: 'fp32' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).to.deep.equal(['load-models tiny fp32']);
    expect(models.state.model.phase).to.equal('failed');
  });
});
