import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './support/cli.js';
import { assertHelp, assertUsageError, cliAll, exists, type Run } from './support/real-cli.js';

/** Argument handling of pipeline-real.ts: every case stops before any training, data loading or download. */
describe('pipeline-real.ts', () => {
  const script = 'pipeline-real.ts';
  const STEPS = ['pretrained', 'cv-head', 'cv-last-stage', 'train', 'manifest', 'parity', 'try-samples'];

  /** The plan's lines: step → "complete" or the command it would run. */
  function planOf(stdout: string): Array<{
    index: number;
    total: number;
    step: string;
    state: 'complete' | 'nothing to do' | 'would run';
    command?: string;
  }> {
    return [
      ...stdout.matchAll(/^\[(\d+)\/(\d+)\] ([\w-]+) — (?:(complete|nothing to do) \(.*\)|would run: (.*))$/gm),
    ].map((m) => ({
      index: Number(m[1]),
      total: Number(m[2]),
      step: m[3]!,
      state: m[5] === undefined ? (m[4] as 'complete' | 'nothing to do') : 'would run',
      ...(m[5] === undefined ? {} : { command: m[5] }),
    }));
  }

  it('--help lists the seven steps in order and the exit statuses', async () => {
    const [run] = await cliAll(script, [['--help']]);
    assertHelp(run!, script, ['--data', '--recipe', '--last-stage-folds', '--models', '--only', '--dry-run']);
    const listed = [...run!.stdout.matchAll(/^ {2}([a-z][\w-]+) {2,}\S/gm)]
      .map((m) => m[1])
      .filter((s) => STEPS.includes(s!));
    assert.deepEqual(listed, STEPS);
    assert.match(run!.stdout, /Exit status: 0 done, 1 a step failed, 2 bad arguments/);
  });

  it('bad arguments exit 2 with the usage line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--recipe', 'nope'], /--recipe must be head or last-stage/],
      [['--recipe', 'last-stage'], /--recipe last-stage needs its cross-validation/],
      [['--recipe', 'last-stage', '--last-stage-folds', '0'], /--recipe last-stage needs its cross-validation/],
      [['--last-stage-folds', '6'], /--last-stage-folds must be 0-5/],
      [['--last-stage-folds', '2.5'], /--last-stage-folds must be an integer ≥ 0/],
      [
        ['--only', 'cv-head,nope'],
        /--only: unknown step "nope" \(steps: pretrained, cv-head, cv-last-stage, train, manifest, parity, try-samples\)/,
      ],
    ];
    const runs = await cliAll(
      script,
      cases.map(([args]) => ['--dry-run', ...args]),
    );
    cases.forEach(([args, message], i) => assertUsageError(runs[i]!, script, message, args.join(' ')));
  });

  it('--dry-run lists the seven steps in order and runs nothing', async () => {
    const models = join(await tempDir('real-plan'), 'models');
    const [run] = await cliAll(script, [['--dry-run', '--data', '/nonexistent', '--models', models]]);
    assert.equal(run!.code, 0, run!.stderr);
    assert.equal(run!.stderr, '');
    const plan = planOf(run!.stdout);
    assert.deepEqual(
      plan.map((p) => p.step),
      STEPS,
    );
    assert.deepEqual(
      plan.map((p) => `${p.index}/${p.total}`),
      STEPS.map((_, i) => `${i + 1}/7`),
    );
    assert.equal(run!.stdout.trim().split('\n').length, 7, 'nothing but the plan');
    // The first three steps write under checkpoints/ and may be complete on this machine; the rest write into --models.
    const byStep = Object.fromEntries(plan.map((p) => [p.step, p]));
    for (const step of ['train', 'manifest', 'parity', 'try-samples'])
      assert.equal(byStep[step]!.state, 'would run', step);
    assert.equal(
      byStep.train!.command,
      `node --import tsx src/pipeline/cli/train-real.ts --data /nonexistent --pretrained checkpoints/imagenet-resnet50 --cross-validation checkpoints/real-cv/head --out ${models}/resnet50-dr --fp32-out checkpoints/resnet50-dr-fp32 --id resnet50-dr --version 6`,
    );
    assert.equal(byStep.manifest!.command, `node --import tsx src/pipeline/cli/export.ts manifest --models ${models}`);
    assert.match(
      byStep.parity!.command!,
      new RegExp(
        `parity\\.ts --id resnet50-dr --models ${models} --data /nonexistent .*--out ${models}/resnet50-dr/evaluation/parity\\.json$`,
      ),
    );
    assert.match(
      byStep['try-samples']!.command!,
      new RegExp(
        `try-samples\\.ts --id resnet50-dr --models ${models} --out ${models}/resnet50-dr/evaluation/try-samples\\.json$`,
      ),
    );
    if (byStep['cv-head']!.state === 'would run')
      assert.match(byStep['cv-head']!.command!, /cross-validate\.ts --data \/nonexistent /);
    assert.match(
      run!.stdout,
      /^\[3\/7\] cv-last-stage — nothing to do \(--last-stage-folds 0\)$/m,
      'the last stage is cross-validated only when asked',
    );
    // Nothing ran: no step reported back (a step that ran prints "done in" or "failed"; /nonexistent would fail).
    assert.doesNotMatch(run!.stdout, /done in|pipeline complete/);
    assert.equal(await exists(models), false, 'nothing written to --models');
  });

  it('--force plans every step with the chosen recipe, fold count, id and version; --only selects steps', async () => {
    const models = join(await tempDir('real-force'), 'models');
    const [forced, only] = await cliAll(script, [
      [
        '--dry-run',
        '--force',
        '--data',
        '/nonexistent',
        '--models',
        models,
        '--recipe',
        'head',
        '--last-stage-folds',
        '1',
        '--id',
        'my-model',
        '--version',
        '9',
      ],
      [
        '--dry-run',
        '--force',
        '--data',
        '/nonexistent',
        '--models',
        models,
        '--only',
        ' train , cv-last-stage',
        '--recipe',
        'last-stage',
        '--last-stage-folds',
        '5',
      ],
    ]);
    assert.equal(forced!.code, 0, forced!.stderr);
    const plan = planOf(forced!.stdout);
    assert.deepEqual(
      plan.map((p) => [p.step, p.state]),
      STEPS.map((s) => [s, 'would run']),
      '--force runs every step, the one fold of cv-last-stage included',
    );
    const command = Object.fromEntries(plan.map((p) => [p.step, p.command!]));
    assert.equal(
      command.pretrained,
      'node --import tsx src/pipeline/cli/pretrained.ts --out checkpoints/imagenet-resnet50',
    );
    assert.match(
      command['cv-head']!,
      /cross-validate\.ts --data \/nonexistent --pretrained checkpoints\/imagenet-resnet50 --recipe head --out checkpoints\/real-cv\/head$/,
    );
    assert.match(
      command['cv-last-stage']!,
      /cross-validate\.ts .*--recipe last-stage --out checkpoints\/real-cv\/last-stage --only-folds 1$/,
    );
    assert.match(
      command.train!,
      new RegExp(
        `--cross-validation checkpoints/real-cv/head --out ${models}/my-model --fp32-out checkpoints/my-model-fp32 --id my-model --version 9$`,
      ),
    );
    assert.match(command.parity!, /--id my-model .*--fp32 checkpoints\/my-model-fp32 /);

    // Steps keep the pipeline's order whatever the order of --only; five folds need no --only-folds.
    assert.equal(only!.code, 0, only!.stderr);
    const selected = planOf(only!.stdout);
    assert.deepEqual(
      selected.map((p) => `${p.index}/${p.total} ${p.step}`),
      ['1/2 cv-last-stage', '2/2 train'],
    );
    assert.doesNotMatch(selected[0]!.command!, /--only-folds/);
    assert.match(selected[1]!.command!, /--cross-validation checkpoints\/real-cv\/last-stage /);
    assert.equal(await exists(models), false);
  });

  it('counts train complete when the store has the wanted version, and parity when its report exists', async () => {
    const models = join(await tempDir('real-resume'), 'models');
    const evaluation = join(models, 'resnet50-dr', 'evaluation');
    await mkdir(evaluation, { recursive: true });
    await writeFile(
      join(models, 'resnet50-dr', 'model-info.json'),
      JSON.stringify({ id: 'resnet50-dr', version: '6' }),
    );
    await writeFile(join(evaluation, 'parity.json'), '{}');
    const only = [
      '--dry-run',
      '--data',
      '/nonexistent',
      '--models',
      models,
      '--only',
      'train,manifest,parity,try-samples',
    ];
    const [same, newer, forced] = await cliAll(script, [only, [...only, '--version', '7'], [...only, '--force']]);
    const states = (run: Run) => Object.fromEntries(planOf(run.stdout).map((p) => [p.step, p.state]));
    assert.equal(same!.code, 0, same!.stderr);
    assert.deepEqual(states(same!), {
      train: 'complete',
      manifest: 'would run',
      parity: 'complete',
      'try-samples': 'would run',
    });
    assert.match(same!.stdout, /^\[1\/4\] train — complete \(.*resnet50-dr is version 6\)$/m);
    assert.equal(states(newer!).train, 'would run', 'another version is not the same model');
    assert.deepEqual(states(forced!), {
      train: 'would run',
      manifest: 'would run',
      parity: 'would run',
      'try-samples': 'would run',
    });
  });
});
