// The worker side of the protocol, without a worker: workers/dispatcher.ts with stand-in handlers.
import { expect } from '@open-wc/testing';
import type { AnyRequestMap, RequestMap, WorkerToPage } from '../../src/shared/protocol.js';
import { createDispatcher, serialQueue, type Handlers, type Port } from '../../workers/dispatcher.js';
import type { TestRequestMap } from '../../workers/testing/test-protocol.js';

type Message = WorkerToPage<AnyRequestMap>;

/** A port that keeps what is posted; `refuse` makes postMessage throw, as it does for a result that cannot be cloned. */
function recordingPort(refuse: (message: Message) => boolean = () => false) {
  const messages: Message[] = [];
  const port: Port = {
    postMessage(message) {
      if (refuse(message)) throw new DOMException('could not be cloned', 'DataCloneError');
      messages.push(message);
    },
  };
  /** The message that settled request `id`, once it comes; fails after 2 s instead of hanging. */
  const settled = async (id: number): Promise<Message> => {
    const deadline = performance.now() + 2000;
    for (;;) {
      const found = messages.find((m) => m.id === id && m.kind !== 'progress');
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`request ${id} never settled`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { port, messages, settled };
}

const request = (id: number, type: string, params: object = {}) => ({ kind: 'request', id, type, params });

type EchoMap = {
  echo: { params: { value: unknown }; result: { value: unknown }; progress: never };
  fail: { params: { reason: unknown }; result: never; progress: never };
};

const echoHandlers: Handlers<EchoMap> = {
  echo: async ({ value }) => ({ value }),
  fail: async ({ reason }) => {
    throw reason;
  },
};

/** The production requests, answered by stand-ins (only their names matter here). */
const notUsed = async (): Promise<never> => {
  throw new Error('not used in this test');
};
const productionHandlers: Handlers<RequestMap> = {
  init: notUsed,
  'load-models': notUsed,
  inspect: notUsed,
  grade: notUsed,
};

describe('the dispatcher (worker side of the protocol)', () => {
  it('runs the next queued job after one that rejected', async () => {
    const ran: string[] = [];
    const errors: unknown[] = [];
    const enqueue = serialQueue((error) => errors.push(error));
    enqueue(async () => {
      ran.push('first');
      throw new Error('boom');
    });
    enqueue(async () => {
      ran.push('second');
    });
    const deadline = performance.now() + 2000;
    while (ran.length < 2 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ran).to.deep.equal(['first', 'second']);
    expect(errors).to.have.length(1);
  });

  it('keeps answering queued requests when a request cannot be answered at all', async () => {
    // Request 1's result and its error both fail to post: request 1 is lost, the queue is not.
    const { port, settled } = recordingPort((message) => message.id === 1);
    const dispatch = createDispatcher(echoHandlers, port);
    dispatch(request(1, 'echo', { value: 1 }));
    dispatch(request(2, 'echo', { value: 2 }));
    expect(await settled(2)).to.deep.equal({ kind: 'result', id: 2, result: { value: 2 } });
  });

  it('settles a request whose result cannot be posted with an error, and goes on', async () => {
    const { port, settled } = recordingPort((message) => message.id === 1 && message.kind === 'result');
    const dispatch = createDispatcher(echoHandlers, port);
    dispatch(request(1, 'echo', { value: 1 }));
    dispatch(request(2, 'echo', { value: 2 }));
    expect(await settled(1)).to.deep.include({
      kind: 'error',
      id: 1,
      error: { code: 'internal', message: 'could not be cloned' },
    });
    expect(await settled(2)).to.deep.include({ kind: 'result', id: 2 });
  });

  it('settles a request that rejected with something that cannot even be described, and goes on', async () => {
    const { port, settled } = recordingPort();
    const dispatch = createDispatcher(echoHandlers, port);
    const hostile = {
      toString() {
        throw new Error('no description');
      },
    };
    dispatch(request(1, 'fail', { reason: hostile }));
    dispatch(request(2, 'echo', { value: 2 }));
    expect(await settled(1)).to.deep.equal({
      kind: 'error',
      id: 1,
      error: { code: 'internal', message: 'unknown error' },
    });
    expect(await settled(2)).to.deep.include({ kind: 'result', id: 2 });
  });

  it('answers one request at a time, in order', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handlers: Handlers<EchoMap> = {
      echo: async ({ value }) => {
        order.push(`start ${String(value)}`);
        if (value === 1) await gate;
        order.push(`end ${String(value)}`);
        return { value };
      },
      fail: echoHandlers.fail,
    };
    const { port, settled } = recordingPort();
    const dispatch = createDispatcher(handlers, port);
    dispatch(request(1, 'echo', { value: 1 }));
    dispatch(request(2, 'echo', { value: 2 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).to.deep.equal(['start 1']);
    release();
    await settled(2);
    expect(order).to.deep.equal(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('answers a test-only request with bad-request when only the production handlers are registered', async () => {
    const { port, settled } = recordingPort();
    const dispatch = createDispatcher(productionHandlers, port);
    const testOnly: (keyof TestRequestMap)[] = [
      'memory',
      'unload-models',
      'simulate-device-loss',
      'crash-ort-worker',
      'photo-stats',
      'forget-photos',
      'script-gpus',
    ];
    testOnly.forEach((type, i) => dispatch(request(i + 1, type)));
    for (const [i] of testOnly.entries()) {
      expect(await settled(i + 1)).to.deep.equal({
        kind: 'error',
        id: i + 1,
        error: { code: 'bad-request', message: 'malformed message' },
      });
    }
  });

  it('answers the test-only requests once the test build registers their handlers', async () => {
    const { port, settled } = recordingPort();
    const testHandlers: Handlers<TestRequestMap> = {
      memory: async () => ({
        tfjs: { backend: 'wasm', numTensors: 0, numDataBuffers: 0, numBytes: 0 },
        ort: { sessions: 0, liveTensors: 0 },
      }),
      'unload-models': async () => ({ released: 2 }),
      'simulate-device-loss': async () => ({ backend: 'wasm', armed: false }),
      'crash-ort-worker': async () => ({ error: { code: 'worker-crashed', message: 'crashed on purpose' } }),
      'photo-stats': async () => ({ kept: 0, decodes: 0 }),
      'forget-photos': async () => ({ forgotten: 0 }),
      'script-gpus': async () => ({ scripted: false }),
    };
    const all: Handlers<RequestMap & TestRequestMap> = { ...productionHandlers, ...testHandlers };
    const dispatch = createDispatcher(all, port);
    dispatch(request(1, 'unload-models'));
    expect(await settled(1)).to.deep.equal({ kind: 'result', id: 1, result: { released: 2 } });
  });
});
