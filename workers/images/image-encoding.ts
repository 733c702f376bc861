import type { RgbImage } from '../../src/shared/pixels.js';
import type { EncodedImage, RgbaPixels } from '../../src/shared/protocol.js';

/** RGB → RGBA (opaque), the layout ImageData and canvases take. */
export function toRgba(image: RgbImage): RgbaPixels {
  const { data, width, height } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    out[j] = data[i]!;
    out[j + 1] = data[i + 1]!;
    out[j + 2] = data[i + 2]!;
    out[j + 3] = 255;
  }
  return { data: out.buffer, width, height };
}

/** A small JPEG for the screening record: a few kilobytes instead of the photo's megabytes. */
export async function encodeJpeg(image: RgbImage, quality = 0.8): Promise<EncodedImage> {
  const rgba = toRgba(image);
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context on OffscreenCanvas');
  context.putImageData(new ImageData(new Uint8ClampedArray(rgba.data), image.width, image.height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
  return { bytes: await blob.arrayBuffer(), mimeType: blob.type, width: image.width, height: image.height };
}
