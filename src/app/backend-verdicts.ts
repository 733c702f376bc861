import type { BackendVerdict, InitResult, RuntimeReport } from '../shared/protocol.js';
import { isBackendVerdict } from '../shared/protocol.js';

/** Where the verdicts live in localStorage. */
export const VERDICTS_KEY = 'fundus-grader.backend-verdicts';

/**
 * At most this many are kept, newest first: one per runtime, GPU backend and GPU is a handful even on a
 * laptop that switches between two GPUs; older ones come from GPUs no longer seen.
 */
export const MAX_VERDICTS = 12;

/** The part of the Web Storage API the store uses (localStorage in the app). */
export type VerdictStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** localStorage, or null where the browser refuses it (storage disabled, some private modes). */
function defaultStorage(): VerdictStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

const sameSlot = (a: BackendVerdict, b: BackendVerdict) =>
  a.runtime === b.runtime && a.backend === b.backend && a.device === b.device;

/**
 * The speed verdicts of earlier starts (workers/runtimes/gpu-speed.ts), kept across visits so that the
 * worker does not time the GPU at every start. The worker decides which still hold (same GPU, same
 * browser version) and measures again where none does; the store only keeps the newest per runtime,
 * backend and GPU. Storage that fails reads as empty and is not written: the GPU is then timed again.
 */
export class BackendVerdictStore {
  constructor(private readonly storage: VerdictStorage | null = defaultStorage()) {}

  /** The verdicts remembered; anything malformed is left out. */
  load(): BackendVerdict[] {
    let stored: unknown;
    try {
      stored = JSON.parse(this.storage?.getItem(VERDICTS_KEY) ?? '[]');
    } catch {
      return [];
    }
    return Array.isArray(stored) ? stored.filter(isBackendVerdict) : [];
  }

  /**
   * Remembers what an init measured (its runtimes' verdicts that were not remembered ones), each in
   * place of the one for the same runtime, backend and GPU, whatever browser version that was from.
   */
  remember(report: InitResult): void {
    // The worker's word is checked like storage's: a report without runtimes or verdicts saves nothing.
    const reports: Array<Partial<RuntimeReport> | undefined> = [report.tfjs, report.ort];
    const measured = reports
      .flatMap((runtime) => (Array.isArray(runtime?.verdicts) ? runtime.verdicts : []))
      .filter((verdict) => verdict.remembered === false)
      .map(({ remembered: _, ...verdict }) => verdict)
      .filter(isBackendVerdict);
    if (!measured.length || !this.storage) return;
    const kept = this.load().filter((old) => !measured.some((verdict) => sameSlot(old, verdict)));
    const all = [...measured, ...kept].sort((a, b) => b.measuredAt - a.measuredAt).slice(0, MAX_VERDICTS);
    try {
      this.storage.setItem(VERDICTS_KEY, JSON.stringify(all));
    } catch {
      // A full or refused storage: the GPU is timed again at the next start, nothing worse.
    }
  }
}
