#!/usr/bin/env node
// `npm test`: every stage in order, each runner's own output shown, then a table of the stages (passed,
// failed, skipped, time), what was skipped and why, and one summary line that adds up the counts:
// "N passed, N failed, N skipped". A stage that fails still lets later stages run, so one run shows
// everything that is broken; the exit code is non-zero if any stage failed.
//
// Set-up stages come first: "chromium" (the browser the browser and e2e tests drive) and "tools" (the
// command-line tools some Node tests drive: tools/ensure-test-tools.mjs). Tests install nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Arguments: stage names run only those stages; paths (with a '/') run only the test files under them,
// e.g. `node tools/run-tests.mjs tools node tests/node/deploy`.
const args = process.argv.slice(2);
const only = args.filter((arg) => !arg.includes('/'));
const paths = args.filter((arg) => arg.includes('/')).map((arg) => arg.replace(/\/+$/, ''));
const selected = (file) => !paths.length || paths.some((path) => file === path || file.startsWith(`${path}/`));

function findTests(dir, suffix) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && entry.name.endsWith(suffix) && selected(file)) out.push(file);
  }
  return out.sort();
}

const node = process.execPath;
const npx = 'npx';
/** Where the skip reporters write one JSON line ({ where, reason }) per skipped test or suite. */
const skipDir = mkdtempSync(join(tmpdir(), 'fg-test-skips-'));
const skipFile = (stage) => join(skipDir, `${stage}.jsonl`);

/** node:test with the spec reporter on screen and the skip reporter into the stage's skip file. */
const nodeTest = (stage, files, ...flags) => [
  node,
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=./tools/node-skip-reporter.mjs',
  `--test-reporter-destination=${skipFile(stage)}`,
  ...flags,
  ...files,
];

const nodeCounts = (out) => ({
  passed: last(out, /^ℹ pass (\d+)/gm),
  failed: last(out, /^ℹ fail (\d+)/gm),
  skipped: last(out, /^ℹ skipped (\d+)/gm),
});

/** Each stage: how to run it and how to read its pass/fail/skip counts from its output. */
const stages = [
  { name: 'chromium', cmd: [node, 'tools/ensure-chromium.mjs'], counts: null },
  { name: 'typecheck', cmd: [npx, 'tsc', '-b'], counts: null },
  // Type-aware typescript-eslint (no-floating-promises, no-misused-promises…) and Prettier's check.
  { name: 'lint', cmd: [npx, 'eslint', '.'], counts: null },
  { name: 'format', cmd: [npx, 'prettier', '--check', '.'], counts: null },
  { name: 'tools', cmd: [node, 'tools/ensure-test-tools.mjs'], counts: null },
  {
    name: 'node',
    files: () => findTests('tests/node', '.test.ts'),
    cmd: (files) => nodeTest('node', files),
    counts: nodeCounts,
  },
  {
    name: 'browser',
    files: () => findTests('tests/browser', '.test.ts'),
    // The config's own file list unless paths were given.
    cmd: (files) => [
      npx,
      'wtr',
      '--config',
      'web-test-runner.config.mjs',
      ...(paths.length ? ['--files', ...files] : []),
    ],
    env: { FG_SKIP_REPORT: skipFile('browser') },
    // The progress line, redrawn as tests finish: "N passed, N failed" and, when any, ", N skipped".
    counts: (out) => {
      const [, passed = 0, failed = 0, skipped = 0] =
        lastMatch(out, /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g) ?? [];
      return { passed: Number(passed), failed: Number(failed), skipped: Number(skipped) };
    },
  },
  { name: 'build', cmd: [node, 'build.mjs'], counts: null },
  {
    name: 'e2e',
    files: () => findTests('tests/e2e', '.e2e.ts'),
    cmd: (files) => nodeTest('e2e', files, '--test-concurrency=1'),
    counts: nodeCounts,
  },
];

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const plain = (text) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

