/**
 * The two photo requests. `inspect`, when a photo is chosen: decode it, find the retina and judge the
 * photo's quality in it for the preview, then crop the retina to the models' input and make the record's
 * thumbnail, kept for `grade` (kept-photos.ts). `grade`: both model variants on that kept photo, or on
 * bytes it prepares the same way. Each stage checks for cancellation before it starts.
 */
import type { FieldOfView } from '../../src/shared/fov.js';
import { assessImageQuality } from '../../src/shared/image-quality.js';
import { INPUT_SIZE } from '../../src/shared/model-contract.js';
import type { PixelImage } from '../../src/shared/pixels.js';
import { detectFieldOfView, preprocessFundus, thumbnail } from '../../src/shared/preprocess.js';
import type {
  DecodedImageInfo,
  FovReport,
  GradeParams,
  GradeProgress,
  GradeResult,
  InspectParams,
  InspectResult,
  QualityReport,
} from '../../src/shared/protocol.js';
import { MAX_PHOTO_ID_LENGTH, modelSummary } from '../../src/shared/protocol.js';
import { screeningOutcome } from '../../src/shared/screening-outcome.js';
import { decodeImage } from '../images/decode-image.js';
import { encodeJpeg, toRgba } from '../images/image-encoding.js';
import { throwIfAborted, WorkerFailure } from '../worker-failure.js';
import { fovMessage } from './fov-messages.js';
import type { KeptPhotos, PreparedPhoto } from './kept-photos.js';
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

function requirePhotoId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PHOTO_ID_LENGTH) {
    throw new WorkerFailure('bad-request', `photoId must be a string of 1 to ${MAX_PHOTO_ID_LENGTH} characters`);
  }
  return value;
}

interface DecodedPhoto {
  pixels: PixelImage;
  image: DecodedImageInfo;
  fov: FieldOfView;
  quality: QualityReport;
  decodeMs: number;
  /** Finding the retina and judging the photo's quality in it. */
  screenMs: number;
}

/**
 * How much the decoder shrank the photo (decode-image.ts caps the long side), which tells the quality
 * gate how far apart the file's JPEG blocks now lie. The header's size is before EXIF rotation, so long
 * sides are compared.
 */
function decodeScale({ width, height, sourceWidth, sourceHeight }: DecodedImageInfo): number {
  return Math.min(1, Math.max(width, height) / Math.max(sourceWidth, sourceHeight));
}

/**
 * The quality gate's verdict, measured in the retina already found (no second search). Without its field
 * of view, which FovReport carries: what remains is plain data, posted as it is.
 */
function judgePhoto(pixels: PixelImage, image: DecodedImageInfo, fov: FieldOfView): QualityReport {
  const { verdict, issues, measures } = assessImageQuality(pixels, { fov, decodeScale: decodeScale(image) });
  return { verdict, issues, measures };
}

/** The photo decoded (the only time it is), its retina found and its quality judged there. */
async function decodePhoto(
  bytes: ArrayBuffer,
  context: Pick<StageContext<GradeProgress>, 'signal'> & { progress?(progress: GradeProgress): void },
): Promise<DecodedPhoto> {
  const started = performance.now();
  context.progress?.({ stage: 'decode' });
  const decoded = await decodeImage(bytes);
  const decodeMs = performance.now() - started;
  throwIfAborted(context.signal);

  context.progress?.({ stage: 'preprocess' });
  const screenStarted = performance.now();
  const fov = detectFieldOfView(decoded.pixels);
  const quality = judgePhoto(decoded.pixels, decoded.info, fov);
  return {
    pixels: decoded.pixels,
    image: decoded.info,
    fov,
    quality,
    decodeMs,
    screenMs: performance.now() - screenStarted,
  };
}

/**
 * What grading needs of a decoded photo: preprocessFundus's crop around the retina already found (no
 * second search) and, from it, the record's thumbnail. Nothing to crop when no retina was found.
 */
async function preparePhoto(decoded: DecodedPhoto, thumbnailSide: number): Promise<PreparedPhoto> {
  const { pixels, image, fov, quality, decodeMs, screenMs } = decoded;
  const started = performance.now();
  let graded: PreparedPhoto['graded'] = null;
  if (fov.found) {
    const { rgb } = preprocessFundus(pixels, INPUT_SIZE, fov);
    // The record keeps the retina as the models saw it, small.
    graded = { rgb, thumbnail: await encodeJpeg(thumbnail({ ...rgb, channels: 3 }, thumbnailSide)) };
  }
  const preprocessMs = screenMs + performance.now() - started;
  return { image, fov: fovReport(fov, image.width, image.height), quality, graded, decodeMs, preprocessMs };
}

