import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './support/cli.js';
import { assertHelp, assertUsageError, cliAll, exists } from './support/real-cli.js';

/** Argument handling of cross-validate.ts: every case stops before any training, data loading or download. */
describe('cross-validate.ts', () => {
  const script = 'cross-validate.ts';

  it('--help prints the usage and exits 0', async () => {
    const [run] = await cliAll(script, [['--help']]);
    assertHelp(run!, script, [
      '--data',
      '--pretrained',
      '--recipe',
      '--folds',
      '--only-folds',
      '--seed',
      '--target-sensitivity',
      '--grade-cost',
      '--cache',
      '--out',
    ]);
    assert.match(run!.stdout, /--recipe NAME\s+head \| last-stage/);
  });

  it('missing required options exit 2', async () => {
    const runs = await cliAll(script, [
      [],
      ['--pretrained', '/nonexistent/p'],
      ['--pretrained', '/nonexistent/p', '--out', '/nonexistent/o'],
    ]);
    assertUsageError(runs[0]!, script, /--pretrained is required/, 'nothing');
    assertUsageError(runs[1]!, script, /--out is required/, 'no --out');
    assertUsageError(runs[2]!, script, /--recipe must be one of head, last-stage/, 'no --recipe');
  });

  const base = ['--pretrained', '/nonexistent/p', '--out', '/nonexistent/o', '--data', '/nonexistent/data'];

  it('an unknown option or recipe exits 2', async () => {
    const runs = await cliAll(script, [
      [...base, '--recipe', 'head', '--bogus'],
      [...base, '--recipe', 'nope'],
    ]);
    assertUsageError(runs[0]!, script, /Unknown option '--bogus'/, '--bogus');
    assertUsageError(runs[1]!, script, /--recipe must be one of head, last-stage/, '--recipe nope');
  });

  it('bad fold counts exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--folds', '1'], /--folds must be an integer ≥ 2, got "1"/],
      [['--only-folds', '9'], /--only-folds must be at most --folds \(5\)/],
      [['--folds', '3', '--only-folds', '4'], /--only-folds must be at most --folds \(3\)/],
    ];
    const runs = await cliAll(
      script,
      cases.map(([args]) => [...base, '--recipe', 'head', ...args]),
    );
    cases.forEach(([args, message], i) => assertUsageError(runs[i]!, script, message, args.join(' ')));
  });

  it('bad seeds, sensitivities, epoch counts and grade costs exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--seed=-1'], /--seed must be an integer ≥ 0, got "-1"/],
      [['--target-sensitivity', '1.5'], /--target-sensitivity must be at most 1/],
      [['--last-stage-epochs', '0'], /--last-stage-epochs must be an integer ≥ 1, got "0"/],
      [['--grade-cost=-1'], /--grade-cost must be a number ≥ 0, got "-1"/],
      [['--grade-cost', 'x'], /--grade-cost must be a number ≥ 0, got "x"/],
      [['--grade-cost', 'Infinity'], /--grade-cost must be a number ≥ 0, got "Infinity"/],
      // parseArgs itself: a value that looks like an option needs the = form.
      [['--grade-cost', '-1'], /--grade-cost.*argument is ambiguous/],
    ];
    const runs = await cliAll(
      script,
      cases.map(([args]) => [...base, '--recipe', 'last-stage', ...args]),
    );
    cases.forEach(([args, message], i) => assertUsageError(runs[i]!, script, message, args.join(' ')));
  });

  it('accepts the edge values (the same arguments then fail on the missing data with exit 1, not 2)', async () => {
    const out = join(await tempDir('cv-edge'), 'out');
    const args = [
      '--pretrained',
      '/nonexistent/p',
      '--out',
      out,
      '--data',
      '/nonexistent/data',
      '--recipe',
      'last-stage',
    ];
    const runs = await cliAll(script, [
      [
        ...args,
        '--folds',
        '2',
        '--only-folds',
        '2',
        '--seed',
        '0',
        '--target-sensitivity',
        '1',
        '--head-epochs',
        '1',
        '--last-stage-epochs',
        '1',
        '--grade-cost',
        '0',
      ],
      [...args, '--grade-cost', '2.5e-1'],
    ]);
    for (const r of runs) {
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /^error: \/nonexistent\/data: /m);
      assert.doesNotMatch(r.stderr, /usage:/);
    }
    assert.equal(await exists(out), false, 'no output folder before the data loads');
  });
});
