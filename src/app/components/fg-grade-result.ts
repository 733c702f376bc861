import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { GRADE_NAMES, REFERABLE_FROM, type Grade } from '../../shared/grades.js';
import type { GradeResult, VariantResult } from '../../shared/protocol.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import { sharedStyles } from './shared-styles.js';

export type SaveState = { state: 'saving' } | { state: 'saved' } | { state: 'failed'; message: string };

export const DEMO_MODEL_NOTICE = 'Demo model trained on synthetic images — not for clinical use';

/** What to say about a model wherever it grades: its own notice, else the generic demo notice for a demo model, else nothing. */
export function modelNotice(model: { demo: boolean; notice?: string }): string | null {
  return model.notice ?? (model.demo ? DEMO_MODEL_NOTICE : null);
}

const percent = (p: number) => `${(p * 100).toFixed(1)} %`;
const milliseconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** One grading: the grade, the referral, both variants' probabilities side by side, backends and times. */
@customElement('fg-grade-result')
export class FgGradeResult extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .summary {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.75rem 1.25rem;
        align-items: center;
        margin-bottom: 1rem;
      }
      .grade {
        display: grid;
        justify-items: center;
        min-width: 7rem;
        padding: 0.75rem 1rem;
        border-radius: 12px;
        border: 2px solid var(--fg-ok);
        color: var(--fg-ok);
        background: var(--fg-ok-bg);
      }
      .grade.refer {
        border-color: var(--fg-danger);
        color: var(--fg-danger);
        background: var(--fg-danger-bg);
      }
      .grade .number {
        font-size: 2.5rem;
        font-weight: 700;
        line-height: 1;
      }
      .grade .name {
        font-weight: 600;
      }
      .verdict p {
        margin: 0 0 0.4rem;
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
      .disagree {
        color: var(--fg-warning);
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
      }
      caption {
        text-align: left;
        font-weight: 600;
        padding-bottom: 0.5rem;
      }
      th,
      td {
        padding: 0.4rem 0.5rem;
        border-top: 1px solid var(--fg-border);
        text-align: left;
        vertical-align: middle;
      }
      thead th {
        border-top: 0;
        font-size: 0.875rem;
        color: var(--fg-muted);
        font-weight: 600;
      }
      tbody th {
        font-weight: 500;
        white-space: nowrap;
      }
      .cell {
        display: grid;
        grid-template-columns: 1fr 4.5rem;
        align-items: center;
        gap: 0.5rem;
      }
      /* SVG bars: an attribute width needs no inline style, which the page's CSP forbids. */
      .bar {
        display: block;
        width: 100%;
        height: 0.75rem;
      }
      .track {
        fill: #eee7e3;
      }
      .tfjs .fill {
        fill: var(--fg-bar-tfjs);
      }
      .ort .fill {
        fill: var(--fg-bar-ort);
      }
      .top {
        font-weight: 700;
      }
      .value {
        text-align: right;
      }
      /* On a phone the three columns need every pixel: the numbers stay, the bars go. */
      @media (max-width: 480px) {
        th,
        td {
          padding: 0.4rem 0.25rem;
        }
        tbody th {
          white-space: normal;
        }
        .cell {
          grid-template-columns: 1fr;
        }
        .bar {
          display: none;
        }
      }
      dl.runs {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 1rem;
        margin: 1rem 0 0;
      }
      dl.runs dt {
        font-weight: 600;
      }
      dl.runs dd {
        margin: 0;
      }
      .footer {
        margin-top: 1rem;
        display: grid;
        gap: 0.5rem;
      }
      .backend {
        font-family: ui-monospace, monospace;
      }
    `,
  ];

  @property({ attribute: false }) result: GradeResult | null = null;
  @property({ attribute: false }) saveState: SaveState | null = null;
  /** The heading's words, e.g. whose result it is. */
  @property() heading = 'Result';

  /** Moves keyboard and screen-reader focus to the result once it is shown. */
  focusHeading(): void {
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  private renderVariantCell(variant: VariantResult, grade: number) {
    const p = variant.probabilities[grade] ?? 0;
    return html`<td class=${variant.runtime}>
      <div class="cell ${variant.grade === grade ? 'top' : ''}">
        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
          ${svg`<rect class="track" width="100" height="10" rx="5"></rect><rect class="fill" width=${(p * 100).toFixed(2)} height="10" rx="5"></rect>`}
        </svg>
        <span class="value">${percent(p)}</span>
      </div>
    </td>`;
  }

  private renderRun(variant: VariantResult) {
    return html`<dt>${RUNTIME_LABELS[variant.runtime]}</dt>
      <dd>
        <span class="backend" data-backend=${variant.runtime}>${variant.backend}</span>, ${milliseconds(variant.ms)}
        ${variant.fallback ? html`<br /><span class="small disagree">${variant.fallback}</span>` : nothing}
      </dd>`;
  }

  private renderSaveState() {
    const save = this.saveState;
    if (!save) return nothing;
    if (save.state === 'saving') return html`<p class="small muted">Saving on this device…</p>`;
    if (save.state === 'saved') return html`<p class="small" data-saved>Saved on this device (History).</p>`;
    // The result stays on screen, so the screener can try again once space is freed or the database is back.
    const retry = () => this.dispatchEvent(new CustomEvent('fg-retry-save', { bubbles: true, composed: true }));
    return html`<p class="notice error" role="alert">
      ${save.message} <button type="button" data-retry-save @click=${retry}>Save again</button>
    </p>`;
  }

  override render() {
    const result = this.result;
    if (!result) return nothing;
    const { tfjs, ort } = result.variants;
    const threshold = result.model.referralThreshold;
    // Decided by the worker (GradeResult.outcome); shown as it is.
    const outcome = result.outcome;
    const name = (grade: Grade) => `${grade} (${GRADE_NAMES[grade]})`;
    const notice = modelNotice(result.model);
    return html`
      <section aria-labelledby="heading">
        <h2 id="heading" tabindex="-1">${this.heading}</h2>
        ${notice ? html`<p class="notice warning small" data-demo data-model-notice>${notice}</p>` : nothing}
        <div class="summary">
          <div class="grade ${outcome.refer ? 'refer' : ''}" data-grade=${outcome.grade}>
            <span class="small">Grade</span>
            <span class="number">${outcome.grade}</span>
            <span class="name">${GRADE_NAMES[outcome.grade]}</span>
          </div>
          <div class="verdict">
            <p class="referral ${outcome.refer ? 'refer' : 'ok'}" data-referral=${outcome.refer ? 'refer' : 'none'}>
              ${outcome.refer ? 'Refer to an ophthalmologist' : 'No referral needed'}
            </p>
            ${
              outcome.referBy === 'probability'
                ? html`<p data-refer-by="probability">
                    The grade is below ${REFERABLE_FROM}, but the probability of referable DR (grade ${REFERABLE_FROM}
                    or higher), ${percent(outcome.referableProbability)}, reaches this model's screening threshold of
                    ${percent(threshold!)}.
                  </p>`
                : nothing
            }
            <p class="small muted">
              Referral from grade ${REFERABLE_FROM} (${GRADE_NAMES[REFERABLE_FROM]})
              upwards${
                threshold !== undefined
                  ? `, or when the probability of grade ${REFERABLE_FROM} or higher is ${percent(threshold)} or more`
                  : ''
              }.
            </p>
            ${
              outcome.agree
                ? html`<p data-agree="yes">Both models agree.</p>`
                : html`<p class="disagree" data-agree="no">
                    The models disagree: TensorFlow.js grade ${name(tfjs.grade)}, ONNX Runtime grade ${name(ort.grade)}.
                    The higher grade is used.
                  </p>`
            }
          </div>
        </div>
        <table>
          <caption>
            Probability of each grade
          </caption>
          <thead>
            <tr>
              <th scope="col">Grade</th>
              <th scope="col">${RUNTIME_LABELS.tfjs}</th>
              <th scope="col">${RUNTIME_LABELS.ort}</th>
            </tr>
          </thead>
          <tbody>
            ${GRADE_NAMES.map(
              (label, grade) =>
                html`<tr>
                  <th scope="row">${grade} ${label}</th>
                  ${this.renderVariantCell(tfjs, grade)} ${this.renderVariantCell(ort, grade)}
                </tr>`,
            )}
          </tbody>
        </table>
        <dl class="runs" aria-label="Backends and inference times">${this.renderRun(tfjs)} ${this.renderRun(ort)}</dl>
        <div class="footer">
          <p class="small muted">
            Model: ${result.model.name} (${result.model.id} v${result.model.version}, ${result.model.weights} weights)
          </p>
          ${this.renderSaveState()}
        </div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-grade-result': FgGradeResult;
  }
}
