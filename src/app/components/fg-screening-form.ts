import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Eye } from '../records/screening-record.js';
import { sharedStyles } from './shared-styles.js';

export interface GradeRequestDetail {
  patientId: string;
  eye: Eye;
}

const EYES: ReadonlyArray<{ value: Eye; label: string }> = [
  { value: 'left', label: 'Left eye' },
  { value: 'right', label: 'Right eye' },
  { value: 'unspecified', label: 'Not recorded' },
];

/** Patient id, eye and the Grade button. Emits `fg-grade-requested`, and `fg-grade-cancelled` while busy. */
@customElement('fg-screening-form')
export class FgScreeningForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 1rem;
      }
      label,
      legend {
        font-weight: 600;
        display: block;
        margin-bottom: 0.35rem;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
      }
      .eyes {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .eyes label {
        font-weight: 400;
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        min-height: 44px;
        padding: 0 0.85rem;
        border: 1px solid var(--fg-border-strong);
        border-radius: 8px;
        margin: 0;
        cursor: pointer;
      }
      .eyes label:has(input:checked) {
        border-color: var(--fg-accent);
        background: var(--fg-hover);
        font-weight: 600;
      }
      .eyes input {
        width: 1.1rem;
        height: 1.1rem;
        accent-color: var(--fg-accent);
      }
      .buttons {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
      }
      .buttons .primary {
        min-width: 10rem;
      }
      .hint {
        margin: 0.25rem 0 0;
      }
    `,
  ];

  /** A photo with a detected retina is ready and the worker is up. */
  @property({ type: Boolean, attribute: 'can-grade' }) canGrade = false;
  @property({ type: Boolean }) busy = false;
  /** Progress in words while busy ("Running ONNX Runtime…"). */
  @property() stage = '';
  /** Why grading is not possible yet, shown under the button. */
  @property() reason = '';
  @state() private patientId = '';
  @state() private eye: Eye = 'unspecified';

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (!this.canGrade || this.busy) return;
    const detail: GradeRequestDetail = { patientId: this.patientId.trim(), eye: this.eye };
    this.dispatchEvent(
      new CustomEvent<GradeRequestDetail>('fg-grade-requested', { detail, bubbles: true, composed: true }),
    );
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent('fg-grade-cancelled', { bubbles: true, composed: true }));
  }

  override render() {
    const disabled = !this.canGrade || this.busy;
    return html`
      <form @submit=${this.onSubmit} aria-describedby="why">
        <div>
          <label for="patient">Patient ID <span class="muted small">(optional)</span></label>
          <input
            id="patient"
            type="text"
            autocomplete="off"
            spellcheck="false"
            maxlength="64"
            .value=${this.patientId}
            @input=${(e: Event) => (this.patientId = (e.target as HTMLInputElement).value)}
          />
        </div>
        <fieldset>
          <legend>Eye</legend>
          <div class="eyes">
            ${EYES.map(
              ({ value, label }) =>
                html`<label>
                  <input
                    type="radio"
                    name="eye"
                    .value=${value}
                    .checked=${this.eye === value}
                    @change=${() => (this.eye = value)}
                  />
                  ${label}
                </label>`,
            )}
          </div>
        </fieldset>
        <div>
          <div class="buttons">
            <button class="primary" type="submit" ?disabled=${disabled} aria-describedby="why">
              ${this.busy ? 'Grading…' : 'Grade'}
            </button>
            ${this.busy ? html`<button type="button" @click=${this.cancel}>Cancel</button>` : nothing}
          </div>
          <p id="why" class="hint small muted">${this.busy ? this.stage : this.canGrade ? '' : this.reason}</p>
        </div>
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
