/**
 * The bench worker: runs one benchmark configuration (src/shared/bench/bench-worker-protocol.ts) with
 * the app's own runtime init and model runners, then reports. The page starts a fresh worker for
 * every configuration, so that each runtime initialises with the wasm thread count asked for.
 */
import type { BenchWorkerToPage, PageToBenchWorker } from '../src/shared/bench/bench-worker-protocol.js';
import { runBenchJob } from './bench/run-job.js';

declare const self: DedicatedWorkerGlobalScope;

const post = (message: BenchWorkerToPage) => self.postMessage(message);
const memoryAnswers = new Map<number, (bytes: number | null) => void>();
let nextMemoryId = 1;
let started = false;

function measureMemory(): Promise<number | null> {
  const id = nextMemoryId++;
  return new Promise((resolve) => {
    memoryAnswers.set(id, resolve);
    post({ kind: 'measure-memory', id });
  });
}

self.addEventListener('message', (event: MessageEvent<PageToBenchWorker>) => {
  const message = event.data;
  if (message.kind === 'memory') {
    memoryAnswers.get(message.id)?.(message.bytes);
    memoryAnswers.delete(message.id);
  } else if (message.kind === 'run' && !started) {
    started = true;
    const progress = (text: string) => post({ kind: 'progress', key: message.job.key, text });
    void runBenchJob(message.job, { progress, measureMemory }).then((result) => post({ kind: 'done', result }));
  }
});
