// web-test-runner middleware for the browser tests:
// - /models/ as the production build lays it out (dist/models), from models derived by the pipeline's
//   exporter into build/wtr/models (at most once per run, and only when models/manifest.json changed);
// - /__test-environment.json: switches from the environment (FG_REQUIRE_RESNET50=1);
// - /__cut-network/<key>/models/…: the same models, but each weights file's download is cut off half-way
//   (the connection is destroyed, as when the server dies) until /__cut-network/<key>/restore is
//   requested. Weights files carry ETag and Last-Modified and answer `Range: bytes=N-` (with If-Range) with
//   206, or, as /__cut-network/<key>/configure?range= says, ignore it ('ignore': 200) or corrupt the rest
//   ('corrupt'); `configure?cut=<regex>` cuts only the weights files whose path matches.
//   /__cut-network/<key>/log answers what was asked and served, in order.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

const OUT = 'build/wtr/models';
let ready = false;

function deriveModels() {
  const manifest = (dir) => (existsSync(`${dir}/manifest.json`) ? readFileSync(`${dir}/manifest.json`, 'utf8') : null);
  if (manifest(OUT) !== null && manifest(OUT) === manifest('models')) return;
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/pipeline/cli/export.ts', 'derive', '--out', OUT], {
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error('deriving the models for the browser tests failed (see above)');
}

/** Per key of /__cut-network/<key>/: what to cut, how to answer ranges, what was served. */
const networks = new Map();

function networkOf(key) {
  let network = networks.get(key);
  if (!network) {
    network = { cut: /\.(bin|onnx)$/, restored: false, range: 'honour', log: [] };
    networks.set(key, network);
  }
  return network;
}

/**
 * A weights file as a static server with ranges serves it, cut half-way (of what was asked) while the
 * network is. Written straight to the response: the test runner's own middleware would otherwise make it
 * cacheable, and Chromium's HTTP cache resumes a cut cacheable download by itself, hiding what the app does.
 */
function serveWeights(context, network, file) {
  const { size, mtimeMs } = statSync(file);
  const etag = `"${size.toString(36)}-${Math.floor(mtimeMs).toString(36)}"`;
  const lastModified = new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString();
  const range = context.get('Range') || null;
  const ifRange = context.get('If-Range') || null;
  const served = { path: context.path, range, ifRange, status: 200, sent: 0, cut: false };
  network.log.push(served);
  context.respond = false;
  const res = context.res;

  const from = /^bytes=(\d+)-$/.exec(range ?? '');
  const honoured =
    from && network.range !== 'ignore' && (!ifRange || ifRange === etag || ifRange === lastModified)
      ? Number(from[1])
      : null;
  if (honoured !== null && honoured >= size) {
    served.status = 416;
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Cache-Control': 'no-store', 'Content-Length': 0 });
    res.end();
    return;
  }
  const start = honoured ?? 0;
  const bytes = readFileSync(file).subarray(start);
  served.status = honoured === null ? 200 : 206;
  res.writeHead(served.status, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': bytes.length,
    ETag: etag,
    'Last-Modified': lastModified,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    ...(honoured === null ? {} : { 'Content-Range': `bytes ${start}-${size - 1}/${size}` }),
  });
  if (!network.restored && network.cut.test(context.path)) {
    // Half of what was asked arrives, then the connection is destroyed: the client's read fails mid-body,
    // as when the server dies (ending the response would let it end cleanly, short).
    served.cut = true;
    served.sent = Math.max(1, Math.floor(bytes.length / 2));
    res.write(bytes.subarray(0, served.sent));
    setTimeout(() => res.destroy(), 50);
    return;
  }
  if (honoured !== null && network.range === 'corrupt') for (let i = 0; i < bytes.length; i += 97) bytes[i] ^= 0xff;
  served.sent = bytes.length;
  res.end(bytes);
}

export async function cutNetwork(context, next) {
  const match = /^\/__cut-network\/([\w-]+)\/(restore|configure|log|models\/.*)$/.exec(context.path);
  if (!match) return next();
  const [, key, rest] = match;
  const network = networkOf(key);
  if (rest === 'restore' || rest === 'configure') {
    if (rest === 'restore') network.restored = true;
    const cut = context.query.cut;
    const range = context.query.range;
    if (typeof cut === 'string') network.cut = new RegExp(cut);
    if (typeof range === 'string') network.range = range;
    context.body = rest;
    return;
  }
  if (rest === 'log') {
    context.body = network.log;
    return;
  }
  context.path = `/${rest}`;
  if (!/\.(bin|onnx)$/.test(rest)) return modelFiles(context, next);
  await modelFiles(context, async () => undefined);
  const file = `.${context.path}`;
  if (!existsSync(file)) return next();
  serveWeights(context, network, file);
}

export async function modelFiles(context, next) {
  if (context.path.startsWith('/models/')) {
    if (!ready) {
      deriveModels();
      ready = true;
    }
    context.path = `/${OUT}${context.path.slice('/models'.length)}`;
  }
  return next();
}

/** Test settings from the environment of the process running the tests, for the browser to read. */
export async function testEnvironment(context, next) {
  if (context.path !== '/__test-environment.json') return next();
  context.type = 'application/json';
  context.body = JSON.stringify({ requireResnet50: process.env.FG_REQUIRE_RESNET50 === '1' });
}
