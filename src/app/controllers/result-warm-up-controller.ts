import type { ModelManifestEntry } from '../../shared/model-manifest.js';
import type { GradeResult } from '../../shared/protocol.js';
import { placeholderResult } from '../result-warm-up.js';
import { StateController, type AppHost } from './state-controller.js';

/**
 * The stand-in result the host renders off screen once, when the main thread is idle after the models
 * load, and drops a frame later (why: src/app/result-warm-up.ts).
 */
export class ResultWarmUpController extends StateController<{ result: GradeResult | null }> {
  private done = false;

  /** `busy`: a real result is on screen or on its way, so the view is warm or about to be. */
  constructor(
    host: AppHost,
    private readonly busy: () => boolean,
  ) {
    super(host, { result: null });
    host.addController(this);
  }

  /** Once per host: a later call does nothing. */
  schedule(entry: ModelManifestEntry | undefined): void {
    if (this.done || !entry) return;
    this.done = true;
    const idle = (callback: () => void) =>
      'requestIdleCallback' in window ? requestIdleCallback(callback, { timeout: 2000 }) : setTimeout(callback, 200);
    idle(() => {
      if (this.busy()) return;
      this.set({ result: placeholderResult(entry) });
      // Style and layout happen in the next rendering step; drop the view after it.
      void this.host.updateComplete.then(() =>
        requestAnimationFrame(() => setTimeout(() => this.set({ result: null }))),
      );
    });
  }
}
