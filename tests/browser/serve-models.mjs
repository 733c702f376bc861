// web-test-runner middleware for the browser tests:
// - /models/ as the production build lays it out (dist/models), from models derived by the pipeline's
//   exporter into build/wtr/models (at most once per run, and only when models/manifest.json changed);
// - /__test-environment.json: switches from the environment (FG_REQUIRE_RESNET50=1).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

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
