/**
 * Parts of an eye's panel (<fg-eye-panel>) that need nothing of the panel but the photo: which heatmap
 * explains the grade, and what became of a photo kept without grading. They render into the panel's own
 * shadow root, under its styles.
 */
import { html, nothing } from 'lit';
import type { GradeResult, Heatmap } from '../../shared/protocol.js';
import type { ScreenPhoto, VisitAction } from '../controllers/visit-state.js';

/**
 * The heatmap of the variant whose grade the outcome acted on (the more severe when they disagree): the
 * map that explains the grade the screener reads. The variants share their weights, so where they agree
 * their maps barely differ.
 */
export function actedOnHeatmap(result: GradeResult): Heatmap | null {
  const { tfjs, ort } = result.variants;
  return (tfjs.grade === result.outcome.grade ? tfjs : ort).heatmap ?? null;
}

/** The save of a photo kept as ungraded: saving, saved, or failed with "Save again". */
export function keptSaveNote(photo: ScreenPhoto, act: (action: VisitAction) => void) {
  const save = photo.save;
  if (photo.record?.kind !== 'ungraded' || !save) return nothing;
  if (save.state === 'failed')
    return html`<p class="notice error" role="alert">
      ${save.message}
      <button type="button" data-retry-save @click=${() => act({ type: 'retry-save', photoId: photo.id })}>
        Save again
      </button>
    </p>`;
  return html`<p class="small muted" data-kept=${save.state}>
    ${save.state === 'saving' ? 'Saving' : 'Saved'} in this visit as not
    graded${save.state === 'saving' ? '…' : ' (History).'}
  </p>`;
}
