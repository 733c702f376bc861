/**
 * Photo bytes → upright RGBA pixels, off the main thread. createImageBitmap decodes (honouring EXIF
 * orientation) and downscales very large photos; an OffscreenCanvas hands out the pixels.
 */
import { MIN_IMAGE_SIDE } from '../../src/shared/fov.js';
import type { PixelImage } from '../../src/shared/pixels.js';
import type { DecodedImageInfo } from '../../src/shared/protocol.js';
import { WorkerFailure } from '../worker-failure.js';
import { readImageHeader } from './image-header.js';

/** Photos are analysed at no more than this many pixels on the long side: more adds nothing at 300 px. */
export const MAX_ANALYSED_SIDE = 4096;
/** Larger files are refused undecoded: a 64 MP RGBA bitmap already needs 256 MB. */
export const MAX_SOURCE_PIXELS = 64_000_000;

export interface DecodedImage {
  pixels: PixelImage;
  info: DecodedImageInfo;
}

const FORMAT_NAMES = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' } as const;

function badImage(message: string): WorkerFailure {
  return new WorkerFailure('bad-image', message);
}

export async function decodeImage(bytes: ArrayBuffer): Promise<DecodedImage> {
  const header = readImageHeader(new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 64 * 1024)));
  if (!header) throw badImage('This file is not a photo the app can read: choose a JPEG, PNG or WebP image.');
  const formatName = FORMAT_NAMES[header.format];
  if (!header.size) throw badImage(`The ${formatName} file is damaged: its header cannot be read.`);
  const { width: sourceWidth, height: sourceHeight } = header.size;
  if (Math.min(sourceWidth, sourceHeight) < MIN_IMAGE_SIDE) {
    throw badImage(
      `The image is only ${sourceWidth}×${sourceHeight} pixels; a fundus photo needs at least ${MIN_IMAGE_SIDE} on each side.`,
    );
  }
  if (sourceWidth * sourceHeight > MAX_SOURCE_PIXELS) {
    const megapixels = ((sourceWidth * sourceHeight) / 1e6).toFixed(0);
    throw badImage(
      `The image is ${sourceWidth}×${sourceHeight} (${megapixels} megapixels); the limit is ${MAX_SOURCE_PIXELS / 1e6} megapixels.`,
    );
  }

  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]), { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch {
    throw badImage(`The ${formatName} file is damaged or incomplete and cannot be decoded.`);
  }
  try {
    // Resize options apply to the upright picture, so the scale comes from the decoded size.
    const scale = Math.min(1, MAX_ANALYSED_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale < 1) {
      const full = bitmap;
      bitmap = await createImageBitmap(full, {
        resizeWidth: Math.max(1, Math.round(full.width * scale)),
        resizeHeight: Math.max(1, Math.round(full.height * scale)),
        resizeQuality: 'high',
        premultiplyAlpha: 'none',
      });
      full.close();
    }
    const { width, height } = bitmap;
    const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2d context on OffscreenCanvas');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, width, height);
    return {
      pixels: { data, width, height, channels: 4 },
      info: { format: header.format, sourceWidth, sourceHeight, width, height },
    };
  } finally {
    bitmap.close();
  }
}
