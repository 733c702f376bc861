import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { EYE_NAMES, type VisitEye } from '../../shared/visit-outcome.js';
import {
  eyeName,
  gradableOnlyAnyway,
  otherEye,
  visitActionEvent,
  type NextStep,
  type ScreenPhoto,
  type VisitAction,
} from '../controllers/visit-state.js';
import { actedOnHeatmap, keptSaveNote } from './eye-panel-parts.js';
import './fg-grade-result.js';
import type { FgGradeResult } from './fg-grade-result.js';
import './fg-photo-picker.js';
import type { PhotoChosenDetail } from './fg-photo-picker.js';
import './fg-photo-preview.js';
import './fg-screening-form.js';
import type { GradeRequestDetail } from './fg-screening-form.js';
import './fg-visit-photos.js';
import './fg-visit-quality.js';
import { sharedStyles } from './shared-styles.js';

/**
 * One eye of the visit: its photo picker, its current photo (preview with the retina outlined and, on
 * request, the heatmap; the quality gate's verdict with its measured values), Grade or Grade anyway in a
 * bar that stays on screen while the panel is, the result, and the eye's earlier photos. Emits
 * `fg-visit-action` and, from the bar once graded, `fg-visit-goto` (the next eye or the summary).
 */
@customElement('fg-eye-panel')
export class FgEyePanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        gap: 0.75rem;
        align-content: start;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.25rem 0.75rem;
      }
      .head h2 {
        margin: 0;
      }
      p {
        margin: 0;
      }
      .photo-actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .bar {
        position: sticky;
        bottom: 0;
        z-index: 1;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        margin: 0 -0.5rem;
        padding: 0.5rem;
        background: var(--fg-surface);
        border-top: 1px solid var(--fg-border);
        box-shadow: 0 -6px 12px -8px rgb(0 0 0 / 0.25);
      }
      .bar fg-screening-form,
      .bar .next {
        flex: 1 1 14rem;
      }
      .next {
        font-weight: 600;
      }
    `,
  ];

  @property({ reflect: true }) eye: VisitEye = 'right';
  /** This eye's photos, the current one first. */
  @property({ attribute: false }) photos: readonly ScreenPhoto[] = [];
  /** Why the current photo cannot be graded now; empty when it can. */
  @property() blocker = '';
  /** The eye's result in words (VisitState's outcome). */
  @property() status = '';
  /** What comes once the current photo is graded. */
  @property({ attribute: false }) next: NextStep | null = null;
  /** A grading runs somewhere in the visit. */
  @property({ type: Boolean }) busy = false;
  /** Its picker answers a paste anywhere on the page. */
  @property({ type: Boolean, attribute: 'takes-paste' }) takesPaste = false;
  @state() private showHeatmap = false;

  /** Moves focus onto the current photo's result once it is rendered. */
  async focusResult(): Promise<void> {
    await this.updateComplete;
    const result = this.renderRoot.querySelector<FgGradeResult>('fg-grade-result');
    await result?.updateComplete;
    result?.focusHeading();
  }

  /** Moves focus onto the photo picker's first button. */
  async focusPicker(): Promise<void> {
    await this.updateComplete;
    const picker = this.renderRoot.querySelector('fg-photo-picker');
    await picker?.updateComplete;
    picker?.shadowRoot?.querySelector<HTMLButtonElement>('button')?.focus();
  }

  private act(action: VisitAction): void {
    this.dispatchEvent(visitActionEvent(action));
  }

  private onPhotoChosen(event: CustomEvent<PhotoChosenDetail>): void {
    event.stopPropagation();
    this.act({ type: 'add', eye: this.eye, files: [event.detail.file] });
  }

  private renderPhotoActions(photo: ScreenPhoto) {
    const map = photo.result ? actedOnHeatmap(photo.result) : null;
    const other = otherEye(this.eye);
    return html`<div class="photo-actions">
      ${
        map
          ? html`<button
              type="button"
              data-heatmap-toggle
              aria-pressed=${this.showHeatmap ? 'true' : 'false'}
              @click=${() => (this.showHeatmap = !this.showHeatmap)}
            >
              Show heatmap
            </button>`
          : nothing
      }
      <button
        type="button"
        data-move
        ?disabled=${!!photo.grading}
        @click=${() => this.act({ type: 'move', photoId: photo.id, eye: other })}
      >
        Move to the ${eyeName(other)}
      </button>
      <button type="button" data-remove @click=${() => this.act({ type: 'remove', photoId: photo.id })}>
        Remove<span class="visually-hidden"> this photo</span>
      </button>
    </div>`;
  }

  private renderBar(photo: ScreenPhoto) {
    const next = this.next;
    if (photo.result && next) {
      const goto = () =>
        this.dispatchEvent(new CustomEvent('fg-visit-goto', { detail: next.target, bubbles: true, composed: true }));
      return html`<div class="bar" data-bar>
        <p class="next" data-next-step>${next.text}</p>
        <button type="button" @click=${goto}>
          ${next.target === 'summary' ? 'Visit summary' : `Go to the ${eyeName(next.target)}`}
        </button>
      </div>`;
    }
    return html`<div class="bar" data-bar>
      <fg-screening-form
        ?can-grade=${this.blocker === ''}
        ?anyway=${gradableOnlyAnyway(photo)}
        ?busy=${!!photo.grading}
        stage=${photo.grading?.stage ?? ''}
        reason=${this.blocker}
        @fg-grade-requested=${(e: CustomEvent<GradeRequestDetail>) =>
          this.act({ type: 'grade', photoId: photo.id, anyway: e.detail.anyway })}
        @fg-grade-cancelled=${() => this.act({ type: 'cancel' })}
      ></fg-screening-form>
    </div>`;
  }

  private renderCurrent(photo: ScreenPhoto) {
    const { inspect, result } = photo;
    const heatmap = result && this.showHeatmap ? actedOnHeatmap(result) : null;
    return html`
      ${photo.readError ? html`<p class="notice error" data-photo-error>${photo.readError}</p>` : nothing}
      ${!inspect && !photo.readError ? html`<p class="muted">Reading ${photo.file.name}…</p>` : nothing}
      ${
        inspect
          ? html`<fg-photo-preview
                .preview=${inspect.preview}
                .fov=${inspect.fov}
                .heatmap=${heatmap}
                fileName=${photo.file.name}
              ></fg-photo-preview>
              <fg-visit-quality .inspect=${inspect}></fg-visit-quality>`
          : nothing
      }
      ${this.renderPhotoActions(photo)} ${keptSaveNote(photo, (action) => this.act(action))}
      ${photo.gradeError ? html`<p class="notice error" data-grade-error>${photo.gradeError}</p>` : nothing}
      ${this.renderBar(photo)}
      ${
        result
          ? html`<fg-grade-result
              .result=${result}
              .saveState=${photo.save}
              heading="${EYE_NAMES[this.eye]}: result"
              @fg-retry-save=${(e: Event) => {
                e.stopPropagation();
                this.act({ type: 'retry-save', photoId: photo.id });
              }}
            ></fg-grade-result>`
          : nothing
      }
    `;
  }

  override render() {
    const [current, ...earlier] = this.photos;
    return html`<section class="card" aria-labelledby="heading" data-photos=${this.photos.length}>
      <div class="head">
        <h2 id="heading">${EYE_NAMES[this.eye]}</h2>
        <p class="small" data-eye-status>${this.status}</p>
      </div>
      <fg-photo-picker
        subject=${eyeName(this.eye)}
        ?compact=${!!current}
        ?disabled=${!!current?.grading}
        .takesPaste=${this.takesPaste}
        @fg-photo-chosen=${this.onPhotoChosen}
      ></fg-photo-picker>
      ${current ? this.renderCurrent(current) : nothing}
      <fg-visit-photos eye=${this.eye} .photos=${earlier} ?busy=${this.busy}></fg-visit-photos>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-eye-panel': FgEyePanel;
  }
  interface HTMLElementEventMap {
    /** Where the screener goes next: an eye's picker, or the visit summary. */
    'fg-visit-goto': CustomEvent<VisitEye | 'summary'>;
  }
}
