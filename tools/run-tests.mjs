#!/usr/bin/env node
// `npm test`: every stage in order, each runner's own output shown, then one summary line that adds up
// the counts ("N passed, N failed"). A stage that fails still lets later stages run, so one run shows
// everything that is broken; the exit code is non-zero if any stage failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir, suffix) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out.sort();
}

const node = process.execPath;
const npx = 'npx';
const only = process.argv.slice(2);

/** Each stage: how to run it and how to read its pass/fail counts from its output. */
const stages = [
  { name: 'chromium', cmd: [node, 'tools/ensure-chromium.mjs'], counts: null },
  { name: 'typecheck', cmd: [npx, 'tsc', '-b'], counts: null },
  {
    name: 'node',
    cmd: () => [node, '--import', 'tsx', '--test', '--test-reporter=spec', ...findTests('tests/node', '.test.ts')],
    counts: (out) => ({ passed: last(out, /^ℹ pass (\d+)/gm), failed: last(out, /^ℹ fail (\d+)/gm) }),
  },
  {
    name: 'browser',
    cmd: [npx, 'wtr', '--config', 'web-test-runner.config.mjs'],
    counts: (out) => ({ passed: last(out, /(\d+) passed, \d+ failed/g), failed: last(out, /\d+ passed, (\d+) failed/g) }),
  },
  { name: 'build', cmd: [node, 'build.mjs'], counts: null },
  {
    name: 'e2e',
    cmd: () => [node, '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...findTests('tests/e2e', '.e2e.ts')],
    counts: (out) => ({ passed: last(out, /^ℹ pass (\d+)/gm), failed: last(out, /^ℹ fail (\d+)/gm) }),
  },
];

function last(text, pattern) {
  const matches = [...text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').matchAll(pattern)];
  return matches.length ? Number(matches[matches.length - 1][1]) : 0;
}

function runStage(stage) {
  const [command, ...args] = typeof stage.cmd === 'function' ? stage.cmd() : stage.cmd;
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const tee = (stream, sink) => stream.on('data', (chunk) => { output += chunk; sink.write(chunk); });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

let passed = 0;
let failed = 0;
const failedStages = [];
for (const stage of stages) {
  if (only.length && !only.includes(stage.name)) continue;
  console.log(`\n=== ${stage.name} ===`);
  const started = performance.now();
  const { code, output } = await runStage(stage);
  const counts = stage.counts?.(output);
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
  }
  if (code !== 0) failedStages.push(stage.name);
  console.log(`=== ${stage.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((performance.now() - started) / 1000).toFixed(1)} s ===`);
  // Without a browser or types there is no point running what depends on them.
  if (code !== 0 && (stage.name === 'chromium' || stage.name === 'build')) break;
}
if (failedStages.length && failed === 0) failed = failedStages.length;
console.log(`\nfailed stages: ${failedStages.join(', ') || 'none'}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedStages.length ? 1 : 0);
