#!/usr/bin/env node
// Production build: bundles the page, the workers (inference, ONNX Runtime, bench, service worker) with esbuild,
// copies static files, runtime wasm and models into dist/, injects the precache manifest, precompresses,
// and prints a size report. Written as a list of steps; each step is a small function. Any failure exits 1.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import * as esbuild from 'esbuild';
import { injectManifest } from 'workbox-build';
import { appVersion, browserBundleOptions, buildConfig, vendorPackages } from './tools/bundle-options.mjs';

const DIST = 'dist';
const ASSETS = join(DIST, 'assets');
const SERVER_OUT = 'build/server.mjs';

const pages = [
  { html: 'index.html', entry: 'src/app/main.ts', name: 'app' },
  { html: 'bench.html', entry: 'src/app/bench/main.ts', name: 'bench' },
];
const workers = [
  { entry: 'workers/inference.worker.ts', name: 'inference.worker' },
  // Started by the inference worker (a nested worker): its URL reaches it in InitParams.ortWorkerUrl.
  { entry: 'workers/ort.worker.ts', name: 'ort.worker' },
  { entry: 'workers/bench.worker.ts', name: 'bench.worker' },
];
/** Static files that get a content hash in their name (the HTML refers to them by placeholder). */
const hashedStatic = [{ file: 'app.css', placeholder: '%APP_CSS%' }];
const compressible = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.svg',
  '.webmanifest',
  '.txt',
  '.wasm',
  '.map',
]);
/** Files that change without changing their name: the service worker must revalidate them. */
const precacheGlobs = ['**/*.{html,js,mjs,css,json,webmanifest,png,svg,ico,wasm,bin,onnx}'];
/** Files whose URL already changes with their content: workbox must not add ?__WB_REVISION__. */
const immutableUrl = /(-[A-Za-z0-9_]{8,}\.\w+$)|(^vendor\/)|(^models\/[^/]+\/[^/]+\/)/;

const timings = [];
async function step(name, fn) {
  const started = performance.now();
  const result = await fn();
  timings.push([name, performance.now() - started]);
  return result;
}

const contentHash = (bytes) => createHash('sha256').update(bytes).digest('base64url').slice(0, 10);

/** entries: [{ name, entry }]; returns name → public URL of the hashed output. */
async function bundle(entries, options) {
  const result = await esbuild.build({
    ...browserBundleOptions,
    entryPoints: entries.map(({ name, entry }) => ({ in: entry, out: name })),
    outdir: ASSETS,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    ...options,
  });
  const urls = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    const entry = entries.find((e) => e.entry === meta.entryPoint);
    if (entry) urls[entry.name] = '/' + relative(DIST, out);
  }
  return urls;
}

const buildWorkers = () => bundle(workers);

function buildPages(workerUrls) {
  const config = {
    ...buildConfig(workerUrls['inference.worker'], workerUrls['ort.worker']),
    benchWorkerUrl: workerUrls['bench.worker'],
  };
  const define = { __BUILD_CONFIG__: JSON.stringify(config) };
  return bundle(pages, { define, splitting: true });
}

async function copyTree(from, to, filter = () => true) {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await copyTree(source, target, filter);
    else if (filter(source)) {
      await mkdir(dirname(target), { recursive: true });
      await copyFile(source, target);
    }
  }
}

async function copyStatic(pageUrls) {
  const replacements = { '%APP_JS%': pageUrls.app, '%BENCH_JS%': pageUrls.bench };
  for (const { file, placeholder } of hashedStatic) {
    const bytes = await readFile(join('static', file));
    const ext = extname(file);
    const name = `${file.slice(0, -ext.length)}-${contentHash(bytes)}${ext}`;
    await writeFile(join(ASSETS, name), bytes);
    replacements[placeholder] = `/assets/${name}`;
  }
  const skip = new Set(hashedStatic.map((h) => join('static', h.file)));
  await copyTree('static', DIST, (source) => !skip.has(source) && !source.endsWith('.html'));
  for (const file of (await readdir('static')).filter((f) => f.endsWith('.html'))) {
    let html = await readFile(join('static', file), 'utf8');
    for (const [placeholder, url] of Object.entries(replacements)) html = html.replaceAll(placeholder, url);
    const leftover = html.match(/%[A-Z_]+%/);
    if (leftover) throw new Error(`static/${file}: unknown placeholder ${leftover[0]}`);
    await writeFile(join(DIST, file), html);
  }
}

async function copyVendor() {
  for (const pkg of vendorPackages) {
    for (const file of pkg.files) {
      const target = join(DIST, 'vendor', pkg.folder, file);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(pkg.from, file), target);
    }
  }
}

/** Models: derived from the canonical fp16 store by the pipeline's exporter, hashes checked. */
async function deriveModels() {
  if (!existsSync('models/manifest.json')) return 'no models/manifest.json: building without models';
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/pipeline/cli/export.ts', 'derive', '--out', join(DIST, 'models')],
    {
      stdio: 'inherit',
    },
  );
  if (run.status !== 0) throw new Error('model derivation failed (see above)');
  return 'models derived and verified';
}

