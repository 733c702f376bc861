/** The device's core count, read when this module loads: before liftTfjsThreadCap can change it. */
export const deviceCores = navigator.hardwareConcurrency || 1;

/**
 * tfjs-backend-wasm 4.22 caps its XNNPACK thread pool at navigator.hardwareConcurrency / 2, whatever
 * setThreadsCount asks for (init_with_threads_count in its backend.cc; tensorflow/tfjs#8513), so on a
 * 2-core device it always runs on one thread. Its wasm module reads the core count once, when it
 * starts: reporting twice the threads asked for lifts the cap. Call it in a worker only (it changes
 * what navigator.hardwareConcurrency reports there), before the wasm backend initialises; report
 * `deviceCores` instead.
 */
export function liftTfjsThreadCap(threads: number): void {
  const needed = threads * 2;
  if (navigator.hardwareConcurrency >= needed) return;
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => needed });
}