/** Runs `task` once the current request has been answered (a macrotask after its result is posted). */
function afterAnswer<T>(task: () => Promise<T>): Promise<T> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0)).then(task);
}

export async function inspectPhoto(
  params: InspectParams,
  photos: KeptPhotos,
  context: StageContext<never>,
): Promise<InspectResult> {
  const previewSide = requireSide(params.previewMaxSide, 'previewMaxSide');
  const thumbnailSide = requireSide(params.thumbnailMaxSide, 'thumbnailMaxSide');
  // No progress: `inspect` has none (the preview is its only answer).
  const decoded = await decodePhoto(requireBytes(params.image), { signal: context.signal });
  const preview = toRgba(thumbnail(decoded.pixels, previewSide));
  // The crop and the thumbnail are made after the preview is sent, while the screener looks at it: the
  // preview comes as soon as before, and a `grade` of this id that comes sooner waits for them. Kept
  // whether or not a retina was found: grading it by its id answers as grading its bytes would.
  const photoId = photos.keep(afterAnswer(() => preparePhoto(decoded, thumbnailSide)));
  context.transfer(preview.data);
  const { image, fov, quality } = decoded;
  return { photoId, image, fov: fovReport(fov, image.width, image.height), preview, quality };
}

/** The photo a `grade` names: one `inspect` kept, or its bytes, prepared now; exactly one of the two. */
async function photoToGrade(
  params: GradeParams,
  photos: KeptPhotos,
  context: StageContext<GradeProgress>,
): Promise<PreparedPhoto> {
  const hasId = params.photoId !== undefined;
  if (hasId === (params.image !== undefined)) {
    throw new WorkerFailure('bad-request', 'grade takes exactly one of photoId (a photo inspect kept) and image');
  }
  if (!hasId) {
    const thumbnailSide = requireSide(params.thumbnailMaxSide, 'thumbnailMaxSide');
    return preparePhoto(await decodePhoto(requireBytes(params.image), context), thumbnailSide);
  }
  const photoId = requirePhotoId(params.photoId);
  const kept = photos.get(photoId);
  if (!kept) throw new WorkerFailure('photo-not-kept', `photo ${photoId} is not kept by the worker: send its bytes`);
  return kept;
}

export async function gradePhoto(
  params: GradeParams,
  models: LoadedModels,
  photos: KeptPhotos,
  context: StageContext<GradeProgress>,
): Promise<GradeResult> {
  const started = performance.now();
  const photo = await photoToGrade(params, photos, context);
  if (!photo.graded) throw new WorkerFailure('no-retina', photo.fov.message, photo.fov.verdict);
  const { rgb } = photo.graded;
  // A copy goes to the page: the kept thumbnail stays whole for the next grading of this photo.
  const thumb = { ...photo.graded.thumbnail, bytes: photo.graded.thumbnail.bytes.slice(0) };
  throwIfAborted(context.signal);

  await models.ensure(params, context);
  throwIfAborted(context.signal);
  // Both variants at once, ORT in its own worker (loaded-models.ts): a grading costs the slower one.
  context.progress({ stage: 'models' });
  const { tfjs, ort } = await models.runBoth(rgb);
  // A grading cancelled while the models ran answers 'aborted', not a result the screener gave up on.
  throwIfAborted(context.signal);

  context.transfer(thumb.bytes);
  const model = modelSummary(params.models.tfjs);
  const { decodeMs, preprocessMs } = photo;
  // Graded by id, the photo was decoded and preprocessed by `inspect`: its times count in the total.
  const preparedHere = params.image !== undefined;
  return {
    image: photo.image,
    fov: photo.fov,
    thumbnail: thumb,
    model,
    variants: { tfjs, ort },
    quality: photo.quality,
    // Decided here, once; the page shows it and saves it as it is.
    outcome: screeningOutcome(tfjs, ort, model.referralThreshold),
    timings: {
      decodeMs,
      preprocessMs,
      totalMs: performance.now() - started + (preparedHere ? 0 : decodeMs + preprocessMs),
    },
  };
}
