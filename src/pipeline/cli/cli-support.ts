/**
 * What every pipeline CLI shares: a usage error type, number parsing for options, and one exit
 * convention — 0 done, 1 failed, 2 bad usage (with a pointer to --help); the training CLIs add
 * 75 paused and 130 interrupted, returned from their main.
 */

export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** sysexits' EX_TEMPFAIL, "try again later": a training run paused (time budget spent or Ctrl-C) and resumable. */
export const EXIT_PAUSED = 75;
/** 128 + SIGINT: stopped by Ctrl-C (or SIGTERM) without a resumable state to report. */
export const EXIT_INTERRUPTED = 130;

export function positiveInt(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
  return value;
}

/** An integer ≥ 0: positiveInt with 0 as the minimum. */
export function nonNegativeInt(name: string, text: string): number {
  return positiveInt(name, text, 0);
}

export function oneOf<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

export function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!/^\s*(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/**
 * Runs a CLI's main and sets the exit code: its own return value; 2 for a UsageError (or
 * parseArgs's own option errors), with `usage` as the pointer; 1 for anything else.
 */
export function runCli(main: () => Promise<number>, usage: string): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const usageError =
        error instanceof UsageError || (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true;
      console.error(
        `error: ${error instanceof Error ? error.message : String(error)}${usageError ? `\n${usage}` : ''}`,
      );
      process.exitCode = usageError ? EXIT_USAGE : EXIT_FAILURE;
    },
  );
}
