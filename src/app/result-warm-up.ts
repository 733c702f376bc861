import type { ModelManifestEntry } from '../shared/model-manifest.js';
import { modelSummary, type GradeResult, type QualityReport, type VariantResult } from '../shared/protocol.js';

const HEATMAP_SIDE = 10;

/** Gradable with no issues; the measures that may be unknown are left unknown. */
const NEUTRAL_QUALITY: QualityReport = {
  verdict: 'gradable',
  issues: [],
  measures: {
    fovFound: true,
    fovVerdict: 'ok',
    fovFrameFraction: 1,
    fovDiameterPx: 1,
    focus: null,
    darkFraction: null,
    brightFraction: null,
    medianLuma: null,
    illuminationRatio: null,
    blockiness: null,
  },
};

/**
 * A stand-in result for rendering the result view once, off screen and out of the accessibility
 * tree, while the app is idle after loading its models. Why: the first time the page lays out that
 * view costs ~140 ms of main-thread CPU on a 2-core tablet-class machine (templates, styles, the
 * first layout of its fonts and table; measured with `npm run measure:app`, Chromium trace), and
 * otherwise it lands inside the first screening's result task. Never saved, never announced.
 */
export function placeholderResult(entry: ModelManifestEntry): GradeResult {
  const variant = (runtime: VariantResult['runtime']): VariantResult => ({
    runtime,
    backend: 'wasm',
    probabilities: [0.2, 0.2, 0.2, 0.2, 0.2],
    grade: 0,
    ms: 0,
    startedAt: 0,
    endedAt: 0,
    heatmap: {
      grade: 0,
      width: HEATMAP_SIDE,
      height: HEATMAP_SIDE,
      values: new Array<number>(HEATMAP_SIDE * HEATMAP_SIDE).fill(0),
      ms: 0,
    },
  });
  return {
    image: { format: 'jpeg', sourceWidth: 1, sourceHeight: 1, width: 1, height: 1 },
    fov: { found: true, verdict: 'ok', message: '', confidence: 1, circle: { cx: 0, cy: 0, radius: 1 } },
    thumbnail: { bytes: new ArrayBuffer(0), mimeType: 'image/jpeg', width: 0, height: 0 },
    model: modelSummary(entry),
    variants: { tfjs: variant('tfjs'), ort: variant('ort') },
    quality: NEUTRAL_QUALITY,
    // A stand-in's outcome, not a decision: nothing reads it but the renderer.
    outcome: { grade: 0, agree: true, refer: false, referBy: null, referableProbability: 0.6 },
    timings: { decodeMs: 0, preprocessMs: 0, totalMs: 0 },
  };
}
