/**
 * Reads the format and stored size from the first bytes of a JPEG, PNG or WebP file, before any decoding:
 * a file that is not an image gets a clear answer, and a huge one is refused before it takes the memory.
 */
import type { ImageFormat } from '../../src/shared/protocol.js';

export interface ImageHeader {
  format: ImageFormat;
  /** Null when the signature is right but the header is cut short or damaged. */
  size: { width: number; height: number } | null;
}

const ascii = (bytes: Uint8Array, offset: number, text: string): boolean =>
  bytes.length >= offset + text.length && [...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));

const u16be = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32be = (b: Uint8Array, o: number) => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
const u24le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic); C4, C8 and CC are not frames. */
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const JPEG_SOS = 0xda;

function jpegSize(b: Uint8Array): ImageHeader['size'] {
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return null;
    const marker = b[o + 1]!;
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    // Markers without a length field: TEM and RST0..7.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2;
      continue;
    }
    if (marker === JPEG_SOS) return null; // image data before any frame header
    const length = u16be(b, o + 2);
    if (JPEG_SOF.has(marker)) {
      if (o + 9 > b.length) return null;
      return { height: u16be(b, o + 5), width: u16be(b, o + 7) };
    }
    o += 2 + length;
  }
  return null;
}

function pngSize(b: Uint8Array): ImageHeader['size'] {
  if (b.length < 24 || !ascii(b, 12, 'IHDR')) return null;
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

function webpSize(b: Uint8Array): ImageHeader['size'] {
  if (ascii(b, 12, 'VP8 ') && b.length >= 30) {
    return { width: (b[26]! | (b[27]! << 8)) & 0x3fff, height: (b[28]! | (b[29]! << 8)) & 0x3fff };
  }
  if (ascii(b, 12, 'VP8L') && b.length >= 25) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(b, 12, 'VP8X') && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return null;
}

/** Null when the bytes are none of the three formats. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return { format: 'jpeg', size: jpegSize(bytes) };
  if (ascii(bytes, 0, '\x89PNG\r\n\x1a\n')) return { format: 'png', size: pngSize(bytes) };
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return { format: 'webp', size: webpSize(bytes) };
  return null;
}
