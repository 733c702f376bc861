/**
 * The inference worker: both runtimes live here so that decoding, model loading, shader compilation
 * and inference never block the page. Messages follow src/shared/protocol.ts; the handlers are in
 * inference-handlers.ts. This entry registers the production requests only (the browser tests run
 * workers/testing/inference-test.worker.ts, which adds the test-only ones).
 */
import { createDispatcher } from './dispatcher.js';
import { createInferenceHandlers } from './inference-handlers.js';

declare const self: DedicatedWorkerGlobalScope;

const dispatch = createDispatcher(createInferenceHandlers().handlers, self);
self.addEventListener('message', (event: MessageEvent<unknown>) => dispatch(event.data));
