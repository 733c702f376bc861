import type {
  AnyRequestMap,
  ParamsOf,
  ProgressOf,
  RequestMap,
  RequestType,
  ResultOf,
  WorkerToPage,
} from '../src/shared/protocol.js';
import { InferenceError, isWorkerError } from '../src/shared/protocol.js';

export interface RequestOptions<K extends keyof M, M extends AnyRequestMap = RequestMap> {
  signal?: AbortSignal;
  onProgress?: (progress: ProgressOf<K, M>) => void;
  /** Buffers handed to the worker instead of copied (the page loses access to them). */
  transfer?: Transferable[];
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: InferenceError): void;
  onProgress?: ((progress: never) => void) | undefined;
  cleanup(): void;
}

/**
 * The asking side of a worker boundary (the answering side is workers/dispatcher.ts): one promise per
 * request, settled exactly once. M is the request map the worker answers: the page asks the inference
 * worker RequestMap's requests (src/shared/protocol.ts; with the test-only ones in the tests,
 * workers/testing/test-protocol.ts), and the inference worker asks its ONNX Runtime worker
 * OrtRequestMap's (workers/ort/ort-protocol.ts). It lives here, beside the dispatcher, because the
 * page (src/app/inference-service.ts) and the inference worker (workers/ort/ort-worker-host.ts) both
 * use it.
 *
 * A worker that reports an `error` event (a script error at top level or in a handler, out of memory)
 * is treated as dead: it is terminated, every pending request fails, and so does every later request,
 * at once, with code 'worker-crashed' (InferenceService then starts a fresh worker). Nothing is ever
 * posted into a dead worker, where it would wait forever.
 */
export class InferenceClient<M extends AnyRequestMap = RequestMap> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set once the worker is gone: what every request fails with from then on. */
  private deadReason: InferenceError | null = null;

  /** `name`: what the worker is called in the messages of the errors its death causes. */
  constructor(
    private readonly worker: Worker,
    private readonly name = 'inference worker',
  ) {
    worker.addEventListener('message', (event: MessageEvent<WorkerToPage<M>>) => this.onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.die(
        new InferenceError({
          code: 'worker-crashed',
          message: `${this.name} crashed: ${event.message || 'unknown error'}`,
        }),
      );
    });
    worker.addEventListener('messageerror', () =>
      this.failAll(new InferenceError({ code: 'internal', message: 'a message from the worker could not be read' })),
    );
  }

  /** False once the worker crashed or was stopped: every request then fails at once. */
  get alive(): boolean {
    return this.deadReason === null;
  }

  request<K extends RequestType<M>>(
    type: K,
    params: ParamsOf<K, M>,
    options: RequestOptions<K, M> = {},
  ): Promise<ResultOf<K, M>> {
    if (this.deadReason) return Promise.reject(this.deadReason);
    const id = this.nextId++;
    const { signal, onProgress, transfer = [] } = options;
    if (signal?.aborted) return Promise.reject(new InferenceError({ code: 'aborted', message: 'cancelled' }));
    return new Promise<ResultOf<K, M>>((resolve, reject) => {
      const onAbort = () => {
        if (this.alive) this.worker.postMessage({ kind: 'cancel', id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: resolve,
        reject,
        onProgress: onProgress,
        cleanup,
      });
      try {
        this.worker.postMessage({ kind: 'request', id, type, params }, transfer);
      } catch (error) {
        // Params that cannot be cloned or transferred: nothing reached the worker.
        this.pending.delete(id);
        cleanup();
        reject(
          new InferenceError({
            code: 'bad-request',
            message: `request could not be sent: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
      }
    });
  }

  terminate(): void {
    this.die(new InferenceError({ code: 'internal', message: `${this.name} was stopped` }));
  }

  private die(reason: InferenceError): void {
    if (this.deadReason) return;
    this.deadReason = reason;
    // A worker that threw may still run (an error in one handler does not end it): stop it for good.
    this.worker.terminate();
    this.failAll(reason);
  }

  private onMessage(message: WorkerToPage<M>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.kind === 'progress') {
      pending.onProgress?.(message.progress as never);
      return;
    }
    this.pending.delete(message.id);
    pending.cleanup();
    if (message.kind === 'result') pending.resolve(message.result);
    else
      pending.reject(
        new InferenceError(
          isWorkerError(message.error) ? message.error : { code: 'internal', message: 'malformed error' },
        ),
      );
  }

  private failAll(error: InferenceError): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.cleanup();
      pending.reject(error);
    }
  }
}
