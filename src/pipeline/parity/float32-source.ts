import { encodeFloat16 } from '../export/float16.js';
import { readTfjsModel, type LayersModelData } from '../export/tfjs-files.js';

export type Float32Source = { ok: true; model: LayersModelData } | { ok: false; problem: string };

const sameBits = (a: Uint16Array, b: Uint16Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Reads the trained float32 weights in `fp32Dir` and checks they are what `storeDir`'s canonical
 * fp16 store was rounded from: same topology, same weights, and every fp16 weight equal to the
 * float32 one rounded to fp16 (constants kept in float32, equal exactly). A folder left by another
 * training run fails here instead of producing a meaningless comparison.
 */
export async function readFloat32Source(storeDir: string, fp32Dir: string): Promise<Float32Source> {
  const [store, source] = await Promise.all([readTfjsModel(storeDir), readTfjsModel(fp32Dir)]);
  if (JSON.stringify(store.modelTopology) !== JSON.stringify(source.modelTopology)) {
    return { ok: false, problem: `${fp32Dir} has another topology than ${storeDir}` };
  }
  const fp32 = new Map(source.weights.map((w) => [w.name, w]));
  if (source.weights.some((w) => w.storedAs !== 'fp32'))
    return { ok: false, problem: `${fp32Dir} holds fp16 weights, not float32` };
  for (const weight of store.weights) {
    const original = fp32.get(weight.name);
    if (!original || original.shape.join() !== weight.shape.join()) {
      return { ok: false, problem: `${fp32Dir} lacks weight ${weight.name} [${weight.shape.join(', ')}]` };
    }
    const matches =
      weight.storedAs === 'fp16'
        ? sameBits(encodeFloat16(original.values), encodeFloat16(weight.values))
        : original.values.every((v, i) => Object.is(v, weight.values[i]));
    if (!matches)
      return {
        ok: false,
        problem: `weight ${weight.name} in ${storeDir} is not ${fp32Dir}'s rounded to fp16: another training run?`,
      };
  }
  if (fp32.size !== store.weights.length) return { ok: false, problem: `${fp32Dir} has weights ${storeDir} lacks` };
  return { ok: true, model: source };
}
