/**
 * The ONNX Runtime worker as the browser tests run it (web-test-runner.config.mjs bundles this entry at
 * the ORT worker's URL): the production handlers, unchanged, plus the test-only requests of
 * test-protocol.ts (OrtTestRequestMap). build.mjs never bundles this file.
 */
import { createDispatcher, type Handlers } from '../dispatcher.js';
import { createOrtHandlers } from '../ort/ort-handlers.js';
import { ortTestHandlers } from './ort-test-hooks.js';
import type { OrtTestingRequestMap } from './test-protocol.js';

declare const self: DedicatedWorkerGlobalScope;

const { handlers, loaded } = createOrtHandlers();
const all: Handlers<OrtTestingRequestMap> = { ...handlers, ...ortTestHandlers(loaded) };
const dispatch = createDispatcher(all, self);
self.addEventListener('message', (event: MessageEvent<unknown>) => dispatch(event.data));
