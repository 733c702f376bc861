import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { describeEye, EYE_NAMES, type EyeOutcome, type PhotoEye } from '../../shared/visit-outcome.js';
import { eyePhotoIds, visitPhotoIds, type HistoryVisit } from '../records/history-groups.js';
import './fg-visit-photo.js';
import { VERDICT_TEXT, visitSlots, visitVerdict } from './history-eye-slot.js';
import { sharedStyles } from './shared-styles.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const photos = (n: number) => `${n} photo${n === 1 ? '' : 's'}`;

/** "the right eye's photos", "the photos without a recorded eye" */
function eyePhotosName(eye: PhotoEye): string {
  return eye === 'unspecified' ? 'the photos without a recorded eye' : `the ${eye} eye's photos`;
}

/**
 * One visit, everything saved of it: the patient's referral and why, each eye's result and every photo
 * of it (fg-visit-photo). Requests go to the owner: `fg-delete-photos` (a photo, an eye's photos, the whole
 * visit), `fg-print-report` and `fg-visit-closed` (Back, or Escape anywhere in the visit).
 */
@customElement('fg-visit-detail')
export class FgVisitDetail extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .top {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        justify-content: space-between;
        margin-bottom: 0.75rem;
      }
      h2,
      h3 {
        overflow-wrap: anywhere;
      }
      h3 {
        font-size: 1.0625rem;
        margin: 0 0 0.25rem;
      }
      .referral {
        border-left: 4px solid currentColor;
        padding: 0.5rem 0.75rem;
        margin-bottom: 0.75rem;
        border-radius: 4px;
      }
      .referral p {
        margin: 0;
        font-weight: 700;
      }
      .referral ul {
        margin: 0.35rem 0 0;
        padding-left: 1.25rem;
        color: var(--fg-text);
        overflow-wrap: anywhere;
      }
      .refer {
        color: var(--fg-danger);
        background: var(--fg-danger-bg);
      }
      .no-referral {
        color: var(--fg-ok);
        background: var(--fg-ok-bg);
      }
      .incomplete {
        color: var(--fg-warning);
        background: var(--fg-warning-bg);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      section.eye {
        margin-top: 1.25rem;
        padding-top: 0.75rem;
        border-top: 2px solid var(--fg-border);
      }
      .eye-outcome {
        margin: 0 0 0.5rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) visit: HistoryVisit | null = null;
  /** The patient as the list names them (the id, or "No patient id"). */
  @property() patientLabel = '';
  /** Object URLs of the photos' thumbnails, by record id (the list owns them). */
  @property({ attribute: false }) thumbnails: ReadonlyMap<string, string> = new Map();

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKeyDown);
  }

  /** Moves focus onto the visit's heading (it was just opened). */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    this.close();
  };

  private close(): void {
    this.dispatchEvent(new CustomEvent('fg-visit-closed'));
  }

  /** `fg-print-report` is declared and answered by the report (src/app/report/). */
  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private renderReferral(visit: HistoryVisit) {
    const verdict = visitVerdict(visit.outcome);
    const missing = visitSlots(visit.outcome)
      .filter(([, outcome]) => outcome.status === 'missing')
      .map(([eye]) => `${EYE_NAMES[eye]}: no photo`);
    const lines = verdict === 'refer' ? visit.outcome.reasons : missing;
    return html`<div class="referral ${verdict}" data-referral=${verdict}>
      <p>${VERDICT_TEXT[verdict]}</p>
      ${
        lines.length
          ? html`<ul data-reasons>
              ${lines.map((line) => html`<li>${line}</li>`)}
            </ul>`
          : nothing
      }
    </div>`;
  }

  private renderEye(visit: HistoryVisit, eye: PhotoEye, outcome: EyeOutcome) {
    const ids = eyePhotoIds(visit, eye);
    return html`<section class="eye" data-eye=${eye} aria-labelledby="eye-${eye}">
      <h3 id="eye-${eye}">${EYE_NAMES[eye]}</h3>
      <p class="eye-outcome" data-eye-outcome>${describeEye(outcome)}</p>
      ${
        ids.length
          ? html`<button
              type="button"
              class="danger"
              data-delete-eye=${eye}
              @click=${() => this.emit('fg-delete-photos', { ids })}
            >
              Delete ${eyePhotosName(eye)} (${ids.length})
            </button>`
          : nothing
      }
      ${visit.eyes[eye].map(
        (photo) =>
          html`<fg-visit-photo .record=${photo} thumbnail=${this.thumbnails.get(photo.id) ?? ''}></fg-visit-photo>`,
      )}
    </section>`;
  }

  override render() {
    const visit = this.visit;
    if (!visit) return nothing;
    const ids = visitPhotoIds(visit);
    return html`<section aria-labelledby="visit-heading" data-visit-id=${visit.visitId}>
      <h2 id="visit-heading" tabindex="-1">Visit of ${this.patientLabel}, ${dateTime.format(visit.startedAt)}</h2>
      <div class="top">
        <button type="button" data-back @click=${this.close}>Back to the history</button>
        <div class="actions">
          <button
            type="button"
            data-print-report
            @click=${() => this.emit('fg-print-report', { visitId: visit.visitId })}
          >
            Print report
          </button>
          <button type="button" class="danger" data-delete-visit @click=${() => this.emit('fg-delete-photos', { ids })}>
            Delete the whole visit (${photos(ids.length)})
          </button>
        </div>
      </div>
      ${this.renderReferral(visit)}
      ${visitSlots(visit.outcome).map(([eye, outcome]) => this.renderEye(visit, eye, outcome))}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-visit-detail': FgVisitDetail;
  }
  interface HTMLElementEventMap {
    /** Back to the list (Back, or Escape). */
    'fg-visit-closed': CustomEvent<null>;
  }
}
