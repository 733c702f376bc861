/**
 * The ONNX Runtime worker: ORT's variant of the model, in a dedicated worker of its own that the
 * inference worker starts (workers/ort/ort-worker-host.ts), so that ORT grades while TF.js grades in
 * the inference worker. It brings ORT up, downloads and verifies the ONNX model, builds, warms up and
 * runs it. Messages follow workers/ort/ort-protocol.ts; the handlers are in workers/ort/ort-handlers.ts.
 * This entry registers the production requests only (the browser tests run
 * workers/testing/ort-test.worker.ts, which adds the test-only ones).
 */
import { createDispatcher } from './dispatcher.js';
import { createOrtHandlers } from './ort/ort-handlers.js';

declare const self: DedicatedWorkerGlobalScope;

const dispatch = createDispatcher(createOrtHandlers().handlers, self);
self.addEventListener('message', (event: MessageEvent<unknown>) => dispatch(event.data));
