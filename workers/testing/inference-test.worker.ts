/**
 * The inference worker as the browser tests run it (web-test-runner.config.mjs bundles this entry at
 * the worker's URL): the production handlers, unchanged, plus the test-only requests of
 * test-protocol.ts. build.mjs never bundles this file.
 */
import { createDispatcher, type Handlers } from '../dispatcher.js';
import { createInferenceHandlers } from '../inference-handlers.js';
import { countDecodes } from './decode-count.js';
import { scriptedGpus } from './scripted-gpus.js';
import { testHandlers } from './test-hooks.js';
import type { TestingRequestMap } from './test-protocol.js';

declare const self: DedicatedWorkerGlobalScope;

const decodes = countDecodes(self);
const gpus = scriptedGpus();
const { handlers, loaded, photos } = createInferenceHandlers({ describeGpus: gpus.describe });
const all: Handlers<TestingRequestMap> = { ...handlers, ...testHandlers(loaded, photos, decodes, gpus) };
const dispatch = createDispatcher(all, self);
self.addEventListener('message', (event: MessageEvent<unknown>) => dispatch(event.data));
