import type { FovVerdict } from '../../src/shared/fov.js';

/** What a screener reads when a photo is refused: the reason, in words, and what to try. */
const FOV_MESSAGES: Record<Exclude<FovVerdict, 'ok'>, string> = {
  'too-small': 'The image is too small to find a retina in it.',
  'too-dark': 'No retina found: the photo is too dark. Retake it with the retina lit and in view.',
  uniform: 'No retina found: there is no bright disc on a dark background in this photo.',
  'no-edge': 'No retina found: the bright area has no round edge. Use the uncropped photo from the fundus camera.',
  'not-circular': 'No retina found: the bright area is not round, so this does not look like a fundus photo.',
  'disc-too-small': 'The retina is too small or too far outside the frame to grade. Centre it and retake the photo.',
};

export function fovMessage(verdict: FovVerdict): string {
  return verdict === 'ok' ? 'Retina found.' : FOV_MESSAGES[verdict];
}
