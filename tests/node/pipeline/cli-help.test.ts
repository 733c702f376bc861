import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeSyntheticDataset } from '../../../src/pipeline/data/synthetic/dataset.js';
import type { SampleTrial } from '../../../src/pipeline/parity/sample-trial.js';
import { cli, tempDir } from './support/cli.js';

describe('export and make-tiny-model CLIs', () => {
  it('print their usage for --help and -h', async () => {
    for (const [script, flag] of [
      ['export.ts', '--help'],
      ['export.ts', '-h'],
      ['make-tiny-model.ts', '--help'],
    ] as const) {
      const { code, out } = await cli(script, [flag]);
      assert.equal(code, 0, out);
      assert.match(out, /^Usage: node --import tsx src\/pipeline\/cli\//m, `${script} ${flag}`);
    }
  });

  it('answer an unknown option or command with the usage and exit status 2', async () => {
    for (const [script, args] of [
      ['export.ts', ['derive', '--bogus']],
      ['export.ts', ['publish']],
      ['export.ts', []],
      ['make-tiny-model.ts', ['--bogus']],
    ] as const) {
      const { code, out } = await cli(script, [...args]);
      assert.equal(code, 2, `${script} ${args.join(' ')}: ${out}`);
      assert.match(out, /usage: /, `${script} ${args.join(' ')}`);
      assert.doesNotMatch(out, /at .*\.ts:\d+/, 'no stack trace');
    }
  });
});

describe('every pipeline CLI', () => {
  it(
    'answers an unknown option with exit status 2 and its usage line, without a stack trace',
    { timeout: 300_000 },
    async () => {
      const scripts = [
        'adjust-prior',
        'calibrate',
        'cross-validate',
        'data',
        'evaluate',
        'export',
        'make-tiny-model',
        'parity',
        'pipeline',
        'pipeline-real',
        'pretrained',
        'train',
        'train-real',
        'try-samples',
      ];
      for (const script of scripts) {
        const { code, out } = await cli(`${script}.ts`, ['--bogus']);
        assert.equal(code, 2, `${script}: ${out}`);
        assert.match(out, /^error: Unknown option '--bogus'/m, script);
        assert.match(out, /usage: |--help for/, script);
        assert.doesNotMatch(out, /at .*\.ts:\d+/, `${script}: no stack trace`);
      }
    },
  );
});

describe('try-samples CLI', () => {
  it('has --help and exits 0 with a message when the sample folder is missing', async () => {
    assert.equal((await cli('try-samples.ts', ['--help'])).code, 0);
    const missing = await cli('try-samples.ts', ['--samples', join(await tempDir('no-samples'), 'eyepacs')]);
    assert.equal(missing.code, 0, missing.out);
    assert.match(missing.out, /No sample folder at .*eyepacs: nothing to try/);
    assert.equal((await cli('try-samples.ts', ['--weights', 'fp8'])).code, 2);
  });

  it('grades a Kaggle-layout folder with both variants and writes the results', async () => {
    const dir = await tempDir('samples');
    await writeSyntheticDataset({
      outDir: join(dir, 'photos'),
      count: 4,
      seed: 5,
      size: 256,
      balance: 'balanced',
      format: 'png',
    });
    const out = join(dir, 'trial.json');
    const { code, out: text } = await cli('try-samples.ts', [
      '--samples',
      join(dir, 'photos'),
      '--id',
      'tiny',
      '--out',
      out,
    ]);
    assert.equal(code, 0, text);
    assert.match(text, /Variants agree on 4\/4/);
    const trial = JSON.parse(await readFile(out, 'utf8')) as SampleTrial;
    assert.equal(trial.model.id, 'tiny');
    assert.equal(trial.model.weights, 'fp16');
    assert.equal(trial.model.formsMatchManifest, true);
    assert.equal(trial.images.length, 4);
    for (const image of trial.images) {
      assert.equal(image.width, 256);
      assert.equal(image.fov.verdict, 'ok', image.image);
      assert.equal(image.tfjs.probabilities.length, 5);
      assert.ok(Math.abs(image.tfjs.probabilities.reduce((a, b) => a + b) - 1) < 1e-5);
      assert.ok(image.maxAbsDiff < 1e-4, `${image.image}: ${image.maxAbsDiff}`);
      assert.equal(image.referable.truth, image.level >= 2);
    }
  });
});
