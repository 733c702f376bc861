import assert from 'node:assert/strict';
import { readdir, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ModelDescription, ModelManifest } from '../../../src/shared/model-manifest.js';
import type { PriorShiftRecord } from '../../../src/pipeline/cli/adjust-prior.js';
import type { EvaluationReport } from '../../../src/pipeline/evaluate/report.js';
import { readTfjsModelFiles } from '../../../src/pipeline/export/tfjs-files.js';
import { readFloat32Source } from '../../../src/pipeline/parity/float32-source.js';
import type { ParityReport } from '../../../src/pipeline/parity/run-parity.js';
import { FP32_CONVERTED_BY, type TrainingSummary } from '../../../src/pipeline/train/run-training.js';
import { cli, tempDir } from './support/cli.js';

const STEPS = [
  'data-train',
  'data-test',
  'data-extra',
  'calibrate',
  'train-a',
  'train-a2',
  'recalibrate',
  'train-b',
  'adjust-prior',
  'evaluate',
  'manifest',
  'parity',
];

/** Each step's line of a plan: name → "would run" | "skipped" | "not selected". */
function planOf(out: string): Record<string, string> {
  const plan: Record<string, string> = {};
  for (const match of out.matchAll(/^\d+\/12 ([\w-]+): .* — (would run|skipped|not selected)/gm))
    plan[match[1]!] = match[2]!;
  return plan;
}