async function buildServiceWorker() {
  // The service worker keeps its own copy of the offline page: Cache Storage (the precached one) can be
  // cleared under it, its script cannot (docs/offline.md).
  const offlineHtml = await readFile(join('static', 'offline.html'), 'utf8');
  await esbuild.build({
    ...browserBundleOptions,
    entryPoints: ['workers/sw.ts'],
    outfile: join(DIST, 'sw.js'),
    format: 'iife',
    minify: true,
    define: { __APP_VERSION__: JSON.stringify(appVersion), __OFFLINE_HTML__: JSON.stringify(offlineHtml) },
  });
  // Each entry's sha256 as `integrity`: the install, Workbox's network fallback and the service worker's
  // repair of a deleted offline copy then store only the bytes of this build (a file replaced by a later
  // deploy is refused), and Workbox puts a missing file back when it is fetched.
  const withIntegrity = async (entries) => ({
    manifest: await Promise.all(
      entries.map(async (entry) => ({
        ...entry,
        integrity: `sha256-${createHash('sha256')
          .update(await readFile(join(DIST, decodeURIComponent(entry.url))))
          .digest('base64')}`,
      })),
    ),
    warnings: [],
  });
  const { count, size, warnings } = await injectManifest({
    swSrc: join(DIST, 'sw.js'),
    swDest: join(DIST, 'sw.js'),
    globDirectory: DIST,
    globPatterns: precacheGlobs,
    globIgnores: ['sw.js', '**/*.map', '**/*.br', '**/*.gz', 'models/**/*-fp32/**'],
    dontCacheBustURLsMatching: immutableUrl,
    // The runtimes' wasm (up to 28 MB) and model shards must be precached for airplane mode.
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    manifestTransforms: [withIntegrity],
  });
  if (warnings.length) throw new Error(`workbox: ${warnings.join('; ')}`);
  return { count, size };
}

async function listFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out.sort();
}

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

async function precompress() {
  const files = (await listFiles(DIST)).filter((f) => compressible.has(extname(f)));
  await Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(file);
      // Brotli's best level costs ~45 s on the 28 MB ORT wasm; level 9 is within 15 % of it in 2 s.
      const quality = bytes.length > 2 * 1024 * 1024 ? 9 : 11;
      const [br, gzipped] = await Promise.all([
        brotli(bytes, {
          params: {
            [zlibConstants.BROTLI_PARAM_QUALITY]: quality,
            [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        }),
        gz(bytes, { level: 9 }),
      ]);
      // A variant that saves nothing is not worth a second file.
      if (br.length < bytes.length * 0.95) await writeFile(`${file}.br`, br);
      if (gzipped.length < bytes.length * 0.95) await writeFile(`${file}.gz`, gzipped);
    }),
  );
  return files.length;
}

async function buildServer() {
  await esbuild.build({
    entryPoints: ['src/server/main.ts'],
    outfile: SERVER_OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`.padStart(12);
}

async function sizeReport() {
  const rows = [];
  let total = 0;
  for (const file of await listFiles(DIST)) {
    if (file.endsWith('.br') || file.endsWith('.gz') || file.endsWith('.map')) continue;
    const size = (await stat(file)).size;
    const br = existsSync(`${file}.br`) ? (await stat(`${file}.br`)).size : null;
    total += size;
    rows.push(`${kib(size)} ${br === null ? ' '.repeat(12) : kib(br)}  ${relative(DIST, file)}`);
  }
  console.log(`\n${'raw'.padStart(12)} ${'brotli'.padStart(12)}  file`);
  console.log(rows.join('\n'));
  console.log(`${kib(total)} total\n`);
}

async function main() {
  const started = performance.now();
  await step('clean', () => rm(DIST, { recursive: true, force: true }));
  await mkdir(ASSETS, { recursive: true });
  const workerUrls = await step('bundle workers', buildWorkers);
  const pageUrls = await step('bundle pages', () => buildPages(workerUrls));
  await step('copy static', () => copyStatic(pageUrls));
  await step('copy vendor', copyVendor);
  const models = await step('models', deriveModels);
  const sw = await step('service worker', buildServiceWorker);
  const compressed = await step('precompress', precompress);
  await step('server', buildServer);
  await sizeReport();
  for (const [name, ms] of timings) console.log(`${name.padEnd(16)} ${(ms / 1000).toFixed(2)} s`);
  console.log(
    `${models}; precache: ${sw.count} files, ${(sw.size / 1048576).toFixed(1)} MiB; ${compressed} files precompressed`,
  );
  console.log(`build done in ${((performance.now() - started) / 1000).toFixed(1)} s → ${DIST}/ and ${SERVER_OUT}`);
}

main().catch((error) => {
  console.error(`build failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
