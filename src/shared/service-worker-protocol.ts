/**
 * The messages between pages (src/app/offline/service-worker-status.ts) and the service worker
 * (workers/sw.ts). Each is posted with a MessageChannel port for the answer.
 *
 * - GET_STATUS → StatusAnswer (GET_VERSION, what pages of earlier versions ask, gets the same answer);
 * - REPAIR_PRECACHE → RepairProgress messages, the last with `done`, or `{ error }`;
 * - PREPARE_UPDATE (to the active worker) → `{ prepared: true }` once its downloads are dropped;
 * - SKIP_WAITING (to the waiting worker): no answer; it takes over.
 */
export type ServiceWorkerMessageType =
  'GET_STATUS' | 'GET_VERSION' | 'REPAIR_PRECACHE' | 'PREPARE_UPDATE' | 'SKIP_WAITING';

export interface PrecacheState {
  /** Files the service worker's manifest lists (shell, runtimes' wasm, default models). */
  total: number;
  /** Of those, the ones not in Cache Storage (cleared by the browser or the user). */
  missing: number;
}

/** The answer to GET_STATUS. */
export interface StatusAnswer {
  version: string;
  modelCaches: string[];
  /** Absent in answers of service workers from before the precache check. */
  precache?: PrecacheState;
}

/** A REPAIR_PRECACHE report: after each file, then once more with `done`. */
export interface RepairProgress {
  done: boolean;
  precache: PrecacheState;
  /** Files that could not be fetched (or did not match their integrity) in this pass. */
  failed: number;
}
