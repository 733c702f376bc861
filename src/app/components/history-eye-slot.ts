import { css, html } from 'lit';
import { gradeName } from '../../shared/grades.js';
import { EYE_NAMES, type EyeOutcome, type PhotoEye, type VisitOutcome } from '../../shared/visit-outcome.js';

/**
 * The slots a visit shows: right and left, a missing eye as missing, and photos without a recorded eye
 * when there are any. A visit of such photos alone (a record from before visits) is not shown as two
 * missing eyes, as its summary does not read as one.
 */
export function visitSlots(outcome: VisitOutcome): Array<[PhotoEye, EyeOutcome]> {
  const { unspecified } = outcome;
  if (unspecified && outcome.left.status === 'missing' && outcome.right.status === 'missing')
    return [['unspecified', unspecified]];
  const slots: Array<[PhotoEye, EyeOutcome]> = [
    ['right', outcome.right],
    ['left', outcome.left],
  ];
  if (outcome.unspecified) slots.push(['unspecified', outcome.unspecified]);
  return slots;
}

/** An eye's result in a few words, for lists: "Grade 3 Severe", "Ungradable", "Missing". */
export function eyeStatusText(outcome: EyeOutcome): string {
  switch (outcome.status) {
    case 'missing':
      return 'Missing';
    case 'ungradable':
      return 'Ungradable';
    case 'graded':
      return `Grade ${outcome.grade} ${gradeName(outcome.grade)}`;
  }
}

export type VisitVerdict = 'refer' | 'no-referral' | 'incomplete';

/** The patient's referral for a visit: referred, not referred (both eyes screened), or not yet known. */
export function visitVerdict(outcome: VisitOutcome): VisitVerdict {
  if (outcome.refer) return 'refer';
  return outcome.complete ? 'no-referral' : 'incomplete';
}

export const VERDICT_TEXT: Record<VisitVerdict, string> = {
  refer: 'Refer to an ophthalmologist',
  'no-referral': 'No referral needed',
  incomplete: 'Incomplete — nothing referable so far',
};

/** The photo an eye's result rests on, whose thumbnail stands for the eye. */
export function decidingPhotoId(outcome: EyeOutcome): string | null {
  return outcome.status === 'missing' ? null : outcome.decidingPhotoId;
}

/** One eye of a visit: its deciding photo's thumbnail (or an empty frame) and its result. */
export function renderEyeSlot(eye: PhotoEye, outcome: EyeOutcome, thumbnail: string | undefined) {
  const referable = outcome.status === 'graded' && outcome.refer;
  return html`<span
    class="eye-slot ${outcome.status} ${referable ? 'refer' : ''}"
    data-eye=${eye}
    data-status=${outcome.status}
  >
    ${
      thumbnail
        ? html`<img class="eye-thumb" src=${thumbnail} alt="" />`
        : html`<span class="eye-thumb empty" aria-hidden="true"></span>`
    }
    <span class="eye-text">
      <span class="eye-name">${EYE_NAMES[eye]}<span class="visually-hidden">:</span></span>
      <span class="eye-status">${eyeStatusText(outcome)}${referable ? ', referable' : ''}</span>
    </span>
  </span>`;
}

export const eyeSlotStyles = css`
  .eye-slot {
    display: grid;
    grid-template-columns: 56px minmax(0, 1fr);
    gap: 0.5rem;
    align-items: center;
    min-width: 0;
  }
  .eye-thumb {
    display: block;
    width: 56px;
    height: 56px;
    border-radius: 6px;
    object-fit: cover;
    background: #000;
  }
  .eye-thumb.empty {
    background: var(--fg-background);
    border: 1px dashed var(--fg-border-strong);
  }
  .eye-text {
    display: grid;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .eye-name {
    font-size: 0.875rem;
    color: var(--fg-muted);
  }
  .eye-status {
    font-weight: 600;
  }
  .eye-slot.graded .eye-status {
    color: var(--fg-ok);
  }
  .eye-slot.refer .eye-status,
  .eye-slot.ungradable .eye-status {
    color: var(--fg-danger);
  }
  .eye-slot.missing .eye-status {
    color: var(--fg-warning);
  }
  .verdict-badge {
    display: inline-block;
    padding: 0.1rem 0.55rem;
    border-radius: 999px;
    border: 1px solid currentColor;
    font-size: 0.8125rem;
    font-weight: 600;
  }
  .verdict-badge.refer {
    color: var(--fg-danger);
  }
  .verdict-badge.no-referral {
    color: var(--fg-ok);
  }
  .verdict-badge.incomplete {
    color: var(--fg-warning);
  }
`;
