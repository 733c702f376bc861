/**
 * What every pipeline CLI shares: a usage error type, number parsing for options, and one exit
 * convention — 0 done, 1 failed, 2 bad usage (with a pointer to --help).
 */

export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function positiveInt(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
  return value;
}

export function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got "${text}"`);
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
      const usageError = error instanceof UsageError || (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true;
      console.error(`error: ${error instanceof Error ? error.message : String(error)}${usageError ? `\n${usage}` : ''}`);
      process.exitCode = usageError ? EXIT_USAGE : EXIT_FAILURE;
    },
  );
}
