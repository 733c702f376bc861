// esbuild options shared by the production build (build.mjs) and the browser-test bundler
// (web-test-runner.config.mjs), so that tests run the code exactly as it ships.
import { readFileSync } from 'node:fs';

const pkg = (name) =>
  JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'));

export const appVersion = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Runtime files copied verbatim (their loaders fetch them by name) into versioned, immutable folders. */
export const vendorPackages = [
  {
    // The default entry brings the webgpu EP (JSEP) and wasm; the "extern wasm" condition makes it load
    // its .mjs glue from wasmPaths instead of re-spawning our worker bundle for its threads. Two builds:
    // the JSEP one for WebGPU, the plain one (half the size) when only wasm can run
    // (workers/runtimes/ort-wasm-build.ts says why; a node test checks this list against it).
    name: 'onnxruntime-web',
    folder: `onnxruntime-web-${pkg('onnxruntime-web').version}`,
    from: 'node_modules/onnxruntime-web/dist',
    files: [
      'ort-wasm-simd-threaded.jsep.mjs',
      'ort-wasm-simd-threaded.jsep.wasm',
      'ort-wasm-simd-threaded.mjs',
      'ort-wasm-simd-threaded.wasm',
    ],
  },
  {
    name: '@tensorflow/tfjs-backend-wasm',
    folder: `tfjs-backend-wasm-${pkg('@tensorflow/tfjs-backend-wasm').version}`,
    from: 'node_modules/@tensorflow/tfjs-backend-wasm/dist',
    files: ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'],
  },
];

export const vendorUrl = (name) => `/vendor/${vendorPackages.find((p) => p.name === name).folder}/`;

/** The object src/app/build-config.ts reads. */
export function buildConfig(inferenceWorkerUrl, ortWorkerUrl) {
  return {
    version: appVersion,
    inferenceWorkerUrl,
    ortWorkerUrl,
    tfjsWasmPath: vendorUrl('@tensorflow/tfjs-backend-wasm'),
    ortWasmPath: vendorUrl('onnxruntime-web'),
  };
}

export const browserBundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome113', 'safari17', 'firefox120'],
  conditions: ['onnxruntime-web-use-extern-wasm'],
  legalComments: 'none',
  logLevel: 'warning',
};
