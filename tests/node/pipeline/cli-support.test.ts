import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { describe, it } from 'node:test';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  nonNegativeInt,
  oneOf,
  positiveInt,
  positiveNumber,
  runCli,
  UsageError,
} from '../../../src/pipeline/cli/cli-support.js';

describe('positiveInt', () => {
  it('parses whole numbers at or above the minimum (1 by default)', () => {
    assert.equal(positiveInt('folds', '5'), 5);
    assert.equal(positiveInt('folds', '1'), 1);
    assert.equal(positiveInt('folds', ' 12 '), 12, 'surrounding spaces are tolerated');
    assert.equal(positiveInt('folds', '007'), 7);
    assert.equal(positiveInt('seed', '0', 0), 0);
    assert.equal(positiveInt('folds', '2', 2), 2);
    assert.equal(positiveInt('n', String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  });

  it('refuses anything else with a UsageError naming the option, the minimum and the text', () => {
    const bad: Array<[string, number | undefined]> = [
      ['0', undefined],
      ['1', 2],
      ['-1', 0],
      ['1.5', undefined],
      ['2.0', undefined],
      ['1e3', undefined],
      ['0x10', undefined],
      ['+3', undefined],
      ['', undefined],
      ['   ', undefined],
      ['abc', undefined],
      ['5 folds', undefined],
      ['Infinity', undefined],
      ['9007199254740993', undefined], // beyond 2^53: not exact
    ];
    for (const [text, min] of bad) {
      assert.throws(
        () => positiveInt('folds', text, min),
        (error: unknown) =>
          error instanceof UsageError && error.message === `--folds must be an integer ≥ ${min ?? 1}, got "${text}"`,
        JSON.stringify([text, min]),
      );
    }
  });
});

describe('nonNegativeInt', () => {
  it('is positiveInt with 0 allowed', () => {
    assert.equal(nonNegativeInt('refine-epochs', '0'), 0);
    assert.equal(nonNegativeInt('refine-epochs', '3'), 3);
    for (const text of ['-1', '', '1.5', 'x']) {
      assert.throws(
        () => nonNegativeInt('refine-epochs', text),
        (error: unknown) =>
          error instanceof UsageError && error.message === `--refine-epochs must be an integer ≥ 0, got "${text}"`,
        JSON.stringify(text),
      );
    }
  });
});

describe('oneOf', () => {
  it('returns one of the choices, or refuses with a UsageError listing them', () => {
    assert.equal(oneOf('format', 'png', ['jpeg', 'png'] as const), 'png');
    assert.throws(
      () => oneOf('format', 'gif', ['jpeg', 'png']),
      (error: unknown) =>
        error instanceof UsageError && error.message === '--format must be one of jpeg, png, got "gif"',
    );
  });
});

describe('positiveNumber', () => {
  it('parses finite numbers above zero', () => {
    assert.equal(positiveNumber('lr', '0.5'), 0.5);
    assert.equal(positiveNumber('lr', '1e-3'), 0.001);
    assert.equal(positiveNumber('lr', '3'), 3);
    assert.equal(positiveNumber('lr', ' .25 '), 0.25);
    assert.equal(positiveNumber('lr', '5e-324'), 5e-324, 'the smallest positive double is still positive');
  });

  it('refuses zero, negatives, blanks, non-numbers and infinities with a UsageError', () => {
    for (const text of ['0', '-0', '-1', '-1e-9', '', '  ', 'abc', 'NaN', 'Infinity', '-Infinity', '1/2', '0.5x']) {
      assert.throws(
        () => positiveNumber('target-sensitivity', text),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message === `--target-sensitivity must be a positive number, got "${text}"`,
        JSON.stringify(text),
      );
    }
  });
});

describe('runCli', () => {
  /** Runs `main` through runCli; returns the exit code it set and what it wrote to stderr. */
  async function outcome(
    main: () => Promise<number>,
    usage = 'usage: tool.ts --x N',
  ): Promise<{ exitCode: number | string | undefined; errors: string[] }> {
    const saved = process.exitCode;
    const savedError = console.error;
    const errors: string[] = [];
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
    try {
      process.exitCode = undefined;
      runCli(main, usage);
      // runCli settles main's promise in its own handlers: wait until they have run.
      await new Promise((resolve) => setImmediate(resolve));
      return { exitCode: process.exitCode, errors };
    } finally {
      console.error = savedError;
      process.exitCode = saved;
    }
  }

  it("exits with main's own code", async () => {
    assert.deepEqual(await outcome(async () => EXIT_OK), { exitCode: 0, errors: [] });
    assert.deepEqual(await outcome(async () => 3), { exitCode: 3, errors: [] });
  });

  it("exits 2 with the usage line for a UsageError and for parseArgs's own errors", async () => {
    assert.equal(EXIT_USAGE, 2);
    assert.deepEqual(
      await outcome(async () => {
        throw new UsageError('--out is required');
      }),
      { exitCode: EXIT_USAGE, errors: ['error: --out is required\nusage: tool.ts --x N'] },
    );
    const parsed = await outcome(async () => {
      parseArgs({ args: ['--bogus'], strict: true, options: { x: { type: 'string' } } });
      return 0;
    });
    assert.equal(parsed.exitCode, EXIT_USAGE);
    assert.equal(parsed.errors.length, 1);
    assert.match(parsed.errors[0]!, /^error: Unknown option '--bogus'.*\nusage: tool\.ts --x N$/s);
  });

  it('exits 1 without the usage line for any other failure', async () => {
    assert.equal(EXIT_FAILURE, 1);
    assert.deepEqual(
      await outcome(async () => {
        throw new Error('disk full');
      }),
      { exitCode: EXIT_FAILURE, errors: ['error: disk full'] },
    );
    assert.deepEqual(
      await outcome(async () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the CLI must also report a thrown non-Error
        throw 'a string';
      }),
      { exitCode: EXIT_FAILURE, errors: ['error: a string'] },
    );
    assert.deepEqual(
      await outcome(async () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the CLI must also report a thrown non-Error
        throw null;
      }),
      { exitCode: EXIT_FAILURE, errors: ['error: null'] },
    );
  });
});
