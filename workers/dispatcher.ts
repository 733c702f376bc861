import type {
  PageToWorker,
  ParamsOf,
  ProgressOf,
  RequestType,
  ResultOf,
  WorkerToPage,
} from '../src/shared/protocol.js';
import { isPageToWorker } from '../src/shared/protocol.js';
import { toWorkerError, WorkerFailure } from './worker-failure.js';

export interface RequestContext<K extends RequestType> {
  signal: AbortSignal;
  progress(progress: ProgressOf<K>): void;
  /** Buffers to transfer (not copy) with the result. */
  transfer(...buffers: Transferable[]): void;
}

export type Handler<K extends RequestType> = (params: ParamsOf<K>, context: RequestContext<K>) => Promise<ResultOf<K>>;
export type Handlers = { [K in RequestType]: Handler<K> };

export interface Port {
  postMessage(message: WorkerToPage, transfer?: Transferable[]): void;
}

/**
 * Requests that never touch a runtime (decoding a chosen photo for its preview) skip the queue, so a
 * preview does not wait for a model download or a grading.
 */
const UNQUEUED: ReadonlySet<RequestType> = new Set<RequestType>(['inspect']);

/**
 * Routes page requests to handlers, one at a time: the runtimes share one GPU device and one wasm heap,
 * and running requests in order keeps cancellation between stages meaningful.
 */
export function createDispatcher(handlers: Handlers, port: Port): (data: unknown) => void {
  const controllers = new Map<number, AbortController>();
  let queue: Promise<void> = Promise.resolve();

  async function run(message: Extract<PageToWorker, { kind: 'request' }>, controller: AbortController): Promise<void> {
    const transfers: Transferable[] = [];
    const context: RequestContext<RequestType> = {
      signal: controller.signal,
      progress: (progress) => {
        if (!controller.signal.aborted) port.postMessage({ kind: 'progress', id: message.id, progress });
      },
      transfer: (...buffers) => transfers.push(...buffers),
    };
    try {
      if (controller.signal.aborted) throw new WorkerFailure('aborted', 'cancelled before it started');
      const handler = handlers[message.type] as Handler<RequestType>;
      const result = await handler(message.params, context);
      port.postMessage({ kind: 'result', id: message.id, result }, transfers);
    } catch (error) {
      port.postMessage({ kind: 'error', id: message.id, error: toWorkerError(error) });
    } finally {
      controllers.delete(message.id);
    }
  }

  return (data: unknown) => {
    if (!isPageToWorker(data)) {
      const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
      port.postMessage({
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
    else queue = queue.then(() => run(data, controller));
  };
}
