import type { BackendChoice } from '../shared/protocol.js';

const CHOICES: ReadonlySet<string> = new Set<BackendChoice>(['auto', 'webgpu', 'webgl', 'wasm']);

export interface BackendChoices {
  tfjs: BackendChoice;
  ort: BackendChoice;
}

function parseOne(value: string | null): BackendChoice | undefined {
  return value !== null && CHOICES.has(value) ? (value as BackendChoice) : undefined;
}

/**
 * `?backend=wasm` forces both runtimes; `?tfjs=webgl&ort=wasm` sets each. Unknown values are ignored
 * rather than rejected: a stale bookmark must still open the app.
 */
export function parseBackendChoices(
  search: string,
  fallback: BackendChoices = { tfjs: 'auto', ort: 'auto' },
): BackendChoices {
  const query = new URLSearchParams(search);
  const both = parseOne(query.get('backend'));
  return {
    tfjs: parseOne(query.get('tfjs')) ?? both ?? fallback.tfjs,
    ort: parseOne(query.get('ort')) ?? both ?? fallback.ort,
  };
}
