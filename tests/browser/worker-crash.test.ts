// The page side of a worker that dies: InferenceClient fails fast, InferenceService starts a new one.
// The workers here are stand-ins (blob: scripts) that speak just enough of the protocol.
import { expect } from '@open-wc/testing';
import { InferenceClient } from '../../workers/inference-client.js';
import { InferenceService } from '../../src/app/inference-service.js';
import {
  InferenceError,
  PROTOCOL_VERSION,
  type InspectParams,
  type LoadModelsParams,
} from '../../src/shared/protocol.js';
import { rejectionOf } from './worker-client.js';

/** Throws while its script runs: the worker never answers anything. */
const BROKEN_AT_START = `throw new Error('broken at start');`;

/**
 * Answers `init` (echoing its params), answers `inspect` with the init params it got, and throws out of
 * its message handler on `load-models`: an uncaught error, the worker's 'error' event on the page.
 */
const CRASHES_ON_LOAD = `
  let init = null;
  self.onmessage = ({ data }) => {
    if (data.kind !== 'request') return;
    if (data.type === 'init') {
      init = data.params;
      postMessage({ kind: 'result', id: data.id, result: { protocolVersion: ${PROTOCOL_VERSION}, params: data.params } });
    } else if (data.type === 'load-models') {
      throw new Error('crashed while loading');
    } else if (data.type === 'inspect') {
      postMessage({ kind: 'result', id: data.id, result: { init } });
    }
  };
`;

const urls: string[] = [];
function workerFrom(script: string): Worker {
  const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }));
  urls.push(url);
  return new Worker(url);
}

/** The promise's outcome, or a failure naming the hang after `ms`. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still pending after ${ms} ms: it hangs`)), ms),
    ),
  ]);
}

const someModels = {} as LoadModelsParams;
const inspectParams: InspectParams = { image: new ArrayBuffer(8), previewMaxSide: 64, thumbnailMaxSide: 64 };
const initParams = { tfjs: 'wasm', ort: 'wasm', tfjsWasmPath: '/', ortWasmPath: '/', ortWorkerUrl: '/' } as const;

after(() => urls.forEach((url) => URL.revokeObjectURL(url)));

describe('InferenceClient after the worker crashed', () => {
  it('fails the request in flight and every later one at once, posting nothing into the dead worker', async () => {
    const worker = workerFrom(CRASHES_ON_LOAD);
    const posted: unknown[] = [];
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown, transfer?: Transferable[] | StructuredSerializeOptions) => {
      posted.push(message);
      post(message, transfer as StructuredSerializeOptions);
    };
    const client = new InferenceClient(worker);
    await within(5000, client.request('init', initParams));
    expect(client.alive).to.equal(true);

    const crash = await within(5000, rejectionOf(client.request('load-models', someModels)));
    expect(crash.code).to.equal('worker-crashed');
    expect(crash.message).to.contain('crashed while loading');
    expect(client.alive).to.equal(false);

    const sentBefore = posted.length;
    const started = performance.now();
    const later = await within(1000, rejectionOf(client.request('inspect', inspectParams)));
    expect(later.code).to.equal('worker-crashed');
    expect(performance.now() - started).to.be.lessThan(100);
    expect(posted.length, 'nothing posted into the dead worker').to.equal(sentBefore);
  });

  it('fails every request of a worker whose script throws at top level, without hanging', async () => {
    const client = new InferenceClient(workerFrom(BROKEN_AT_START));
    const [first, second] = await within(
      5000,
      Promise.all([
        rejectionOf(client.request('init', initParams)),
        rejectionOf(client.request('inspect', inspectParams)),
      ]),
    );
    expect(first.code).to.equal('worker-crashed');
    expect(first.message).to.contain('broken at start');
    expect(second.code).to.equal('worker-crashed');
    expect((await within(1000, rejectionOf(client.request('inspect', inspectParams)))).code).to.equal('worker-crashed');
  });

  it('fails every later request at once after terminate()', async () => {
    const client = new InferenceClient(workerFrom(CRASHES_ON_LOAD));
    client.terminate();
    const error = await within(1000, rejectionOf(client.request('inspect', inspectParams)));
    expect(error).to.be.instanceOf(InferenceError);
    expect(error.message).to.contain('stopped');
  });
});

describe('InferenceService after the worker crashed', () => {
  it('starts a fresh worker with the same choices for the next request, which succeeds', async () => {
    let created = 0;
    const service = new InferenceService({
      createWorker: () => (created++, workerFrom(CRASHES_ON_LOAD)),
      tfjsWasmPath: '/tfjs/',
      ortWasmPath: '/ort/',
    });
    await service.start({ tfjs: 'webgl', ort: 'wasm' });
    expect(created).to.equal(1);

    const crash = await within(5000, rejectionOf(service.request('load-models', someModels)));
    expect(crash.code).to.equal('worker-crashed');

    // Two requests at once share one restart.
    const [a, b] = await within(
      5000,
      Promise.all([service.request('inspect', inspectParams), service.request('inspect', inspectParams)]),
    );
    expect(created).to.equal(2);
    const { init } = a as unknown as { init: { tfjs: string; ort: string; tfjsWasmPath: string } };
    expect(init).to.include({ tfjs: 'webgl', ort: 'wasm', tfjsWasmPath: '/tfjs/' });
    expect(b).to.deep.equal(a);
    service.stop();
  });

  it('fails fast, never hangs, when every new worker crashes too', async () => {
    let created = 0;
    const service = new InferenceService({
      createWorker: () => (created++, workerFrom(BROKEN_AT_START)),
      tfjsWasmPath: '/',
      ortWasmPath: '/',
    });
    expect((await within(5000, rejectionOf(service.start({ tfjs: 'wasm', ort: 'wasm' })))).code).to.equal(
      'worker-crashed',
    );
    const error = await within(5000, rejectionOf(service.request('inspect', inspectParams)));
    expect(error.code).to.equal('worker-crashed');
    expect(created, 'one restart for the request, not a loop').to.equal(2);
    service.stop();
  });
});
