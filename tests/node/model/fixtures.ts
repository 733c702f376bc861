import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../../src/shared/model-contract.js';

export const REPO_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
export const TINY_STORE = join(REPO_MODELS_DIR, 'tiny');

const tempDirs: string[] = [];
// Registered once at import, on the file's root: an after() called from inside a before() hook
// would run as soon as that hook ends.
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A fresh temp folder, removed when the test file finishes. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `fg-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** What the worker does for the ONNX variant: NHWC 0..255 → NCHW (x/255 − mean)/std. */
export function toNormalizedNchw(nhwc: Float32Array, batch: number, size: number): Float32Array {
  const out = new Float32Array(nhwc.length);
  for (let n = 0; n < batch; n++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) {
          const pixel = nhwc[((n * size + y) * size + x) * 3 + c]!;
          out[((n * 3 + c) * size + y) * size + x] = (pixel / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
        }
      }
    }
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Index of the largest value in each row of a [rows, width] array. */
export function argmaxRows(values: ArrayLike<number>, width: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < values.length; start += width) {
    let best = start;
    for (let i = start + 1; i < start + width; i++) if (values[i]! > values[best]!) best = i;
    rows.push(best - start);
  }
  return rows;
}
