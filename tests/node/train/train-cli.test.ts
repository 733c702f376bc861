import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { LESIONS_FILE, writeSyntheticDataset } from '../../../src/pipeline/data/synthetic/dataset.js';
import type { PriorShiftRecord } from '../../../src/pipeline/cli/adjust-prior.js';
import type { EvaluationReport } from '../../../src/pipeline/evaluate/report.js';
import { readTfjsModel, type TfjsModelJson } from '../../../src/pipeline/export/tfjs-files.js';
import { saveLayersModel } from '../../../src/pipeline/export/tfjs-model-io.js';
import { readFloat32Source } from '../../../src/pipeline/parity/float32-source.js';
import { buildTinyClassifier } from '../../../src/pipeline/model/tiny-classifier.js';
import type { TrainingSummary } from '../../../src/pipeline/train/run-training.js';
import type { ModelDescription } from '../../../src/shared/model-manifest.js';

const run = promisify(execFile);

/** training-summary.json as adjust-prior rewrites it. */
type PriorShiftedSummary = TrainingSummary & { priorShift: PriorShiftRecord };

/** Runs a CLI with tsx; resolves with its exit code and output whatever the code. */
async function cli(script: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `src/pipeline/cli/${script}`, ...args], {
      timeout: 60_000,
    });
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
    for (const [name, seed] of [
      ['train', 1],
      ['test', 2],
    ] as const) {
      await writeSyntheticDataset({
        outDir: join(dir, name),
        count: 20,
        seed,
        size: 96,
        balance: 'balanced',
        format: 'png',
      });
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
    const summary = JSON.parse(
      await readFile(join(dir, 'model', 'training', 'training-summary.json'), 'utf8'),
    ) as TrainingSummary;
    assert.equal(summary.history.length, 2);
    assert.equal(summary.referralThreshold.chosenOn, 'validation');

    const evaluated = await cli('evaluate.ts', [
      '--model',
      join(dir, 'model'),
      '--data',
      join(dir, 'test'),
      '--cache',
      join(dir, 'cache'),
      '--out',
      join(dir, 'report'),
    ]);
    assert.equal(evaluated.code, 0, evaluated.out);
    const report = JSON.parse(await readFile(join(dir, 'report', 'evaluation.json'), 'utf8')) as EvaluationReport;
    assert.equal(report.examples, 20);
    assert.equal(
      report.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0),
      20,
    );
    assert.equal(report.referable.atValidationThreshold!.threshold, summary.referralThreshold.threshold);
    for (const png of ['confusion-matrix.png', 'training-loss.png', 'training-accuracy.png']) {
      assert.ok((await stat(join(dir, 'report', png))).size > 1000, png);
    }
  });

  it('adjust-prior folds a validated prior shift into the output bias, once', async () => {
    const help = await cli('adjust-prior.ts', ['--help']);
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /^Usage: node --import tsx src\/pipeline\/cli\/adjust-prior\.ts --model DIR --out DIR/m);
    const model = join(dir, 'model');
    const inPlace = await cli('adjust-prior.ts', ['--model', model, '--out', model]);
    assert.equal(inPlace.code, 2, inPlace.out);
    assert.match(inPlace.out, /rewriting .*model in place needs a --version other than its own \(1\)/);

    const out = join(dir, 'model-prior');
    const fp32Out = join(dir, 'model-prior-fp32');
    const run = await cli('adjust-prior.ts', [
      '--model',
      model,
      '--out',
      out,
      '--fp32-out',
      fp32Out,
      '--version',
      '2',
      '--cache',
      join(dir, 'cache'),
    ]);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Chosen strength [\d.]+: logit offsets/);
    const summary = JSON.parse(
      await readFile(join(out, 'training', 'training-summary.json'), 'utf8'),
    ) as PriorShiftedSummary;
    const original = JSON.parse(
      await readFile(join(model, 'training', 'training-summary.json'), 'utf8'),
    ) as TrainingSummary;
    assert.equal(summary.description.version, '2');
    const info = JSON.parse(await readFile(join(out, 'model-info.json'), 'utf8')) as ModelDescription;
    assert.equal(info.version, '2');
    // The app refers on the rechosen threshold; a split without referable eyes has none (NaN → null in JSON).
    const threshold = summary.referralThreshold.threshold;
    assert.equal(info.referralThreshold, threshold > 0 && threshold < 1 ? threshold : undefined);
    assert.deepEqual(summary.priorShift.before.validation, original.validation);
    const { strength, logitOffsets, trainingPrior, deploymentPrior } = summary.priorShift;
    logitOffsets.forEach((c: number, k: number) =>
      assert.ok(Math.abs(c - strength * Math.log(deploymentPrior[k]! / trainingPrior[k]!)) < 1e-9),
    );
    assert.equal(summary.referralThreshold.chosenOn, 'validation');

    // Only the output bias moved, by exactly the offsets; the fp16 store is the new float32 rounded.
    const [before, after] = await Promise.all([readTfjsModel(original.settings.fp32OutDir), readTfjsModel(fp32Out)]);
    for (const weight of after.weights) {
      const old = before.weights.find((w) => w.name === weight.name)!;
      const expected =
        weight.name === 'predictions/bias' ? old.values.map((v, k) => Math.fround(v + logitOffsets[k]!)) : old.values;
      assert.ok(
        weight.values.every((v, i) => Math.abs(v - expected[i]!) < 1e-6),
        weight.name,
      );
    }
    assert.equal((await readFloat32Source(out, fp32Out)).ok, true);

    const twice = await cli('adjust-prior.ts', ['--model', out, '--out', join(dir, 'model-prior-2')]);
    assert.equal(twice.code, 2, twice.out);
    assert.match(twice.out, /is already corrected \(strength [\d.]+\); run this on the model as training left it/);
    assert.match(
      (await cli('adjust-prior.ts', ['--model', model, '--out', out, '--prior', '1,0,0,0,0'])).out,
      /--prior needs five shares above 0/,
    );
  });

  it('--extra-train adds images to training only; the split and its validation stay as they were', async () => {
    const out = join(dir, 'model-extra');
    const args = [
      ...[
        '--data',
        join(dir, 'train'),
        '--extra-train',
        join(dir, 'test'),
        '--model',
        'tiny',
        '--resolution',
        '32',
        '--epochs',
        '1',
        '--batch-size',
        '8',
      ],
      ...[
        '--cache',
        join(dir, 'cache'),
        '--checkpoint',
        join(dir, 'tiny-extra.ckpt'),
        '--out',
        out,
        '--fp32-out',
        join(dir, 'model-extra-fp32'),
      ],
    ];
    const run = await cli('train.ts', args);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /Extra training data: 20 images from .*test \(training only\)/);
    const summaryOf = async (folder: string) =>
      JSON.parse(await readFile(join(folder, 'training', 'training-summary.json'), 'utf8')) as TrainingSummary;
    const [summary, plain] = await Promise.all([summaryOf(out), summaryOf(join(dir, 'model'))]);
    assert.equal(summary.data.extraTrain, 20);
    assert.equal(summary.data.train, plain.data.train + 20);
    assert.equal(summary.data.validation, plain.data.validation);
    // The test folder is balanced: four more images of every grade.
    assert.deepEqual(
      summary.data.perGradeTrain,
      plain.data.perGradeTrain.map((n: number) => n + 4),
    );
    assert.deepEqual(summary.settings.extraTrainDirs, [join(dir, 'test')]);

    const itself = await cli('train.ts', [...args.slice(0, 3), join(dir, 'train'), ...args.slice(4)]);
    assert.equal(itself.code, 1, itself.out);
    assert.match(itself.out, /--extra-train .*train is the --data folder itself/);
    // A link to the data folder is the data folder; a folder whose files are the validation images
    // (here: hard links to every file of --data) is refused too.
    await symlink(join(dir, 'train'), join(dir, 'train-link'));
    const linked = await cli('train.ts', [...args.slice(0, 3), join(dir, 'train-link'), ...args.slice(4)]);
    assert.equal(linked.code, 1, linked.out);
    assert.match(linked.out, /train-link is the --data folder itself/);
    const sharing = join(dir, 'sharing');
    await mkdir(sharing);
    for (const name of await readdir(join(dir, 'train'))) await link(join(dir, 'train', name), join(sharing, name));
    const shares = await cli('train.ts', [...args.slice(0, 3), sharing, ...args.slice(4)]);
    assert.equal(shares.code, 1, shares.out);
    assert.match(
      shares.out,
      /--extra-train .*sharing lists .*sharing\/\d+_(left|right)\.png, an image of the validation split/,
    );
    const withAux = await cli('train.ts', [...args, '--aux-lesions']);
    assert.equal(withAux.code, 1, withAux.out);
    assert.match(withAux.out, /cannot be combined with extra training folders/);
  });

  it('reject bad arguments with exit status 2', async () => {
    const { code, out } = await cli('train.ts', ['--data', dir, '--mode', 'head']);
    assert.equal(code, 2);
    assert.match(out, /--mode head needs --init/);
    const weightAlone = await cli('train.ts', ['--data', dir, '--aux-weight', '2']);
    assert.equal(weightAlone.code, 2);
    assert.match(weightAlone.out, /--aux-weight needs --aux-lesions/);
    const headWithAux = await cli('train.ts', ['--data', dir, '--mode', 'head', '--init', dir, '--aux-lesions']);
    assert.equal(headWithAux.code, 2);
    assert.match(headWithAux.out, /--aux-lesions trains the backbone .* use it with --mode full/);
  });

  it('train with the auxiliary lesion loss and export exactly the product model', async () => {
    const out = join(dir, 'model-aux');
    const fp32 = join(dir, 'model-aux-fp32');
    const args = [
      ...[
        '--data',
        join(dir, 'train'),
        '--model',
        'tiny',
        '--resolution',
        '32',
        '--epochs',
        '1',
        '--batch-size',
        '8',
        '--aux-lesions',
        '--aux-weight',
        '0.5',
      ],
      ...['--cache', join(dir, 'cache'), '--checkpoint', join(dir, 'tiny-aux.ckpt'), '--out', out, '--fp32-out', fp32],
    ];
    const run = await cli('train.ts', args);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /auxiliary lesion loss × 0\.5/);
    assert.match(run.out, /Auxiliary loss: 8 lesion counts/);
    assert.match(run.out, /epoch 1: loss \d+\.\d+ aux \d+\.\d+ acc .* val loss \d+\.\d+ val aux \d+\.\d+ val acc/);
    const summary = JSON.parse(
      await readFile(join(out, 'training', 'training-summary.json'), 'utf8'),
    ) as TrainingSummary;
    assert.equal(summary.auxiliaryLesions!.weight, 0.5);
    assert.equal(summary.auxiliaryLesions!.columns.length, 8);
    assert.equal(typeof summary.history[0]!.valAuxLoss, 'number');

    // The product architecture as built for serving, saved the same way.
    const product = buildTinyClassifier({ seed: 1 });
    const reference = join(dir, 'reference');
    await saveLayersModel(product, reference, { form: 'fp32' });
    product.dispose();
    const json = async (folder: string) =>
      JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as TfjsModelJson;
    const expected = await json(reference);
    const names = (m: { weightsManifest: Array<{ weights: Array<{ name: string }> }> }) =>
      m.weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
    for (const folder of [out, fp32]) {
      const saved = await json(folder);
      assert.deepEqual(saved.modelTopology, expected.modelTopology, folder);
      assert.deepEqual(names(saved).sort(), names(expected).sort(), folder);
    }
  });

  it('explain that --aux-lesions needs lesions.csv', async () => {
    const data = join(dir, 'no-lesions');
    await cp(join(dir, 'train'), data, { recursive: true, filter: (source) => !source.endsWith(LESIONS_FILE) });
    const { code, out } = await cli('train.ts', [
      '--data',
      data,
      '--model',
      'tiny',
      '--aux-lesions',
      '--checkpoint',
      join(dir, 'none.ckpt'),
      '--out',
      join(dir, 'none'),
    ]);
    assert.equal(code, 1, out);
    assert.match(
      out,
      /no-lesions\/lesions\.csv: not found: the auxiliary lesion loss needs the per-image lesion counts/,
    );
  });
});
