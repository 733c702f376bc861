import type { BackendChoices } from './backend-choice.js';
import { BackendVerdictStore } from './backend-verdicts.js';
import { buildConfig } from './build-config.js';
import { InferenceClient, type RequestOptions } from '../../workers/inference-client.js';
import type {
  GradeResult,
  InitProgress,
  InitResult,
  LoadModelsParams,
  ParamsOf,
  RequestMap,
  RequestType,
  ResultOf,
} from '../shared/protocol.js';
import { InferenceError, PROTOCOL_VERSION } from '../shared/protocol.js';

/** A photo to grade with InferenceService.grade, beside the models to grade it with. */
export interface GradeRequest extends LoadModelsParams {
  /** The id `inspect` answered for this photo: graded from what the worker kept, sending no bytes. */
  photoId?: string;
  /** Longest side of the record's thumbnail, for when the bytes are sent. */
  thumbnailMaxSide: number;
}

export interface InferenceServiceConfig {
  createWorker(): Worker;
  tfjsWasmPath: string;
  ortWasmPath: string;
  /** The ONNX Runtime worker's script, which the inference worker starts; default: the build's. */
  ortWorkerUrl?: string;
  /** Where the GPUs' speed verdicts are remembered between starts; default: localStorage. */
  verdicts?: BackendVerdictStore;
}

/**
 * The inference worker's lifetime on the page: start it with backend choices, restart it when the
 * choices change, and restart it once more when the worker reports a runtime's GPU device lost in a
 * way it cannot recover from in place ('device-lost'), repeating the grading on wasm. (ORT's WebGPU run
 * cut off mid-way, the one such case, no longer reaches the page: the inference worker replaces its
 * ONNX Runtime worker on wasm itself, workers/ort/ort-worker-host.ts.) A worker that crashed (InferenceClient: 'worker-crashed') is replaced by a fresh one, with the same
 * choices, when the next request comes; the requests it had in flight fail with that code.
 *
 * M is the request map the worker answers: RequestMap in the app; the browser tests pass the map
 * with the test-only requests (workers/testing/test-protocol.ts).
 */
export class InferenceService<M extends RequestMap = RequestMap> {
  private client: InferenceClient<M> | null = null;
  /** A worker started ahead of `start` (prestart), loading its script meanwhile. */
  private prestarted: InferenceClient<RequestMap> | null = null;
  private choices: BackendChoices = { tfjs: 'auto', ort: 'auto' };
  /** A restart after a crash in progress, shared by every request that arrives meanwhile. */
  private restarting: Promise<unknown> | null = null;
  private readonly verdicts: BackendVerdictStore;

  constructor(private readonly config: InferenceServiceConfig) {
    this.verdicts = config.verdicts ?? new BackendVerdictStore();
  }

  /**
   * Starts the next worker now, so that its script loads while the page gets what `start` needs (the
   * model list, for its preload); `start` then takes it instead of a new one.
   */
  prestart(): void {
    this.prestarted ??= new InferenceClient<RequestMap>(this.config.createWorker());
  }

  /**
   * Starts a fresh worker (stopping any previous one) and brings both runtimes up. On the automatic
   * choice the worker times a hardware GPU against wasm unless a remembered verdict holds for it; what
   * it measured is remembered for the next starts. `preload`: the models `load-models` will ask for next,
   * which the worker starts loading from what is stored as soon as each runtime is up (InitParams.preload).
   */
  async start(
    choices: BackendChoices,
    onProgress?: (progress: InitProgress) => void,
    preload?: LoadModelsParams,
  ): Promise<InitResult> {
    // Spoken to here with the production requests' own types, whatever test-only requests M adds.
    const client = this.prestarted ?? new InferenceClient<RequestMap>(this.config.createWorker());
    this.prestarted = null;
    this.stop();
    this.choices = choices;
    this.client = client as unknown as InferenceClient<M>;
    const params = {
      ...choices,
      tfjsWasmPath: this.config.tfjsWasmPath,
      ortWasmPath: this.config.ortWasmPath,
      ortWorkerUrl: this.config.ortWorkerUrl ?? buildConfig.ortWorkerUrl,
      verdicts: this.verdicts.load(),
      ...(preload ? { preload } : {}),
    };
    const report = await client.request('init', params, onProgress ? { onProgress } : {});
    if (report.protocolVersion !== PROTOCOL_VERSION) {
      throw new InferenceError({
        code: 'internal',
        message: `worker speaks protocol ${report.protocolVersion}, the page ${PROTOCOL_VERSION}: reload the page`,
      });
    }
    this.verdicts.remember(report);
    return report;
  }

  async request<K extends RequestType<M>>(
    type: K,
    params: ParamsOf<K, M>,
    options: RequestOptions<K, M> = {},
  ): Promise<ResultOf<K, M>> {
    if (this.client && !this.client.alive) await this.restartAfterCrash();
    if (!this.client) throw new InferenceError({ code: 'bad-request', message: 'the inference worker is not running' });
    return this.client.request(type, params, options);
  }

  /**
   * Grades a photo: the one the worker kept under `photoId` when there is one, else (and when the worker
   * no longer keeps it: 'photo-not-kept') the bytes `readImage` returns, transferred, so read again for
   * each sending. A 'device-lost' failure restarts the worker with that runtime on wasm and grades once
   * more, from the bytes (a new worker keeps no photo).
   */
  async grade(
    readImage: () => Promise<ArrayBuffer>,
    { photoId, thumbnailMaxSide, ...load }: GradeRequest,
    options: RequestOptions<'grade'> = {},
  ): Promise<GradeResult> {
    // The production requests' own types, whatever test-only requests M adds.
    const service = this as unknown as InferenceService;
    const fromBytes = async () => {
      const image = await readImage();
      return service.request('grade', { ...load, image, thumbnailMaxSide }, { ...options, transfer: [image] });
    };
    const attempt = async () => {
      if (photoId === undefined) return fromBytes();
      try {
        return await service.request('grade', { ...load, photoId }, options);
      } catch (error) {
        if (!(error instanceof InferenceError && error.code === 'photo-not-kept')) throw error;
        return fromBytes();
      }
    };
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof InferenceError && error.code === 'device-lost' && error.runtime)) throw error;
      const runtime = error.runtime;
      await this.start({ ...this.choices, [runtime]: 'wasm' });
      const result = await fromBytes();
      result.variants[runtime].fallback = `${error.message}; the worker was restarted with it on wasm`;
      return result;
    }
  }

  /** Stops the worker (and one started ahead of a start that did not come). */
  stop(): void {
    this.client?.terminate();
    this.client = null;
    this.prestarted?.terminate();
    this.prestarted = null;
  }

  /** One fresh worker for all the requests that find the old one dead; its failure fails them all. */
  private async restartAfterCrash(): Promise<void> {
    this.restarting ??= this.start(this.choices).finally(() => (this.restarting = null));
    await this.restarting;
  }
}
