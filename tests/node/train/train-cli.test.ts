import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { writeSyntheticDataset } from '../../../src/pipeline/data/synthetic/dataset.js';

const run = promisify(execFile);

/** Runs a CLI with tsx; resolves with its exit code and output whatever the code. */
async function cli(script: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `src/pipeline/cli/${script}`, ...args], { timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('train and evaluate CLIs (tiny model, synthetic data)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fg-train-cli-'));
    for (const [name, seed] of [['train', 1], ['test', 2]] as const) {
      await writeSyntheticDataset({ outDir: join(dir, name), count: 20, seed, size: 96, balance: 'balanced', format: 'png' });
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('pause on a time budget (exit 75), resume, export, then evaluate', async () => {
    const args = [
      ...['--data', join(dir, 'train'), '--model', 'tiny', '--resolution', '32', '--epochs', '2', '--batch-size', '8'],
      ...['--cache', join(dir, 'cache'), '--checkpoint', join(dir, 'tiny.ckpt'), '--out', join(dir, 'model')],
    ];
    const paused = await cli('train.ts', [...args, '--time-budget', '0.001s']);
    assert.equal(paused.code, 75, paused.out);
    assert.match(paused.out, /Time budget spent: checkpoint .*tiny\.ckpt holds the run/);
    await assert.rejects(stat(join(dir, 'model', 'model.json')), 'nothing exported while paused');

    const resumed = await cli('train.ts', args);
    assert.equal(resumed.code, 0, resumed.out);
    assert.match(resumed.out, /resuming at epoch 1, step 1\/\d/);
    assert.match(resumed.out, /Finished \(max-epochs\)/);
    const summary = JSON.parse(await readFile(join(dir, 'model', 'training', 'training-summary.json'), 'utf8'));
    assert.equal(summary.history.length, 2);
    assert.equal(summary.referralThreshold.chosenOn, 'validation');

    const evaluated = await cli('evaluate.ts', ['--model', join(dir, 'model'), '--data', join(dir, 'test'), '--cache', join(dir, 'cache'), '--out', join(dir, 'report')]);
    assert.equal(evaluated.code, 0, evaluated.out);
    const report = JSON.parse(await readFile(join(dir, 'report', 'evaluation.json'), 'utf8'));
    assert.equal(report.examples, 20);
    assert.equal(report.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0), 20);
    assert.equal(report.referable.atValidationThreshold.threshold, summary.referralThreshold.threshold);
    for (const png of ['confusion-matrix.png', 'training-loss.png', 'training-accuracy.png']) {
      assert.ok((await stat(join(dir, 'report', png))).size > 1000, png);
    }
  });

  it('reject bad arguments with exit status 2', async () => {
    const { code, out } = await cli('train.ts', ['--data', dir, '--mode', 'head']);
    assert.equal(code, 2);
    assert.match(out, /--mode head needs --init/);
  });
});
