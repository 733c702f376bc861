import { normaliseBenchOptions } from '../../shared/bench/bench-options.js';
import type { BenchOptions } from '../../shared/bench/bench-types.js';

/** `?autorun=<base64url JSON>` (written by the CLI), or `?autorun` alone for the defaults; null without it. */
export function autorunOptions(search: string): BenchOptions | null {
  const value = new URLSearchParams(search).get('autorun');
  if (value === null) return null;
  if (value === '') return normaliseBenchOptions({});
  let parsed: unknown;
  try {
    const binary = atob(value.replaceAll('-', '+').replaceAll('_', '/'));
    parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    throw new Error('the autorun parameter is not base64url-encoded JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('the autorun options must be a JSON object');
  return normaliseBenchOptions(parsed);
}