function lastMatch(text, pattern) {
  const matches = [...plain(text).matchAll(pattern)];
  return matches.length ? matches[matches.length - 1] : null;
}

function last(text, pattern) {
  const match = lastMatch(text, pattern);
  return match ? Number(match[1]) : 0;
}

/** What the stage's skip reporter wrote: [{ where, reason }]. */
function readSkips(stage) {
  const file = skipFile(stage);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return { where: line, reason: '' };
      }
    });
}

function runStage(stage, files) {
  const [command, ...args] = typeof stage.cmd === 'function' ? stage.cmd(files) : stage.cmd;
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...stage.env } });
    let output = '';
    const tee = (stream, sink) =>
      stream.on('data', (chunk) => {
        output += chunk;
        sink.write(chunk);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('error', (error) => {
      output += String(error);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Rows of cells → aligned text lines (numbers right-aligned). */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows.map((row) =>
    row
      .map((cell, i) =>
        typeof cell === 'number' || /^[\d.]+ s$|^-$/.test(cell)
          ? String(cell).padStart(widths[i])
          : String(cell).padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd(),
  );
}

const results = [];
for (const stage of stages) {
  if (only.length && !only.includes(stage.name)) continue;
  const files = stage.files?.();
  if (files && !files.length) {
    console.log(`\n=== ${stage.name}: no test files under ${paths.join(', ')} ===`);
    continue;
  }
  console.log(`\n=== ${stage.name} ===`);
  const started = performance.now();
  const { code, output } = await runStage(stage, files);
  const seconds = (performance.now() - started) / 1000;
  const counts = stage.counts?.(output) ?? null;
  const skips = readSkips(stage.name);
  // node:test counts skipped tests but not skipped suites; the reporter lists both.
  if (counts) counts.skipped = Math.max(counts.skipped, skips.length);
  results.push({ name: stage.name, code, seconds, counts, skips });
  console.log(`=== ${stage.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s ===`);
  // Without a browser or types there is no point running what depends on them.
  if (code !== 0 && (stage.name === 'chromium' || stage.name === 'build')) break;
}
rmSync(skipDir, { recursive: true, force: true });

const total = (key) => results.reduce((sum, r) => sum + (r.counts?.[key] ?? 0), 0);
const failedStages = results.filter((r) => r.code !== 0).map((r) => r.name);
const passed = total('passed');
let failed = total('failed');
const skipped = total('skipped');
if (failedStages.length && failed === 0) failed = failedStages.length;

console.log('\n=== summary ===');
const dash = (value) => (value === undefined ? '-' : value);
console.log(
  table([
    ['stage', 'result', 'passed', 'failed', 'skipped', 'time'],
    ...results.map((r) => [
      r.name,
      r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`,
      dash(r.counts?.passed),
      dash(r.counts?.failed),
      dash(r.counts?.skipped),
      `${r.seconds.toFixed(1)} s`,
    ]),
  ]).join('\n'),
);

const allSkips = results.flatMap((r) => r.skips.map((s) => ({ stage: r.name, ...s })));
if (allSkips.length) {
  console.log(`\nskipped, and why:`);
  for (const { stage, where, reason } of allSkips) console.log(`  ${stage}: ${where} — ${reason || 'no reason given'}`);
  // "<tool> not found: ..." is how a test that lacks a tool says so (tools/test-tools.mjs).
  const tools = new Map();
  for (const { reason } of allSkips) {
    const tool = /^(\S+) not found\b/.exec(reason ?? '')?.[1];
    if (tool) tools.set(tool, (tools.get(tool) ?? 0) + 1);
  }
  if (tools.size) console.log(`missing tools: ${[...tools].map(([tool, n]) => `${tool} (${n} skipped)`).join(', ')}`);
}
console.log(`\nfailed stages: ${failedStages.join(', ') || 'none'}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedStages.length ? 1 : 0);
