import { EYE_NAMES } from '../../shared/visit-outcome.js';
import type { InferenceService } from '../inference-service.js';
import type { Announce } from './announcer.js';
import { messageOf } from './state-controller.js';
import { THUMBNAIL_MAX_SIDE, type VisitPhotos, type VisitRecordSaves } from './visit-record-saves.js';
import { failsTheGate, type ScreenPhoto } from './visit-state.js';

const PREVIEW_MAX_SIDE = 720;

export interface PhotoReading {
  service: Pick<InferenceService, 'request'>;
  visit: VisitPhotos;
  saves: VisitRecordSaves;
  announce: Announce;
}

/**
 * Has the worker read a photo just added to the visit (retina, quality gate, preview), puts the answer
 * or why it failed on the photo and says it; a photo that fails the gate is saved at once as ungraded.
 * An answer for a photo no longer in the visit is dropped.
 */
export async function readPhoto(photo: ScreenPhoto, { service, visit, saves, announce }: PhotoReading): Promise<void> {
  try {
    const image = await photo.file.arrayBuffer();
    const inspect = await service.request(
      'inspect',
      { image, previewMaxSide: PREVIEW_MAX_SIDE, thumbnailMaxSide: THUMBNAIL_MAX_SIDE },
      { transfer: [image] },
    );
    if (!visit.patch(photo.id, { inspect })) return;
    const { fov, quality } = inspect;
    const said = !fov.found
      ? fov.message
      : quality.verdict === 'ungradable'
        ? `${quality.issues[0]?.message ?? 'Ungradable.'} You may grade it anyway.`
        : 'Retina found. Ready to grade.';
    const eye = visit.current().photos.find((p) => p.id === photo.id)?.eye ?? photo.eye;
    announce(`${EYE_NAMES[eye]} photo loaded. ${said}`);
    if (failsTheGate(inspect)) await saves.keepUngraded(photo.id);
  } catch (error) {
    const message = messageOf(error);
    if (visit.patch(photo.id, { readError: message })) announce(message);
  }
}

/** What is said when photos shared to the app arrive: the eyes they went to, and what did not come. */
export function launchedPhotosSaid(eyes: readonly string[], problems: readonly string[]): string {
  const added = eyes.length
    ? `${eyes.length === 1 ? 'A shared photo was' : `${eyes.length} shared photos were`} added: ${eyes.join(', ')}. Move a photo if it shows the other eye.`
    : '';
  return [added, ...problems].filter(Boolean).join(' ');
}
