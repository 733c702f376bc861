/**
 * Messages between the bench page and a bench worker. A worker runs exactly one job (a runtime's wasm
 * thread count is fixed once it has initialised, so every configuration gets a fresh worker) and
 * always ends with 'done', whose result says whether the configuration worked.
 *
 * Memory is measured by the page (measureUserAgentSpecificMemory exists only on the window, and it
 * counts the worker's heap, buffers and wasm memory): the worker asks with 'measure-memory' at the
 * moments that matter and waits for the answer.
 */
import type { BenchJob, ConfigResult } from './bench-types.js';

export type PageToBenchWorker = { kind: 'run'; job: BenchJob } | { kind: 'memory'; id: number; bytes: number | null };

export type BenchWorkerToPage =
  | { kind: 'progress'; key: string; text: string }
  | { kind: 'measure-memory'; id: number }
  | { kind: 'done'; result: ConfigResult };
