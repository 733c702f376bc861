import { expect } from '@open-wc/testing';
import { warmUntilSteady } from '../../workers/models/model-runner.js';

/** A run whose durations (ms) come from a list, on a clock that only those runs advance. */
function scriptedRuns(durations: number[]) {
  let clock = 0;
  let runs = 0;
  return {
    now: () => clock,
    run: async () => {
      clock += durations[runs++] ?? 0;
    },
    get runs() {
      return runs;
    },
  };
}

describe('warming a model up until its run time is steady', () => {
  it('runs again while each run is much faster than the one before, and stops when it levels off', async () => {
    // TF.js wasm's ResNet50 on 2 cores, measured: baseline wasm code first, optimised code later.
    const script = scriptedRuns([1587, 649, 507, 508, 500]);
    const total = await warmUntilSteady(script.run, { now: script.now });
    expect(script.runs).to.equal(4);
    expect(total).to.equal(1587 + 649 + 507 + 508);
  });

  it('stops after maxRuns even when runs keep getting faster', async () => {
    const script = scriptedRuns([4000, 2000, 1000, 500, 250]);
    await warmUntilSteady(script.run, { now: script.now, maxRuns: 3 });
    expect(script.runs).to.equal(3);
  });

  it('needs one run of a model that is already fast', async () => {
    const script = scriptedRuns([3, 1, 1]);
    await warmUntilSteady(script.run, { now: script.now });
    expect(script.runs).to.equal(1);
  });

  it('passes a failing run on', async () => {
    const failure = new Error('out of memory');
    let error: unknown;
    await warmUntilSteady(() => Promise.reject(failure)).catch((e: unknown) => (error = e));
    expect(error).to.equal(failure);
  });
});
