import sharp from 'sharp';
import { renderScene } from '../../../../src/pipeline/data/synthetic/render.js';
import { sampleScene } from '../../../../src/pipeline/data/synthetic/scene.js';
import type { PixelImage } from '../../../../src/shared/pixels.js';

/**
 * A synthetic fundus photo (the pipeline's renderer: vessels, lesions, texture, camera noise) wide
 * enough for the focus measure: seed 2 at 1600 px is 1600×1200 with a retina about 1,310 px across.
 */
export function syntheticPhoto(width = 1600, seed = 2): PixelImage {
  const rgb = renderScene(sampleScene({ seed, grade: 2, eye: 'left' }), width);
  return { ...rgb, channels: 3 };
}

/** The same pixels as a 4-channel image (what the worker's canvas hands over). */
export function withAlpha(image: PixelImage): PixelImage {
  const out = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0, j = 0; j < out.length; i += image.channels, j += 4) {
    out[j] = image.data[i]!;
    out[j + 1] = image.data[i + 1]!;
    out[j + 2] = image.data[i + 2]!;
    out[j + 3] = 255;
  }
  return { data: out, width: image.width, height: image.height, channels: 4 };
}

/** Grey (Rec. 601 luma in every channel), as a red-free or monochrome camera would give. */
export function greyscale(image: PixelImage): PixelImage {
  const out = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, j = 0; j < out.length; i += image.channels, j += 3) {
    const y = Math.round(0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!);
    out[j] = y;
    out[j + 1] = y;
    out[j + 2] = y;
  }
  return { data: out, width: image.width, height: image.height, channels: 3 };
}

/** A flat image of one colour. */
export function flatImage(width: number, height: number, rgb: readonly [number, number, number]): PixelImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < data.length; p += 3) data.set(rgb, p);
  return { data, width, height, channels: 3 };
}

/** JPEG bytes of an RGB image. */
export function encodeJpeg(image: PixelImage, quality = 92): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .jpeg({ quality })
    .toBuffer();
}
