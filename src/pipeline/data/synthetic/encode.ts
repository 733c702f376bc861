import sharp from 'sharp';
import type { RgbImage } from '../../../shared/pixels.js';
import type { Scene } from './scene-types.js';

export type ImageFormat = 'jpeg' | 'png';

export const EXTENSION: Record<ImageFormat, string> = { jpeg: '.jpeg', png: '.png' };

/** sharp refuses smaller sigmas; below this a blur is invisible anyway. */
const MIN_BLUR_SIGMA = 0.3;

/** Encode a rendered fundus, applying the scene's optical blur and (for JPEG) its compression quality. */
export async function encodeFundus(rgb: RgbImage, scene: Scene, format: ImageFormat): Promise<Buffer> {
  let image = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  const sigma = scene.camera.blur * scene.fov.radius * rgb.width;
  if (sigma >= MIN_BLUR_SIGMA) image = image.blur(sigma);
  return format === 'jpeg'
    ? image.jpeg({ quality: scene.camera.jpegQuality, chromaSubsampling: '4:2:0' }).toBuffer()
    : image.png({ compressionLevel: 6 }).toBuffer();
}
