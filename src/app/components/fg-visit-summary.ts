import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { VisitEye, VisitOutcome } from '../../shared/visit-outcome.js';
import { EYE_NAMES } from '../../shared/visit-outcome.js';
import { visitActionEvent, VISIT_EYES } from '../controllers/visit-state.js';
import { sharedStyles } from './shared-styles.js';

/**
 * The visit as a whole: each eye's result (missing, ungradable and why, or its grade), one referral
 * decision for the patient with its reasons in words, and what to do next: print the report
 * (`fg-print-report`) or start a new visit (`fg-visit-action`), which asks again first when the visit
 * has photos not graded or not saved.
 */
@customElement('fg-visit-summary')
export class FgVisitSummary extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.35rem 1rem;
        margin: 0 0 1rem;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
      p {
        margin: 0 0 0.5rem;
      }
      .referral {
        font-size: 1.125rem;
        font-weight: 700;
      }
      .referral.refer {
        color: var(--fg-danger);
      }
      .referral.ok {
        color: var(--fg-ok);
      }
      ul {
        margin: 0 0 0.75rem;
        padding-left: 1.25rem;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 0.75rem;
        align-items: center;
        margin-top: 0.75rem;
      }
      @media (max-width: 30rem) {
        dl {
          grid-template-columns: minmax(0, 1fr);
        }
      }
    `,
  ];

  @property() visitId = '';
  @property({ attribute: false }) outcome: VisitOutcome | null = null;
  /** Each eye's result in words, with photos still waiting to be graded (eyeStatus). */
  @property({ attribute: false }) eyes: { right: string; left: string } = { right: '', left: '' };
  /** Each eye's photos waiting to be graded. */
  @property({ attribute: false }) waiting: Record<VisitEye, number> = { right: 0, left: 0 };
  /** What a new visit would leave behind (photos not graded or not saved); empty when nothing. */
  @property() unfinished = '';
  /** The visit has records to report. */
  @property({ type: Boolean, attribute: 'can-report' }) canReport = false;
  /** A grading runs: the visit cannot end now. */
  @property({ type: Boolean }) busy = false;
  @state() private confirming = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('visitId') || changed.has('unfinished')) this.confirming = false;
  }

  /** Moves focus onto the summary's heading. */
  focusHeading(): void {
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  private newVisit(): void {
    if (this.unfinished && !this.confirming) {
      this.confirming = true;
      return;
    }
    this.confirming = false;
    this.dispatchEvent(visitActionEvent({ type: 'new-visit' }));
  }

  private printReport(): void {
    // Answered by the report (src/app/report/), which declares the event.
    const detail = { visitId: this.visitId };
    this.dispatchEvent(new CustomEvent('fg-print-report', { detail, bubbles: true, composed: true }));
  }

  private renderReferral(outcome: VisitOutcome) {
    const waiting = this.waiting.right + this.waiting.left;
    const missing = VISIT_EYES.filter((eye) => outcome[eye].status === 'missing' && !this.waiting[eye]).map(
      (eye) => `${EYE_NAMES[eye]}: no photo yet.`,
    );
    const waitingLine = waiting
      ? `${waiting === 1 ? 'One photo is' : `${waiting} photos are`} waiting to be graded.`
      : '';
    const lines = (items: string[]) =>
      html`<ul data-reasons>
        ${items.filter(Boolean).map((item) => html`<li>${item}</li>`)}
      </ul>`;
    if (outcome.refer)
      return html`<p class="referral refer" data-referral="refer">Refer to an ophthalmologist</p>
        ${lines([...outcome.reasons, ...missing, waitingLine])}`;
    if (outcome.complete && !waiting)
      return html`<p class="referral ok" data-referral="none">No referral needed</p>
        <p class="small muted">Both eyes graded, neither referable.</p>`;
    return html`<p class="referral" data-referral="incomplete">Not complete: nothing referable so far</p>
      ${lines([...missing, waitingLine])}`;
  }

  override render() {
    const outcome = this.outcome;
    if (!outcome) return nothing;
    const blocked = this.busy ? 'A photo is being graded.' : '';
    return html`<section aria-labelledby="summary-heading">
      <h2 id="summary-heading" tabindex="-1">Visit summary</h2>
      <dl>
        ${VISIT_EYES.map(
          (eye) =>
            html`<dt>${EYE_NAMES[eye]}</dt>
              <dd data-eye=${eye}>${this.eyes[eye]}</dd>`,
        )}
      </dl>
      ${this.renderReferral(outcome)}
      ${
        this.confirming
          ? html`<p class="notice warning" role="alert" data-unfinished>
              ${this.unfinished} Start a new visit anyway?
            </p>`
          : nothing
      }
      <div class="buttons">
        <button
          type="button"
          data-print-report
          ?disabled=${!this.canReport}
          aria-describedby=${this.canReport ? nothing : 'print-why'}
          @click=${this.printReport}
        >
          Print report
        </button>
        <button
          type="button"
          class="primary"
          data-new-visit
          ?disabled=${this.busy}
          aria-describedby=${blocked ? 'new-visit-why' : nothing}
          @click=${this.newVisit}
        >
          ${this.confirming ? 'Start new visit anyway' : 'New visit'}
        </button>
        ${this.confirming ? html`<button type="button" @click=${() => (this.confirming = false)}>Keep this visit</button>` : nothing}
        ${this.canReport ? nothing : html`<p id="print-why" class="small muted">No photo of this visit is saved yet.</p>`}
        ${blocked ? html`<p id="new-visit-why" class="small muted">${blocked}</p>` : nothing}
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-visit-summary': FgVisitSummary;
  }
}
