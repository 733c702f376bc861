// Helpers for browser tests that talk to a real inference worker, bundled the way the app bundles it.
import { buildConfig } from '../../src/app/build-config.js';
import { InferenceClient } from '../../src/app/inference-client.js';
import type { BackendChoice, InitResult } from '../../src/shared/protocol.js';

export function startWorker(): { client: InferenceClient; worker: Worker } {
  const worker = new Worker(buildConfig.inferenceWorkerUrl, { type: 'module' });
  return { client: new InferenceClient(worker), worker };
}

export function initParams(tfjs: BackendChoice, ort: BackendChoice) {
  return { tfjs, ort, tfjsWasmPath: buildConfig.tfjsWasmPath, ortWasmPath: buildConfig.ortWasmPath };
}

export async function initWorker(tfjs: BackendChoice, ort: BackendChoice): Promise<{ client: InferenceClient; report: InitResult }> {
  const { client } = startWorker();
  const report = await client.request('init', initParams(tfjs, ort));
  return { client, report };
}
