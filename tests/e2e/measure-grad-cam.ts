/**
 * Grad-CAM's cost and the two variants' agreement on real photos, in headless Chromium on wasm (printed,
 * not asserted):
 *   node --import tsx tests/e2e/measure-grad-cam.ts [--photos DIR] [--model resnet50-dr] [--weights fp16] [--runs 10]
 * Copies the photos (default ../shared/samples/eyepacs, never committed) and the ONNX model without its
 * map into build/grad-cam-measure/, then runs tests/browser/grad-cam.measure.ts in web-test-runner,
 * which serves the derived models as the browser tests do. First, what the map's nodes take inside
 * ONNX Runtime's run, from onnxruntime-node's own profile (native CPU kernels, per node).
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '../shared/samples/eyepacs' },
    model: { type: 'string', default: 'resnet50-dr' },
    weights: { type: 'string', default: 'fp16' },
    runs: { type: 'string', default: '10' },
  },
});

const OUT = 'build/grad-cam-measure';
/** The converter names the map's nodes after its output (ONNX_GRAD_CAM_OUTPUT, src/shared/model-contract.ts). */
const MAP_NODES = 'grad_cam/';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status})`);
}

function exportOnnx(file: string, gradCam: boolean): string {
  const path = join(OUT, file);
  const args = ['onnx', join('models', values.model), path, '--weights', values.weights];
  run(process.execPath, [
    '--import',
    'tsx',
    'src/pipeline/cli/export.ts',
    ...args,
    ...(gradCam ? [] : ['--no-grad-cam']),
  ]);
  return path;
}

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
}

/** Per run, from ORT's profile of `runs` runs after two: the whole run and the map's nodes, in ms. */
async function profileMapNodes(file: string, threads: number, runs: number) {
  const session = await ort.InferenceSession.create(await readFile(file), {
    enableProfiling: true,
    profileFilePrefix: join(OUT, `profile-${threads}`),
    intraOpNumThreads: threads,
  });
  const data = Float32Array.from({ length: 3 * 300 * 300 }, (_, i) => Math.sin(i) * 2);
  for (let i = 0; i < runs + 2; i++) await session.run({ input: new ort.Tensor('float32', data, [1, 3, 300, 300]) });
  session.endProfiling();
  await session.release();
  const profile = (await readdir(OUT)).find((name) => name.startsWith(`profile-${threads}`) && name.endsWith('.json'))!;
  const events = JSON.parse(await readFile(join(OUT, profile), 'utf8')) as ProfileEvent[];
  const timed = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(2);
  const map = events.filter(
    (e) => e.cat === 'Node' && e.ts >= timed[0]!.ts && e.name.startsWith(MAP_NODES) && e.name.endsWith('_kernel_time'),
  );
  const perRun = (list: ProfileEvent[]) => list.reduce((sum, e) => sum + e.dur, 0) / 1000 / timed.length;
  return { runMs: perRun(timed), mapMs: perRun(map) };
}

await rm(OUT, { recursive: true, force: true });
await mkdir(join(OUT, 'photos'), { recursive: true });
const photos = (await readdir(values.photos)).filter((name) => /\.(jpe?g|png|webp)$/i.test(name)).sort();
if (photos.length === 0) throw new Error(`no photos in ${values.photos}`);
for (const photo of photos) await copyFile(join(values.photos, photo), join(OUT, 'photos', photo));
await writeFile(
  join(OUT, 'settings.json'),
  JSON.stringify({ model: values.model, weights: values.weights, photos, runs: Number(values.runs) }),
);
exportOnnx('no-map.onnx', false);
const withMap = exportOnnx('with-map.onnx', true);
for (const threads of [1, 2]) {
  const { runMs, mapMs } = await profileMapNodes(withMap, threads, Number(values.runs));
  console.log(
    `onnxruntime-node, ${threads} thread(s), profile of ${values.runs} runs: run ${runMs.toFixed(1)} ms, ` +
      `the map's nodes ${mapMs.toFixed(2)} ms (${((100 * mapMs) / runMs).toFixed(2)} %)`,
  );
}
run('npx', ['web-test-runner', 'tests/browser/grad-cam.measure.ts', '--config', 'web-test-runner.config.mjs']);
