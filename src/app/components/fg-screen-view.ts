import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { VisitEye } from '../../shared/visit-outcome.js';
import {
  awaitsGrading,
  eyeForNewPhoto,
  eyeStatus,
  nextStep,
  photosOf,
  unfinishedWork,
  visitActionEvent,
  VISIT_EYES,
  type VisitState,
} from '../controllers/visit-state.js';
import './fg-eye-panel.js';
import type { FgEyePanel } from './fg-eye-panel.js';
import './fg-visit-summary.js';
import type { FgVisitSummary } from './fg-visit-summary.js';

/** The Screen tab's layout; adopted by the shadow root fg-screen-view renders into (see below). */
export const screenViewStyles = css`
  fg-screen-view {
    display: block;
  }
  .visit,
  .eyes {
    display: grid;
    gap: 1rem;
    grid-template-columns: minmax(0, 1fr);
    align-items: start;
  }
  @media (min-width: 1000px) {
    .eyes {
      grid-template-columns: repeat(2, minmax(0, 1fr));
    }
  }
  .visit-head {
    display: grid;
    gap: 0.5rem;
  }
  .visit-head h2,
  .visit-head p {
    margin: 0;
  }
  .visit-head label {
    font-weight: 600;
  }
  .visit-head input {
    max-width: 24rem;
  }
  .visit-notices ul {
    margin: 0.25rem 0 0.5rem;
    padding-left: 1.25rem;
  }
`;

/**
 * The Screen tab: one screening visit. The patient id, a panel per eye (fg-eye-panel) and the visit's
 * summary (fg-visit-summary), drawn from a VisitState; the views' requests (`fg-visit-action`,
 * `fg-print-report`) bubble to its owner. It renders into the shadow root it sits in, not a root of its
 * own, so that the tab stays one tree with the app around it: the app's styles, focus and element
 * lookups reach into it.
 */
@customElement('fg-screen-view')
export class FgScreenView extends LitElement {
  @property({ attribute: false }) visit: VisitState | null = null;
  /** Why each eye's current photo cannot be graded now; empty when it can. */
  @property({ attribute: false }) blockers: Record<VisitEye, string> = { right: '', left: '' };

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const previous = changed.get('visit');
    // A new visit: the next patient's id comes first.
    if (previous && this.visit && previous.visitId !== this.visit.visitId)
      this.querySelector<HTMLInputElement>('#visit-patient')?.focus();
  }

  private panel(eye: VisitEye): FgEyePanel | null {
    return this.querySelector<FgEyePanel>(`fg-eye-panel[eye=${eye}]`);
  }

  /** Moves focus onto the result of the eye's current photo once it is rendered. */
  async focusResult(eye: VisitEye): Promise<void> {
    await this.updateComplete;
    await this.panel(eye)?.focusResult();
  }

  private async goTo(target: VisitEye | 'summary'): Promise<void> {
    if (target !== 'summary') return this.panel(target)?.focusPicker();
    const summary = this.querySelector<FgVisitSummary>('fg-visit-summary');
    await summary?.updateComplete;
    summary?.focusHeading();
  }

  private onPatientId(event: Event, commit: boolean): void {
    const patientId = (event.target as HTMLInputElement).value;
    this.dispatchEvent(visitActionEvent({ type: 'patient-id', patientId, commit }));
  }

  private renderNotices(notices: readonly string[]) {
    if (!notices.length) return nothing;
    return html`<div class="notice warning visit-notices" data-launch-notices>
      <ul>
        ${notices.map((notice) => html`<li>${notice}</li>`)}
      </ul>
      <button type="button" @click=${() => this.dispatchEvent(visitActionEvent({ type: 'dismiss-notices' }))}>
        Dismiss
      </button>
    </div>`;
  }

  override render() {
    const visit = this.visit;
    if (!visit) return nothing;
    const busy = visit.photos.some((photo) => photo.grading);
    const pasteEye = eyeForNewPhoto(visit);
    const photos = (eye: VisitEye) => photosOf(visit.photos, eye);
    return html`<div class="visit" @fg-visit-goto=${(e: CustomEvent<VisitEye | 'summary'>) => void this.goTo(e.detail)}>
      <section class="card visit-head" aria-labelledby="visit-heading">
        <h2 id="visit-heading">Visit</h2>
        <label for="visit-patient">Patient ID <span class="muted small">(optional)</span></label>
        <input
          id="visit-patient"
          type="text"
          autocomplete="off"
          spellcheck="false"
          maxlength="64"
          .value=${visit.patientId}
          @input=${(e: Event) => this.onPatientId(e, false)}
          @change=${(e: Event) => this.onPatientId(e, true)}
        />
        <p class="small muted">One or more photos of each eye; each is saved on this device as soon as it is read.</p>
        ${this.renderNotices(visit.notices)}
      </section>
      <div class="eyes">
        ${VISIT_EYES.map(
          (eye) =>
            html`<fg-eye-panel
              eye=${eye}
              .photos=${photos(eye)}
              blocker=${this.blockers[eye]}
              status=${eyeStatus(visit.outcome[eye], photos(eye))}
              .next=${nextStep(visit, eye)}
              ?busy=${busy}
              ?takes-paste=${pasteEye === eye}
            ></fg-eye-panel>`,
        )}
      </div>
      <div class="card">
        <fg-visit-summary
          visitId=${visit.visitId}
          .outcome=${visit.outcome}
          .eyes=${{
            right: eyeStatus(visit.outcome.right, photos('right')),
            left: eyeStatus(visit.outcome.left, photos('left')),
          }}
          .waiting=${{
            right: photos('right').filter(awaitsGrading).length,
            left: photos('left').filter(awaitsGrading).length,
          }}
          unfinished=${unfinishedWork(visit.photos)}
          ?can-report=${visit.photos.some((photo) => photo.record && photo.save?.state === 'saved')}
          ?busy=${busy}
        ></fg-visit-summary>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-screen-view': FgScreenView;
  }
}