describe('pipeline CLI: plans', () => {
  it('--help names every step and the exit statuses', async () => {
    const { code, out } = await cli('pipeline.ts', ['--help']);
    assert.equal(code, 0);
    for (const step of STEPS) assert.match(out, new RegExp(`^  ${step} `, 'm'));
    assert.match(out, /75 paused/);
  });

  it("--dry-run on an empty folder: every step would run, with the lead's defaults, and nothing is written", async () => {
    const work = await tempDir('plan');
    const { code, out } = await cli('pipeline.ts', ['--dry-run', '--work', work]);
    assert.equal(code, 0, out);
    assert.deepEqual(planOf(out), Object.fromEntries(STEPS.map((s) => [s, 'would run'])));
    assert.match(
      out,
      new RegExp(`data\\.ts --out ${work}/data/train-balanced --count 2500 --seed 11 --balance balanced`),
    );
    assert.match(
      out,
      new RegExp(`data\\.ts --out ${work}/data/synthetic-test --count 1000 --seed 2 --balance eyepacs`),
    );
    assert.match(
      out,
      new RegExp(`data\\.ts --out ${work}/data/train-extra --count 10000 --seed 21 --balance balanced`),
    );
    assert.match(
      out,
      /calibrate\.ts --data \S+\/data\/train-balanced --model resnet50 .*--resolution 128 --zero-init-residual --out \S+\/checkpoints\/stage-a-init/,
    );
    assert.match(
      out,
      /train\.ts .*--epochs 5 --mode full --resolution 128 --init \S+\/checkpoints\/stage-a-init --learning-rate 1e-3 .*--out \S+\/checkpoints\/stage-a-model /,
    );
    assert.match(
      out,
      /--checkpoint \S+\/checkpoints\/resnet50-dr-full-128px-aux-seed1\.ckpt/,
      "train.ts's own checkpoint name (with the auxiliary loss), so a hand-started run resumes",
    );
    // Stage A2 fine-tunes stage A's float32 weights (not its fp16 store) at 192 px, under its own checkpoint name.
    assert.match(
      out,
      /train\.ts .*--epochs 1 --mode full --resolution 192 --init \S+\/checkpoints\/stage-a-model-fp32 --learning-rate 1e-4 .*--out \S+\/checkpoints\/stage-a2-model --fp32-out \S+\/checkpoints\/stage-a2-model-fp32 --aux-lesions --aux-weight 5 --checkpoint \S+\/checkpoints\/resnet50-dr-refine-192px-aux-seed1\.ckpt/,
    );
    assert.match(
      out,
      /calibrate\.ts .*--init \S+\/checkpoints\/stage-a2-model --resolution 300 --out \S+\/checkpoints\/stage-a-300px/,
    );
    assert.match(
      out,
      /train\.ts .*--mode head .*--init \S+\/checkpoints\/stage-a-300px --out \S+\/checkpoints\/resnet50-dr-trained .*--extra-train \S+\/data\/train-extra --target-sensitivity 0\.97 .*--version 4 --name "ResNet50 DR grader \(synthetic demo\)" --training-data synthetic --demo/,
    );
    assert.match(
      out,
      /adjust-prior\.ts --model \S+\/checkpoints\/resnet50-dr-trained --out \S+\/models\/resnet50-dr --version 4 --fp32-out \S+\/checkpoints\/resnet50-dr-prior-fp32/,
    );
    assert.match(
      out,
      /evaluate\.ts --model \S+\/models\/resnet50-dr --data \S+\/data\/synthetic-test .*--out \S+\/models\/resnet50-dr\/evaluation/,
    );
    assert.match(out, /parity\.ts --id resnet50-dr .*--fp32 \S+\/checkpoints\/resnet50-dr-prior-fp32/);
    assert.deepEqual(await readdir(work), []);

    const without = await cli('pipeline.ts', ['--dry-run', '--work', work, '--extra-count', '0', '--force']);
    assert.equal(without.code, 0, without.out);
    assert.match(
      without.out,
      /^3\/12 data-extra: .* — skipped, nothing to do \(--extra-count 0\)$/m,
      'not even with --force',
    );
    assert.doesNotMatch(without.out, /--extra-train/);

    const unrefined = await cli('pipeline.ts', ['--dry-run', '--work', work, '--refine-epochs', '0', '--force']);
    assert.equal(unrefined.code, 0, unrefined.out);
    assert.match(unrefined.out, /^6\/12 train-a2: .* — skipped, nothing to do \(--refine-epochs 0\)$/m);
    assert.match(
      unrefined.out,
      /calibrate\.ts .*--init \S+\/checkpoints\/stage-a-model --resolution 300 /,
      'recalibrated from stage A itself',
    );
    assert.doesNotMatch(unrefined.out, /stage-a2-model/);
    assert.match(
      (await cli('pipeline.ts', ['--dry-run', '--work', work, '--refine-resolution', '224', '--refine-epochs', '2']))
        .out,
      /train\.ts .*--epochs 2 --mode full --resolution 224 .*refine-224px-aux-seed1\.ckpt/,
    );
  });

  it('--from and --only select steps; bad steps and arguments exit 2', async () => {
    const work = await tempDir('select');
    const from = planOf((await cli('pipeline.ts', ['--dry-run', '--work', work, '--from', 'evaluate'])).out);
    assert.deepEqual(
      Object.keys(from).filter((s) => from[s] === 'would run'),
      ['evaluate', 'manifest', 'parity'],
    );
    const only = planOf((await cli('pipeline.ts', ['--dry-run', '--work', work, '--only', 'data-test,parity'])).out);
    assert.deepEqual(
      Object.keys(only).filter((s) => only[s] === 'would run'),
      ['data-test', 'parity'],
    );
    assert.equal(only['train-a'], 'not selected');
    for (const args of [
      ['--from', 'nope'],
      ['--only', 'evaluate,nope'],
      ['--from', 'data-test', '--only', 'parity'],
      ['--count', '0'],
      ['--extra-count', '-1'],
      ['--extra-count', ''],
      ['--refine-epochs', '-1'],
      ['--refine-resolution', '0'],
      ['--model', 'vgg'],
      ['--bogus'],
    ]) {
      const { code, out } = await cli('pipeline.ts', ['--dry-run', '--work', work, ...args]);
      assert.equal(code, 2, `${args.join(' ')}: ${out}`);
    }
    assert.match(
      (await cli('pipeline.ts', ['--from', 'nope'])).out,
      /unknown step "nope" \(steps: data-train, data-test, data-extra, calibrate, train-a, train-a2, recalibrate/,
    );
  });
});

describe('pipeline CLI: tiny end-to-end run', () => {
  it(
    'pauses on the time budget, resumes to a model, evaluation, manifest and parity, then skips everything',
    { timeout: 240_000 },
    async () => {
      const work = await tempDir('pipeline');
      const models = join(work, 'models');
      const tiny = [
        '--work',
        work,
        '--model',
        'tiny',
        '--count',
        '40',
        '--test-count',
        '12',
        '--image-size',
        '128',
        '--resolution',
        '32',
        '--refine-resolution',
        '48',
        '--epochs',
        '1',
      ];

      const paused = await cli('pipeline.ts', [...tiny, '--time-budget', '0.001s'], 120_000);
      assert.equal(paused.code, 75, paused.out);
      assert.match(paused.out, /train-a paused — rerun `npm run pipeline` \(same options\) to resume/);
      assert.doesNotMatch(paused.out, /train-b: .*\n\$ /, 'no step after the paused one');

      const resumed = await cli('pipeline.ts', tiny, 180_000);
      assert.equal(resumed.code, 0, resumed.out);
      assert.match(resumed.out, /data-train: .* — skipped, complete \(.*holds its 40 images\)/);
      assert.match(resumed.out, /resuming at epoch 1/);
      assert.match(resumed.out, /Pipeline complete/);

      const modelDir = join(models, 'tiny-dr');
      const description = JSON.parse(await readFile(join(modelDir, 'model-info.json'), 'utf8')) as ModelDescription;
      assert.deepEqual(
        [description.id, description.version, description.name, description.trainingData, description.demo],
        ['tiny-dr', '4', 'Tiny DR grader (synthetic demo)', 'synthetic', true],
      );
      const evaluation = JSON.parse(
        await readFile(join(modelDir, 'evaluation', 'evaluation.json'), 'utf8'),
      ) as EvaluationReport;
      assert.equal(evaluation.examples, 12);
      const manifest = JSON.parse(await readFile(join(models, 'manifest.json'), 'utf8')) as ModelManifest;
      assert.deepEqual(
        manifest.models.map((m) => `${m.id}/${m.variant}-${m.weights}`),
        ['tiny-dr/tfjs-fp32', 'tiny-dr/tfjs-fp16', 'tiny-dr/onnx-fp32', 'tiny-dr/onnx-fp16'],
      );
      const parity = JSON.parse(await readFile(join(modelDir, 'evaluation', 'parity.json'), 'utf8')) as ParityReport;
      assert.equal(parity.data.images, 12);
      assert.equal(parity.float32Source?.status, 'compared');
      assert.equal(parity.comparisons[0]!.top1Agreement, 1);
      const summary = JSON.parse(
        await readFile(join(modelDir, 'training', 'training-summary.json'), 'utf8'),
      ) as TrainingSummary & { priorShift: PriorShiftRecord };
      assert.equal(summary.priorShift.trials.length, 21, 'strengths 0, 0.05, …, 1 tried');
      // Stage B learned from data-extra's images too (4 × --count), validated on the split alone.
      assert.equal(summary.data.extraTrain, 160);
      assert.ok(summary.data.train > 160 && summary.data.validation > 0);
      assert.ok(summary.priorShift.strength >= 0 && summary.priorShift.strength <= 1);

      // Stage A2 trained at its own resolution, from stage A's float32 weights.
      const refined = JSON.parse(
        await readFile(join(work, 'checkpoints', 'stage-a2-model', 'training', 'training-summary.json'), 'utf8'),
      ) as TrainingSummary;
      assert.deepEqual(
        [refined.settings.resolution, refined.settings.epochs, refined.settings.learningRate],
        [48, 1, 1e-4],
      );
      assert.equal(refined.settings.init, join(work, 'checkpoints', 'stage-a-model-fp32'));

      // Every training stage and the prior correction left the float32 weights their fp16 store was rounded from.
      const checkpoints = join(work, 'checkpoints');
      for (const [store, fp32] of [
        [join(checkpoints, 'stage-a-model'), join(checkpoints, 'stage-a-model-fp32')],
        [join(checkpoints, 'stage-a2-model'), join(checkpoints, 'stage-a2-model-fp32')],
        [join(checkpoints, 'tiny-dr-trained'), join(checkpoints, 'tiny-dr-fp32')],
        [modelDir, join(checkpoints, 'tiny-dr-prior-fp32')],
      ]) {
        const { json } = await readTfjsModelFiles(fp32!);
        assert.equal(json.convertedBy, FP32_CONVERTED_BY);
        assert.ok(
          json.weightsManifest
            .flatMap((g) => g.weights)
            .every((w) => w.dtype === 'float32' && w.quantization === undefined),
        );
        assert.equal((await readFloat32Source(store!, fp32!)).ok, true, fp32);
      }

      const again = await cli('pipeline.ts', tiny);
      assert.equal(again.code, 0, again.out);
      assert.deepEqual(planOf(again.out), Object.fromEntries(STEPS.map((s) => [s, 'skipped'])));
      assert.match(again.out, /parity: .* — skipped, complete \(.*targets (met|MISSED)\)/);

      // A retrained model makes its evaluation, manifest and parity stale.
      const later = new Date(Date.now() + 60_000);
      await utimes(join(modelDir, 'model.json'), later, later);
      const stale = planOf((await cli('pipeline.ts', [...tiny, '--dry-run'])).out);
      assert.deepEqual(
        Object.keys(stale).filter((s) => stale[s] === 'would run'),
        ['evaluate', 'manifest', 'parity'],
      );
      // A retrained stage B makes its prior correction stale.
      const latest = new Date(Date.now() + 120_000);
      await utimes(join(checkpoints, 'tiny-dr-trained', 'model.json'), latest, latest);
      const restale = planOf((await cli('pipeline.ts', [...tiny, '--dry-run'])).out);
      assert.equal(restale['adjust-prior'], 'would run');
      // A retrained stage A2 makes the 300 px recalibration stale.
      await utimes(join(checkpoints, 'stage-a2-model', 'model.json'), latest, latest);
      assert.equal(planOf((await cli('pipeline.ts', [...tiny, '--dry-run'])).out).recalibrate, 'would run');
    },
  );
});
