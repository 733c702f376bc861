/**
 * The ONNX Runtime worker's request handlers (ort-protocol.ts OrtRequestMap): ORT's init along its
 * fallback chain, the ONNX variant's verified download, session, warm-up and runs, on a LoadedVariant.
 * Two entries register them: workers/ort.worker.ts (what ships) and, with the test-only requests added,
 * workers/testing/ort-test.worker.ts (what the browser tests run).
 */
import type { OrtBackend } from '../../src/shared/protocol.js';
import type { Handlers } from '../dispatcher.js';
import { LoadedVariant, readAhead, type VariantRuntime } from '../grading/loaded-variant.js';
import { entryBytes, everyAtMost } from '../models/model-files.js';
import { createOrtRunner } from '../models/ort-runner.js';
import { initOrt, ortWebgpuDevice } from '../runtimes/ort-runtime.js';
import { WorkerFailure } from '../worker-failure.js';
import type { OrtRequestMap } from './ort-protocol.js';

/** Download progress messages to the inference worker at most this often (the last one always goes). */
const PROGRESS_INTERVAL_MS = 50;

const ORT: VariantRuntime = {
  runtime: 'ort',
  label: 'ONNX Runtime',
  createRunner: (entry, files, backend) => createOrtRunner(entry, files, backend as OrtBackend),
  webgpuDevice: ortWebgpuDevice,
  // ORT's wasm execution provider is in either of its builds: nothing to switch.
  switchToWasm: async () => undefined,
  retryAnyWebgpuFailure: true,
  stuckAfterAbandonedRun: true,
};

export interface OrtHandlers {
  handlers: Handlers<OrtRequestMap>;
  /** The variant `init` set up; a `bad-request` failure before it. */
  loaded(): LoadedVariant;
}

export function createOrtHandlers(): OrtHandlers {
  let variant: LoadedVariant | null = null;

  function loaded(): LoadedVariant {
    if (!variant) throw new WorkerFailure('bad-request', 'send "init" before using the model');
    return variant;
  }

  const handlers: Handlers<OrtRequestMap> = {
    async init({ preload, ...options }, { progress }) {
      await variant?.release();
      variant = null;
      const ahead = preload ? readAhead(preload.entry, preload.modelsUrl, 'ort') : null;
      const report = await initOrt(options, (backend) => progress({ backend }));
      if (report.backend) variant = new LoadedVariant(ORT, report.backend);
      if (variant && preload && ahead) variant.preload(preload.entry, preload.modelsUrl, ahead, preload.warmUp);
      // Answered once the file is read too: what comes next needs neither storage nor the network for it.
      await ahead?.files.catch(() => null);
      return report;
    },
    'load-model': ({ modelsUrl, entry, warmUp }, { signal, progress }) => {
      const sendDownload = everyAtMost(PROGRESS_INTERVAL_MS);
      const total = entryBytes(entry);
      return loaded().load(entry, modelsUrl, {
        signal,
        warmUp,
        onBytes: (loadedBytes) =>
          sendDownload(loadedBytes >= total, () => progress({ stage: 'download', loadedBytes })),
        beforeBuild: (backend) => progress({ stage: 'warm-up', backend }),
      });
    },
    run: ({ image }) => loaded().run(image),
    unload: async () => ({ released: (await variant?.release()) ?? false }),
  };
  return { handlers, loaded };
}
