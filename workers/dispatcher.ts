import type {
  AnyRequestMap,
  PageToWorker,
  RequestMap,
  RequestSpec,
  RequestType,
  WorkerToPage,
} from '../src/shared/protocol.js';
import { isPageToWorker } from '../src/shared/protocol.js';
import { toWorkerError, WorkerFailure } from './worker-failure.js';

/** What a handler gets besides its params; P is its request's progress payload. */
export interface RequestContext<P> {
  signal: AbortSignal;
  progress(progress: P): void;
  /** Buffers to transfer (not copy) with the result. */
  transfer(...buffers: Transferable[]): void;
}

export type Handler<S extends RequestSpec> = (
  params: S['params'],
  context: RequestContext<S['progress']>,
) => Promise<S['result']>;

/**
 * One handler per request of M. The production worker passes RequestMap's; the test build adds the
 * test-only requests' (workers/testing/test-hooks.ts). A request with no handler is a `bad-request`.
 */
export type Handlers<M extends AnyRequestMap = RequestMap> = { [K in RequestType<M>]: Handler<M[K]> };

export interface Port {
  postMessage(message: WorkerToPage<AnyRequestMap>, transfer?: Transferable[]): void;
}

/**
 * Requests that never touch a runtime (decoding a chosen photo for its preview) skip the queue, so a
 * preview does not wait for a model download or a grading.
 */
const UNQUEUED: ReadonlySet<string> = new Set<RequestType>(['inspect']);

/**
 * Runs jobs one after another. A job that rejects is reported to `onError` and the next job still
 * runs: the chain goes on from the settled job, never from its success alone.
 */
export function serialQueue(onError: (error: unknown) => void): (job: () => Promise<void>) => void {
  let tail: Promise<void> = Promise.resolve();
  return (job) => {
    tail = tail.then(job).catch(onError);
  };
}

/**
 * Routes requests to handlers, one at a time (the page's in the inference worker, the inference worker's
 * in the ONNX Runtime worker): a request finds the models as the one before left them, and running
 * requests in order keeps cancellation between stages meaningful.
 */
export function createDispatcher<M extends AnyRequestMap = RequestMap>(
  handlers: Handlers<M>,
  port: Port,
): (data: unknown) => void {
  const controllers = new Map<number, AbortController>();
  const requestTypes: ReadonlySet<string> = new Set(Object.keys(handlers));
  const enqueue = serialQueue((error) => console.error('a queued request failed outside its handler', error));

  /** Posts a message; returns what the port threw when it refused it (a result that cannot be cloned), else null. */
  /** Posts, and returns why the port refused the message (e.g. an uncloneable result) instead of throwing. */
  function post(message: WorkerToPage<AnyRequestMap>, transfer?: Transferable[]): Error | null {
    try {
      port.postMessage(message, transfer);
      return null;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async function run(
    message: Extract<PageToWorker<M>, { kind: 'request' }>,
    controller: AbortController,
  ): Promise<void> {
    const transfers: Transferable[] = [];
    const context: RequestContext<unknown> = {
      signal: controller.signal,
      progress: (progress) => {
        if (!controller.signal.aborted) post({ kind: 'progress', id: message.id, progress });
      },
      transfer: (...buffers) => transfers.push(...buffers),
    };
    try {
      if (controller.signal.aborted) throw new WorkerFailure('aborted', 'cancelled before it started');
      // The message was checked against the handlers' own names: its params are that handler's.
      const handler = (handlers as unknown as Record<string, Handler<RequestSpec>>)[message.type]!;
      const result = await handler(message.params, context);
      const refused = post({ kind: 'result', id: message.id, result }, transfers);
      if (refused) throw refused;
    } catch (error) {
      // Every request settles: if even the error cannot be posted, the request is lost, not the queue.
      const refused = post({ kind: 'error', id: message.id, error: toWorkerError(error) });
      if (refused) console.error(`request ${message.id} (${message.type}) could not be answered`, refused);
    } finally {
      controllers.delete(message.id);
    }
  }

  return (data: unknown) => {
    if (!isPageToWorker<M>(data, requestTypes)) {
      const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
      post({
        kind: 'error',
        id: typeof id === 'number' ? id : -1,
        error: { code: 'bad-request', message: 'malformed message' },
      });
      return;
    }
    if (data.kind === 'cancel') {
      controllers.get(data.id)?.abort();
      return;
    }
    const controller = new AbortController();
    controllers.set(data.id, controller);
    if (UNQUEUED.has(data.type)) void run(data, controller);
    else enqueue(() => run(data, controller));
  };
}
