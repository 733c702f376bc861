import { css, html } from 'lit';
import type { HistoryPatient, HistoryVisit } from '../records/history-groups.js';
import { decidingPhotoId, renderEyeSlot, VERDICT_TEXT, visitSlots, visitVerdict } from './history-eye-slot.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export type OpenVisit = (patient: HistoryPatient, visit: HistoryVisit) => void;

/** The entry's selector, to give focus back to it when its visit is closed. */
export function visitEntrySelector(patientKey: string, visitId: string): string {
  return `button[data-patient-key="${CSS.escape(patientKey)}"][data-visit-id="${CSS.escape(visitId)}"]`;
}

/**
 * One visit in the list: a button that opens it, with its date, the patient's referral and each eye. Its
 * name starts with the patient, whose heading a screen reader skips when it lists the buttons.
 */
function renderVisitEntry(
  patient: HistoryPatient,
  visit: HistoryVisit,
  thumbnails: ReadonlyMap<string, string>,
  open: OpenVisit,
) {
  const verdict = visitVerdict(visit.outcome);
  return html`<li>
    <button
      type="button"
      class="visit"
      data-patient-key=${patient.key}
      data-visit-id=${visit.visitId}
      @click=${() => open(patient, visit)}
    >
      <span class="visit-head">
        <span class="visually-hidden"><span class="who">${patient.label}</span>, </span>
        <span class="visit-date">${dateTime.format(visit.startedAt)}<span class="visually-hidden">:</span></span>
        <span class="verdict-badge ${verdict}" data-verdict=${verdict}>${VERDICT_TEXT[verdict]}</span>
      </span>
      <span class="eyes">
        ${visitSlots(visit.outcome).map(([eye, outcome]) => {
          const photoId = decidingPhotoId(outcome);
          return renderEyeSlot(eye, outcome, photoId ? thumbnails.get(photoId) : undefined);
        })}
      </span>
    </button>
  </li>`;
}

/** A patient's heading and their visits, newest first. */
export function renderPatient(
  patient: HistoryPatient,
  index: number,
  thumbnails: ReadonlyMap<string, string>,
  open: OpenVisit,
) {
  const count = patient.visits.length;
  return html`<section class="patient" aria-labelledby="patient-${index}" data-patient-key=${patient.key}>
    <h3 id="patient-${index}">
      ${patient.label} <span class="small muted">· ${count} visit${count === 1 ? '' : 's'}</span>
    </h3>
    <ul class="visits">
      ${patient.visits.map((visit) => renderVisitEntry(patient, visit, thumbnails, open))}
    </ul>
  </section>`;
}

export const visitEntryStyles = css`
  .patient {
    margin-top: 1.25rem;
  }
  .patient h3 {
    font-size: 1.0625rem;
    margin: 0 0 0.5rem;
    overflow-wrap: anywhere;
  }
  ul.visits {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  button.visit {
    display: grid;
    gap: 0.5rem;
    width: 100%;
    padding: 0.6rem 0.75rem;
    text-align: left;
    font-weight: 400;
    border-color: var(--fg-border);
    border-radius: 10px;
    background: var(--fg-surface);
  }
  .visit-head {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.75rem;
    align-items: center;
    justify-content: space-between;
  }
  .visit-date {
    font-weight: 600;
  }
  .eyes {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 13rem), 1fr));
    gap: 0.5rem 1rem;
  }
`;
