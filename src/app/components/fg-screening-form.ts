import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.js';

export interface GradeRequestDetail {
  /** Against the quality gate's verdict: the record keeps that the photo was graded anyway. */
  anyway: boolean;
}

/**
 * The Grade button of one photo, "Grade anyway" where the quality gate judged the photo ungradable,
 * Cancel while it grades, and under them, tied to the button (aria-describedby), why it cannot grade
 * now, what the grading is doing, or what grading anyway means. Emits `fg-grade-requested` and
 * `fg-grade-cancelled`.
 */
@customElement('fg-screening-form')
export class FgScreeningForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        gap: 0.5rem 0.75rem;
        align-items: center;
        flex-wrap: wrap;
      }
      .primary,
      .anyway {
        min-width: 9rem;
      }
      .anyway {
        border-color: var(--fg-warning);
        color: var(--fg-warning);
        font-weight: 600;
      }
      .hint {
        margin: 0;
        flex: 1 1 12rem;
      }
    `,
  ];

  /** A photo with a retina is read and the worker can grade it now. */
  @property({ type: Boolean, attribute: 'can-grade' }) canGrade = false;
  /** The quality gate judged the photo ungradable: only "Grade anyway". */
  @property({ type: Boolean }) anyway = false;
  @property({ type: Boolean }) busy = false;
  /** Progress in words while busy ("Running both models…"). */
  @property() stage = '';
  /** Why grading is not possible now, shown under the button. */
  @property() reason = '';

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (!this.canGrade || this.busy) return;
    const detail: GradeRequestDetail = { anyway: this.anyway };
    this.dispatchEvent(
      new CustomEvent<GradeRequestDetail>('fg-grade-requested', { detail, bubbles: true, composed: true }),
    );
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent('fg-grade-cancelled', { bubbles: true, composed: true }));
  }

  private hint(): string {
    if (this.busy) return this.stage;
    if (!this.canGrade) return this.reason;
    if (this.anyway) return 'The quality check judged this photo ungradable; its record will say it was graded anyway.';
    return '';
  }

  override render() {
    const disabled = !this.canGrade || this.busy;
    return html`
      <form @submit=${this.onSubmit}>
        <button
          class=${this.anyway ? 'anyway' : 'primary'}
          type="submit"
          data-grade
          ?disabled=${disabled}
          aria-describedby="why"
        >
          ${this.busy ? 'Grading…' : this.anyway ? 'Grade anyway' : 'Grade'}
        </button>
        ${this.busy ? html`<button type="button" @click=${this.cancel}>Cancel</button>` : nothing}
        <p id="why" class="hint small muted">${this.hint()}</p>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-screening-form': FgScreeningForm;
  }
  interface HTMLElementEventMap {
    'fg-grade-requested': CustomEvent<GradeRequestDetail>;
    'fg-grade-cancelled': CustomEvent<void>;
  }
}
