// web-test-runner middleware for the browser tests:
// - /models/ as the production build lays it out (dist/models), from models derived by the pipeline's
//   exporter into build/wtr/models (at most once per run, and only when models/manifest.json changed);
// - /__test-environment.json: switches from the environment (FG_REQUIRE_RESNET50=1);
// - /__cut-network/<key>/models/…: the same models, but each weights file's download is cut off part-way
//   (as a lost connection does) until /__cut-network/<key>/restore is requested.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';

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

/** Keys of /__cut-network/<key>/ whose connection is back. */
const restored = new Set();

/**
 * A file's bytes up to `limit`, then the connection is destroyed: the client's read fails mid-body, as
 * with a lost network (a stream error alone would let the server end the response cleanly, short).
 */
function cutStream(path, limit, response) {
  const source = createReadStream(path, { end: limit - 1 });
  return Readable.from(
    (async function* () {
      for await (const chunk of source) yield chunk;
      await new Promise((resolve) => setTimeout(resolve, 50));
      response.destroy();
    })(),
  );
}

export async function cutNetwork(context, next) {
  const match = /^\/__cut-network\/([\w-]+)\/(restore|models\/.*)$/.exec(context.path);
  if (!match) return next();
  const [, key, rest] = match;
  if (rest === 'restore') {
    restored.add(key);
    context.body = 'restored';
    return;
  }
  context.path = `/${rest}`;
  const weights = /\.(bin|onnx)$/.test(rest);
  if (restored.has(key) || !weights) return modelFiles(context, next);
  await modelFiles(context, async () => undefined);
  const file = `.${context.path}`;
  if (!existsSync(file)) return next();
  context.type = 'application/octet-stream';
  // Half of the file arrives, then the connection is lost.
  context.body = cutStream(file, Math.max(1, Math.floor(statSync(file).size / 2)), context.res);
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
