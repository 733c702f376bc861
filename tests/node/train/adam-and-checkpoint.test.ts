import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Adam } from '../../../src/pipeline/train/adam.js';
import { initTrainingBackend } from '../../../src/pipeline/train/backend.js';
import { readCheckpointFile, writeCheckpointFile } from '../../../src/pipeline/train/checkpoint-file.js';
import { assertClose, seededValues } from './support/tensors.js';

describe('Adam', () => {
  before(() => initTrainingBackend('cpu'));

  it('takes the same steps as tf.train.adam', () => {
    const target = tf.tensor1d(seededValues([6], 1));
    const start = seededValues([6], 2);
    const ours = tf.variable(tf.tensor1d(start));
    const theirs = tf.variable(tf.tensor1d(start));
    const adam = new Adam({ learningRate: 0.05 });
    const reference = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
    const loss = (x: tf.Variable) => () => tf.sum<tf.Scalar>(tf.square(tf.sub(x, target)));
    for (let step = 0; step < 6; step++) {
      const { value, grads } = tf.variableGrads(loss(ours), [ours]);
      adam.apply(new Map([['x', ours]]), new Map([['x', grads[ours.name]!]]));
      tf.dispose([value, ...Object.values(grads)]);
      reference.minimize(loss(theirs), false, [theirs]);
    }
    assert.equal(adam.step, 6);
    // tf.train.adam keeps β^t in float32, this Adam in double: last-bit differences only.
    assertClose(ours.dataSync(), theirs.dataSync(), 1e-5, 'weights after 6 steps');
    const moved = Array.from(ours.dataSync(), (v, i) => Math.abs(v - start[i]!)).reduce((a, b) => a + b, 0);
    assert.ok(moved > 0.5, `the weights moved (${moved})`);
    adam.dispose();
    reference.dispose();
    tf.dispose([target, ours, theirs]);
  });

  it('warms the learning rate up linearly over the first steps', () => {
    // A linear loss has a constant gradient, so every Adam update is ±1 (up to ε) times the rate.
    const x = tf.variable(tf.tensor1d([0.5, -2]));
    const adam = new Adam({ learningRate: 0.1, warmupSteps: 4 });
    const gradient = tf.tensor1d([3, -0.25]);
    const steps: number[] = [];
    for (let step = 0; step < 6; step++) {
      const before = x.dataSync()[0]!;
      adam.apply(new Map([['x', x]]), new Map([['x', gradient]]));
      steps.push(before - x.dataSync()[0]!);
    }
    assertClose(steps, [0.025, 0.05, 0.075, 0.1, 0.1, 0.1], 1e-5, 'step sizes');
    assert.throws(() => new Adam({ learningRate: 0.1, warmupSteps: 1.5 }), /warmup steps must be an integer ≥ 0/);
    adam.dispose();
    tf.dispose([x, gradient]);
  });
});

describe('checkpoint file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fg-ckpt-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('round-trips state and tensors exactly and leaves no temporary file', async () => {
    const path = join(dir, 'run.ckpt');
    const a = tf.tensor2d(seededValues([3, 5], 3), [3, 5]);
    const b = tf.scalar(Math.PI);
    await writeCheckpointFile(
      path,
      { epoch: 2, note: 'ü' },
      new Map<string, tf.Tensor>([
        ['model/a', a],
        ['adam.m/b', b],
      ]),
    );
    // Overwriting replaces the file as a whole.
    await writeCheckpointFile(
      path,
      { epoch: 3, note: 'ü' },
      new Map<string, tf.Tensor>([
        ['model/a', a],
        ['adam.m/b', b],
      ]),
    );
    const read = await readCheckpointFile<{ epoch: number; note: string }>(path);
    assert.deepEqual(read.state, { epoch: 3, note: 'ü' });
    assert.deepEqual([...read.tensors.keys()], ['model/a', 'adam.m/b']);
    assert.deepEqual(read.tensors.get('model/a')!.shape, [3, 5]);
    assert.deepEqual(read.tensors.get('model/a')!.values, a.dataSync());
    assert.deepEqual(read.tensors.get('adam.m/b')!.values, b.dataSync());
    assert.deepEqual(await readdir(dir), ['run.ckpt']);
    tf.dispose([a, b]);
  });

  it('rejects files that are not checkpoints, or cut short', async () => {
    const junk = join(dir, 'junk.ckpt');
    await writeFile(junk, 'not a checkpoint');
    await assert.rejects(readCheckpointFile(junk), /not a checkpoint/);
    const full = join(dir, 'full.ckpt');
    const t = tf.ones([100]);
    await writeCheckpointFile(full, {}, new Map([['t', t]]));
    const bytes = await readFile(full);
    await writeFile(junk, bytes.subarray(0, bytes.length - 8));
    await assert.rejects(readCheckpointFile(junk), /truncated/);
    t.dispose();
  });
});
