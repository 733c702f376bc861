/**
 * A measurement, not a test (its name does not end in .test.ts, so `npm test` never runs it):
 * tests/e2e/measure-grad-cam.ts prepares build/grad-cam-measure/ and runs this file in web-test-runner.
 * On wasm, for each photo: both variants' time and their heatmaps' time, and how closely the two maps
 * agree. ONNX Runtime computes its map inside the model's run, so what the map's nodes cost there is
 * measured apart: the same model with and without the map, in turns, in this page.
 */
import { expect } from '@open-wc/testing';
import * as ort from 'onnxruntime-web';
import { buildConfig } from '../../src/app/build-config.js';
import { pickModels } from '../../src/app/model-catalog.js';
import { pearson } from './heatmap-agreement.js';
import { gradeParams, initWorker, loadManifest, maxAbsDifference, MODELS_URL } from './worker-client.js';

const FOLDER = '/build/grad-cam-measure/';

interface Settings {
  model: string;
  weights: 'fp16' | 'fp32';
  photos: string[];
  runs: number;
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fixed = (x: number, digits = 1) => x.toFixed(digits);

/** Median run times of the ONNX model with its map and without, run in turns on one input, and of their difference. */
async function ortMapCost(withMap: ArrayBuffer, withoutMap: ArrayBuffer, runs: number) {
  // The worker's CPU-only build of ORT, as the app loads it when WebGPU is out (workers/runtimes/ort-wasm-build.ts).
  ort.env.wasm.wasmPaths = {
    mjs: `${buildConfig.ortWasmPath}ort-wasm-simd-threaded.mjs`,
    wasm: `${buildConfig.ortWasmPath}ort-wasm-simd-threaded.wasm`,
  };
  const sessions = [
    await ort.InferenceSession.create(new Uint8Array(withMap), { executionProviders: ['wasm'] }),
    await ort.InferenceSession.create(new Uint8Array(withoutMap), { executionProviders: ['wasm'] }),
  ] as const;
  const data = Float32Array.from({ length: 3 * 300 * 300 }, (_, i) => Math.sin(i) * 2);
  const timings: [number[], number[]] = [[], []];
  try {
    const once = async (which: 0 | 1) => {
      const input = new ort.Tensor('float32', data, [1, 3, 300, 300]);
      const started = performance.now();
      const outputs = await sessions[which].run({ input });
      const ms = performance.now() - started;
      for (const tensor of [input, ...Object.values(outputs)]) tensor.dispose();
      return ms;
    };
    for (let i = 0; i < 4; i++) for (const which of [0, 1] as const) await once(which);
    for (let i = 0; i < runs; i++) {
      // Alternating which goes first, so that neither always runs right after the other.
      for (const which of i % 2 ? ([1, 0] as const) : ([0, 1] as const)) timings[which].push(await once(which));
    }
  } finally {
    for (const session of sessions) await session.release();
  }
  const differences = timings[0].map((ms, i) => ms - timings[1][i]!);
  return { withMap: median(timings[0]), withoutMap: median(timings[1]), difference: median(differences) };
}

describe('Grad-CAM on real photos (measurement)', function () {
  this.timeout(60 * 60 * 1000);

  it('both variants on wasm: the maps cost and agreement', async () => {
    const settings = (await (await fetchOk(`${FOLDER}settings.json`)).json()) as Settings;
    const models = pickModels(await loadManifest(), settings.model, settings.weights);
    expect(models, `${settings.model} ${settings.weights}`).to.not.equal(null);
    const { client } = await initWorker('wasm', 'wasm');
    const rows: string[] = [];
    const shares = { tfjs: [] as number[], gradings: [] as number[] };
    const correlations: number[] = [];
    try {
      await client.request('load-models', { modelsUrl: MODELS_URL, models: models! });
      for (const photo of settings.photos) {
        const bytes = await (await fetchOk(`${FOLDER}photos/${photo}`)).arrayBuffer();
        const { variants } = await client.request('grade', gradeParams(bytes, models!));
        const { tfjs, ort: onnx } = variants;
        const r = pearson(tfjs.heatmap.values, onnx.heatmap.values);
        correlations.push(r);
        // The grading waits for the slower variant: both run at once, in two workers.
        const gradingMs = Math.max(tfjs.endedAt, onnx.endedAt) - Math.min(tfjs.startedAt, onnx.startedAt);
        shares.tfjs.push(tfjs.heatmap.ms / tfjs.ms);
        shares.gradings.push(gradingMs);
        rows.push(
          [
            photo.padEnd(15),
            `${tfjs.grade}/${onnx.grade}`.padEnd(6),
            fixed(tfjs.ms).padStart(8),
            fixed(tfjs.heatmap.ms, 2).padStart(8),
            fixed(onnx.ms).padStart(8),
            fixed(onnx.heatmap.ms, 2).padStart(8),
            fixed(gradingMs).padStart(8),
            fixed(r, 6).padStart(9),
            maxAbsDifference(tfjs.heatmap.values, onnx.heatmap.values).toExponential(1).padStart(8),
          ].join(' '),
        );
      }
    } finally {
      client.terminate();
    }
    const cost = await ortMapCost(
      await (await fetchOk(`${MODELS_URL}${models!.ort.entry}`)).arrayBuffer(),
      await (await fetchOk(`${FOLDER}no-map.onnx`)).arrayBuffer(),
      settings.runs,
    );
    console.log(
      [
        `${settings.model} ${settings.weights}, wasm, ${settings.photos.length} photos (grades TF.js/ORT; ms):`,
        'photo           grades  TF.js   its map     ORT  its map  grading  Pearson r   max|Δ|',
        ...rows,
        `TF.js map / TF.js inference: median ${fixed(100 * median(shares.tfjs))} %, max ${fixed(100 * Math.max(...shares.tfjs))} %`,
        `grading (both variants at once): median ${fixed(median(shares.gradings))} ms`,
        `Pearson r of the two maps: median ${fixed(median(correlations), 6)}, min ${fixed(Math.min(...correlations), 6)}`,
        `ORT alone in this page, median of ${settings.runs} runs each: with the map ${fixed(cost.withMap)} ms, without ${fixed(cost.withoutMap)} ms; ` +
          `median difference of the paired runs ${fixed(cost.difference)} ms (${fixed((100 * cost.difference) / cost.withoutMap)} %)`,
      ].join('\n'),
    );
  });
});
