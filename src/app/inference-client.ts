import type { ParamsOf, ProgressOf, RequestType, ResultOf, WorkerToPage } from '../shared/protocol.js';
import { InferenceError, isWorkerError } from '../shared/protocol.js';

export interface RequestOptions<K extends RequestType> {
  signal?: AbortSignal;
  onProgress?: (progress: ProgressOf<K>) => void;
  /** Buffers handed to the worker instead of copied (the page loses access to them). */
  transfer?: Transferable[];
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: InferenceError): void;
  onProgress?: ((progress: never) => void) | undefined;
  cleanup(): void;
}

/** The page's side of src/shared/protocol.ts: one promise per request, settled exactly once. */
export class InferenceClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (event: MessageEvent<WorkerToPage>) => this.onMessage(event.data));
    // A worker that dies (script error, out of memory) must not leave callers waiting forever.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.failAll(`inference worker crashed: ${event.message || 'unknown error'}`);
    });
    worker.addEventListener('messageerror', () => this.failAll('a message from the worker could not be read'));
  }

  request<K extends RequestType>(type: K, params: ParamsOf<K>, options: RequestOptions<K> = {}): Promise<ResultOf<K>> {
    const id = this.nextId++;
    const { signal, onProgress, transfer = [] } = options;
    if (signal?.aborted) return Promise.reject(new InferenceError({ code: 'aborted', message: 'cancelled' }));
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const onAbort = () => this.worker.postMessage({ kind: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (result: unknown) => void,
        reject,
        onProgress: onProgress as ((progress: never) => void) | undefined,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      this.worker.postMessage({ kind: 'request', id, type, params }, transfer);
    });
  }

  terminate(): void {
    this.failAll('inference worker was stopped');
    this.worker.terminate();
  }

  private onMessage(message: WorkerToPage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.kind === 'progress') {
      pending.onProgress?.(message.progress as never);
      return;
    }
    this.pending.delete(message.id);
    pending.cleanup();
    if (message.kind === 'result') pending.resolve(message.result);
    else pending.reject(new InferenceError(isWorkerError(message.error) ? message.error : { code: 'internal', message: 'malformed error' }));
  }

  private failAll(message: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.cleanup();
      pending.reject(new InferenceError({ code: 'internal', message }));
    }
  }
}
