import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminalProgress } from '../../../src/pipeline/train/terminal-progress.js';
import type { TrainingProgress } from '../../../src/pipeline/train/trainer.js';

/** A log file's stream: not a terminal, so every line is written whole. */
function logStream(): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

const progress: TrainingProgress = {
  epoch: 0,
  maxEpochs: 3,
  step: 4,
  steps: 63,
  stepDone: 16,
  stepSize: 32,
  epochDone: 144,
  epochSize: 2000,
  loss: 1.6094,
  accuracy: 0.2,
};

describe('terminal progress', () => {
  it('shows the grade loss, and the auxiliary loss apart when training has one', () => {
    const { out, text } = logStream();
    const events = terminalProgress({ out, logIntervalSeconds: 0 });
    events.onProgress!(progress);
    events.onProgress!({ ...progress, auxLoss: 0.98765 });
    const [plain, withAux] = text().trim().split('\n');
    assert.match(plain!, /step 5\/63 \(16\/32\) {2}loss 1\.6094 {2}acc 0\.200 /);
    assert.match(withAux!, /loss 1\.6094 {2}aux 0\.9877 {2}acc 0\.200 /);
  });

  it('reports both losses on training and validation at the end of an epoch', () => {
    const { out, text } = logStream();
    const record = { epoch: 2, trainLoss: 1.5, trainAccuracy: 0.3, valLoss: 1.55, valAccuracy: 0.25, seconds: 75 };
    terminalProgress({ out }).onEpoch!({ ...record, trainAuxLoss: 0.8, valAuxLoss: 0.85 }, true);
    terminalProgress({ out }).onEpoch!(record, false);
    assert.deepEqual(text().trim().split('\n'), [
      'epoch 2: loss 1.5000 aux 0.8000 acc 0.300 | val loss 1.5500 val aux 0.8500 val acc 0.250 | 1m15s | best so far',
      'epoch 2: loss 1.5000 acc 0.300 | val loss 1.5500 val acc 0.250 | 1m15s',
    ]);
  });
});
