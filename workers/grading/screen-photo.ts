/**
 * The two photo requests: `inspect` (decode, find the retina, preview) when a photo is chosen, and
 * `grade` (the same, then both model variants). Each stage checks for cancellation before it starts.
 */
import type { FieldOfView } from '../../src/shared/fov.js';
import { detectFieldOfView, preprocessFundus, thumbnail } from '../../src/shared/preprocess.js';
import type {
  FovReport,
  GradeParams,
  GradeProgress,
  GradeResult,
  InspectParams,
  InspectResult,
} from '../../src/shared/protocol.js';
import { modelSummary } from '../../src/shared/protocol.js';
import { screeningOutcome } from '../../src/shared/screening-outcome.js';
import { decodeImage } from '../images/decode-image.js';
import { encodeJpeg, toRgba } from '../images/image-encoding.js';
import { throwIfAborted, WorkerFailure } from '../worker-failure.js';
import { fovMessage } from './fov-messages.js';
import type { LoadedModels } from './loaded-models.js';

export interface StageContext<P> {
  signal: AbortSignal;
  progress(progress: P): void;
  transfer(...buffers: Transferable[]): void;
}

function fovReport(fov: FieldOfView, width: number, height: number): FovReport {
  const { cx, cy, radius } = fov.circle;
  return {
    found: fov.found,
    verdict: fov.verdict,
    message: fovMessage(fov.verdict),
    confidence: fov.confidence,
    circle: { cx: cx / width, cy: cy / height, radius: radius / width },
  };
}

function requireBytes(image: unknown): ArrayBuffer {
  if (!(image instanceof ArrayBuffer))
    throw new WorkerFailure('bad-request', 'image must be an ArrayBuffer of the file bytes');
  return image;
}

function requireSide(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 16 || value > 2048) {
    throw new WorkerFailure('bad-request', `${name} must be an integer from 16 to 2048`);
  }
  return value;
}

export async function inspectPhoto(params: InspectParams, context: StageContext<never>): Promise<InspectResult> {
  const maxSide = requireSide(params.previewMaxSide, 'previewMaxSide');
  const decoded = await decodeImage(requireBytes(params.image));
  throwIfAborted(context.signal);
  const { width, height } = decoded.info;
  const fov = detectFieldOfView(decoded.pixels);
  const preview = toRgba(thumbnail(decoded.pixels, maxSide));
  context.transfer(preview.data);
  return { image: decoded.info, fov: fovReport(fov, width, height), preview };
}

export async function gradePhoto(
  params: GradeParams,
  models: LoadedModels,
  context: StageContext<GradeProgress>,
): Promise<GradeResult> {
  const started = performance.now();
  const thumbnailSide = requireSide(params.thumbnailMaxSide, 'thumbnailMaxSide');
  const bytes = requireBytes(params.image);

  context.progress({ stage: 'decode' });
  const decoded = await decodeImage(bytes);
  const decodeMs = performance.now() - started;
  throwIfAborted(context.signal);

  context.progress({ stage: 'preprocess' });
  const preprocessStarted = performance.now();
  const { rgb, fov } = preprocessFundus(decoded.pixels);
  if (!fov.found) throw new WorkerFailure('no-retina', fovMessage(fov.verdict), fov.verdict);
  // The record keeps the retina as the models saw it, small.
  const thumb = await encodeJpeg(thumbnail({ ...rgb, channels: 3 }, thumbnailSide));
  const preprocessMs = performance.now() - preprocessStarted;
  throwIfAborted(context.signal);

  await models.ensure(params, context);
  throwIfAborted(context.signal);
  context.progress({ stage: 'tfjs' });
  const tfjs = await models.run('tfjs', rgb);
  throwIfAborted(context.signal);
  context.progress({ stage: 'ort' });
  const ort = await models.run('ort', rgb);

  context.transfer(thumb.bytes);
  const model = modelSummary(params.models.tfjs);
  return {
    image: decoded.info,
    fov: fovReport(fov, decoded.info.width, decoded.info.height),
    thumbnail: thumb,
    model,
    variants: { tfjs, ort },
    // Decided here, once; the page shows it and saves it as it is.
    outcome: screeningOutcome(tfjs, ort, model.referralThreshold),
    timings: { decodeMs, preprocessMs, totalMs: performance.now() - started },
  };
}
