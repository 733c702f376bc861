import type { GradeProgress } from '../../shared/protocol.js';
import { formatBytes } from '../model-state.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';

const STAGE_TEXT: Record<string, string> = {
  decode: 'Reading the photo…',
  preprocess: 'Finding the retina…',
  models: `Running both models (${RUNTIME_LABELS.tfjs} and ${RUNTIME_LABELS.ort})…`,
};

/** What a grading is doing now, in words, for the photo's Grade bar. */
export function gradingStageText(progress: GradeProgress): string {
  if (progress.stage === 'download')
    return `Downloading the model: ${formatBytes(progress.loadedBytes)} of ${formatBytes(progress.totalBytes)}…`;
  if (progress.stage === 'warm-up') return 'Compiling shaders and warming up…';
  return STAGE_TEXT[progress.stage] ?? '';
}
