/**
 * What a screener reads when a model download stops before the end: how far it got, why, and what
 * happens next. Per file where one worker downloads (DownloadCut), and for the whole model, both variants,
 * where both downloads are known (modelDownloadCut, called by workers/grading/loaded-models.ts).
 */
import type { ModelFile, ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { WorkerFailure } from '../worker-failure.js';
import { formatBytes } from '../../src/shared/format-bytes.js';

/**
 * 'offline': the device has no network. 'server': it has, but the server reset or refused the connection
 * (it stopped, crashed, or is restarting). The browser reports both as the same network error; only
 * navigator.onLine tells them apart.
 */
export type CutReason = 'offline' | 'server';

const WHY: Record<CutReason, { stopped: string; notStarted: string; next: string }> = {
  offline: {
    stopped: 'the connection was lost',
    notStarted: 'this device is offline and the model is not stored on it',
    next: 'when you are back online',
  },
  server: {
    stopped: 'the server stopped answering',
    notStarted: 'the server did not answer',
    next: 'by itself within minutes (or when you grade a photo)',
  },
};

/** Why a download stops now that the network failed it. */
export function currentCutReason(): CutReason {
  return navigator.onLine ? 'server' : 'offline';
}

/** `what`: a file's path or a model's name. `received` 0: nothing arrived, the download did not start. */
export function downloadCutMessage(what: string, received: number, total: number, reason: CutReason): string {
  const why = WHY[reason];
  if (received === 0) return `The download of ${what} could not start: ${why.notStarted}. It will start ${why.next}.`;
  return `The download of ${what} stopped at ${formatBytes(received)} of ${formatBytes(total)}: ${why.stopped}. It will resume ${why.next}.`;
}

/** One file's download failed on the network; what arrived of it is kept for the next attempt. */
export class DownloadCut extends WorkerFailure {
  constructor(
    readonly file: ModelFile,
    readonly received: number,
    readonly reason: CutReason,
  ) {
    super('model-missing', downloadCutMessage(file.path, received, file.bytes, reason));
    this.name = 'DownloadCut';
  }
}

/**
 * The reason of a DownloadCut, also of one thrown in another worker (ONNX Runtime's), which arrives as its
 * error code and message only.
 */
function reasonOf(error: unknown): CutReason | null {
  if (error instanceof DownloadCut) return error.reason;
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'model-missing') return null;
  for (const reason of Object.keys(WHY) as CutReason[]) {
    const why = WHY[reason];
    if (error.message.includes(`: ${why.stopped}. `) || error.message.includes(`: ${why.notStarted}. `)) return reason;
  }
  return null;
}

/**
 * A DownloadCut told for the whole model: `loadedBytes` of `totalBytes` over the files of every variant
 * being downloaded. Null when `error` is no download cut (it is then reported as it is).
 */
export function modelDownloadCut(
  error: unknown,
  model: Pick<ModelManifestEntry, 'id' | 'version'>,
  loadedBytes: number,
  totalBytes: number,
): WorkerFailure | null {
  const reason = reasonOf(error);
  if (!reason) return null;
  return new WorkerFailure(
    'model-missing',
    downloadCutMessage(`${model.id} v${model.version}`, loadedBytes, totalBytes, reason),
  );
}
