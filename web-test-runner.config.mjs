// Browser tests: headless Chromium (Debian's package) with WebGPU on its software adapter (SwiftShader).
// Test files and the inference worker are bundled with esbuild on request, with the production options,
// because tfjs-core's CommonJS dependencies and onnxruntime-web's .mjs defeat plain node resolution.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { browserBundleOptions, buildConfig, vendorPackages } from './tools/bundle-options.mjs';
import { chromiumArgs, chromiumPath } from './tools/chromium.mjs';
import { skipReporter } from './tools/wtr-skip-reporter.mjs';
import { cutNetwork, modelFiles, testEnvironment } from './tests/browser/serve-models.mjs';

const WORKER_URL = '/__bundle/inference.worker.js';
/**
 * The app's worker URL serves the test build of the inference worker: the production handlers plus the
 * test-only requests (workers/testing/). The production entry, as build.mjs ships it, is served too, for
 * the tests that check it answers no test-only request.
 */
const PRODUCTION_WORKER_URL = '/__bundle/inference.production.worker.js';
/** The ONNX Runtime worker the inference worker starts: its test build too (workers/testing/ort-test.worker.ts). */
const ORT_WORKER_URL = '/__bundle/ort.worker.js';
const bundledOnRequest = {
  [WORKER_URL]: 'workers/testing/inference-test.worker.ts',
  [ORT_WORKER_URL]: 'workers/testing/ort-test.worker.ts',
  [PRODUCTION_WORKER_URL]: 'workers/inference.worker.ts',
  '/__bundle/bench.worker.js': 'workers/bench.worker.ts',
};

async function bundleToString(entry) {
  const result = await esbuild.build({
    ...browserBundleOptions,
    entryPoints: [entry],
    write: false,
    outdir: 'build/wtr',
    sourcemap: 'inline',
    define: { __BUILD_CONFIG__: JSON.stringify(buildConfig(WORKER_URL, ORT_WORKER_URL)) },
  });
  return result.outputFiles.find((f) => f.path.endsWith('.js')).text;
}

/** web-test-runner plugin: serve .ts test files and worker entries as esbuild bundles. */
const esbuildBundles = {
  name: 'esbuild-bundles',
  async serve(context) {
    const entry = bundledOnRequest[context.path] ?? (context.path.endsWith('.ts') ? context.path.slice(1) : null);
    if (!entry || !existsSync(entry)) return undefined;
    return { body: await bundleToString(entry), type: 'js' };
  },
};

/** The same isolation headers the production server sends: wasm threads need SharedArrayBuffer. */
function crossOriginIsolation(context, next) {
  context.set('Cross-Origin-Opener-Policy', 'same-origin');
  context.set('Cross-Origin-Embedder-Policy', 'require-corp');
  context.set('Cross-Origin-Resource-Policy', 'same-origin');
  return next();
}

/** /vendor/<folder>/<file> → the runtime's own file in node_modules, as build.mjs copies it. */
async function vendorFiles(context, next) {
  for (const pkg of vendorPackages) {
    const prefix = `/vendor/${pkg.folder}/`;
    if (context.path.startsWith(prefix)) {
      const file = context.path.slice(prefix.length);
      if (pkg.files.includes(file)) context.path = '/' + join(pkg.from, file);
    }
  }
  await next();
  if (context.path.endsWith('.mjs')) context.type = 'text/javascript';
}

export default {
  files: ['tests/browser/**/*.test.ts'],
  nodeResolve: false,
  concurrency: 1,
  browsers: [
    chromeLauncher({ launchOptions: { executablePath: chromiumPath(), headless: true, args: chromiumArgs() } }),
  ],
  middleware: [crossOriginIsolation, vendorFiles, cutNetwork, modelFiles, testEnvironment],
  plugins: [esbuildBundles],
  // The skip reporter writes only under tools/run-tests.mjs (FG_SKIP_REPORT), for its summary.
  reporters: [defaultReporter(), skipReporter()],
  // The full ResNet50 on the software GPU takes ~50 s for one inference (see README).
  testFramework: { config: { timeout: 180000 } },
  testsFinishTimeout: 15 * 60 * 1000,
  browserStartTimeout: 60000,
};
