import type { RgbaPixels } from '../../shared/protocol.js';

/**
 * A small JPEG of a photo's preview (InspectResult.preview), for the record of a photo kept without
 * grading: `grade` makes the graded photos' thumbnails in the worker, `inspect` leaves none.
 */
export async function thumbnailFromPixels(pixels: RgbaPixels, maxSide: number, quality = 0.85): Promise<Blob> {
  const scale = Math.min(1, maxSide / Math.max(pixels.width, pixels.height));
  const width = Math.max(1, Math.round(pixels.width * scale));
  const height = Math.max(1, Math.round(pixels.height * scale));
  const image = new ImageData(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height);
  const bitmap = await createImageBitmap(image, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  try {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas to make the thumbnail with');
    context.drawImage(bitmap, 0, 0);
    return await canvas.convertToBlob({ type: 'image/jpeg', quality });
  } finally {
    bitmap.close();
  }
}
