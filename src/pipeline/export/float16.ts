/**
 * IEEE 754 binary16 ⇄ binary32 conversion for the fp16 weight store. Node 20 has no Float16Array,
 * so fp16 values travel as their bit patterns in Uint16Arrays (little-endian, as every target is).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Nearest binary16 (ties to even) of a float32 value, as bits. Finite values beyond ±65504 throw. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  // Re-biased exponent (binary16 bias 15 vs binary32 bias 127); ≤ 0 lands in the subnormal range.
  const halfExponent = exponent - 112;
  let shift: number;
  let significand: number;
  let base: number;
  if (halfExponent > 0) {
    shift = 13;
    significand = mantissa;
    base = halfExponent << 10;
  } else {
    // Below half the smallest subnormal (2^-25) everything rounds to zero.
    if (halfExponent < -10) return sign;
    shift = 14 - halfExponent;
    significand = mantissa | 0x800000;
    base = 0;
  }
  const kept = significand >>> shift;
  const rest = significand & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  const roundUp = rest > half || (rest === half && (kept & 1) === 1);
  // A carry out of the mantissa correctly bumps the exponent (and 65520+ becomes infinity).
  const result = base + kept + (roundUp ? 1 : 0);
  if (result >= 0x7c00) throw new RangeError(`${value} overflows float16 (max ±65504)`);
  return sign | result;
}

export function encodeFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]!);
  return out;
}

let decodeTable: Float32Array | undefined;

/** Every binary16 bit pattern's exact float32 value (the conversion is exact, so a table is enough). */
function float16Table(): Float32Array {
  if (decodeTable) return decodeTable;
  decodeTable = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >>> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    decodeTable[bits] =
      exponent === 0
        ? sign * mantissa * 2 ** -24
        : exponent === 0x1f
          ? mantissa === 0
            ? sign * Infinity
            : NaN
          : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return decodeTable;
}

export function decodeFloat16(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}
