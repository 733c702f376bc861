/**
 * Decoded pixel buffers as both decoders hand them over: the browser's ImageData (RGBA,
 * Uint8ClampedArray) and sharp's `.raw()` output (RGB or RGBA, Buffer/Uint8Array).
 * Interleaved, row-major, no row padding. Alpha, when present, is ignored.
 */
export interface PixelImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

/** Interleaved RGB, 8 bits per channel, row-major (HWC). */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export function assertPixelImage(image: PixelImage): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`image size must be non-negative integers, got ${width}x${height}`);
  }
  if (channels !== 3 && channels !== 4) throw new RangeError(`expected 3 or 4 channels, got ${String(channels)}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `pixel buffer holds ${data.length} bytes, ${width}x${height}x${channels} needs ${width * height * channels}`,
    );
  }
}
