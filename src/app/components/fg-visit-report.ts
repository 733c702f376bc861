import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { buildConfig } from '../build-config.js';
import type { PhotoRecord } from '../records/screening-record.js';
import {
  APP_STATEMENT,
  formatReportTime,
  PRIVACY_STATEMENT,
  visitReport,
  type ReportEye,
  type VisitReport,
} from '../report/visit-report.js';

/**
 * The one-page report of a visit, for the screen and for paper: the patient, the referral decision and
 * why, each eye (right, then left) with the photo its result rests on, the quality check, the model and
 * what it is not, the app's version. Nothing in it is interactive, so it prints as it reads. Sized to fit
 * one A4 or Letter page (portrait) with both eyes.
 */
@customElement('fg-visit-report')
export class FgVisitReport extends LitElement {
  static override styles = css`
    :host {
      display: block;
      color: #000;
      background: #fff;
      font-size: 0.9375rem;
      line-height: 1.35;
    }
    *,
    *::before,
    *::after {
      box-sizing: border-box;
    }
    article {
      display: grid;
      gap: 0.9rem;
    }
    h2,
    h3,
    p,
    ul,
    dl {
      margin: 0;
    }
    h2 {
      font-size: 1.3rem;
    }
    h3 {
      font-size: 1.05rem;
      margin-bottom: 0.35rem;
    }
    ul {
      padding-left: 1.1rem;
    }
    .visit {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 1.5rem;
      margin-top: 0.35rem;
    }
    .visit div {
      display: flex;
      gap: 0.4rem;
    }
    dt {
      font-weight: 600;
    }
    dd {
      margin: 0;
    }
    .decision {
      border: 2px solid #000;
      border-radius: 6px;
      padding: 0.6rem 0.8rem;
    }
    .decision-text {
      font-size: 1.6rem;
      font-weight: 700;
      line-height: 1.2;
      margin-bottom: 0.3rem;
    }
    .decision.refer {
      border-width: 4px;
    }
    .eyes {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
      gap: 0.9rem;
    }
    .eye {
      border: 1px solid #777;
      border-radius: 6px;
      padding: 0.6rem;
      display: grid;
      gap: 0.3rem;
      align-content: start;
      break-inside: avoid;
    }
    .photo {
      width: 100%;
      max-width: 14rem;
      aspect-ratio: 1;
      object-fit: contain;
      background: #000;
      border-radius: 4px;
    }
    .no-photo {
      display: grid;
      place-items: center;
      color: #444;
      background: #fff;
      border: 1px dashed #777;
    }
    .result {
      font-weight: 700;
      font-size: 1.05rem;
    }
    .small {
      font-size: 0.85rem;
    }
    .model {
      display: grid;
      gap: 0.25rem;
    }
    footer {
      border-top: 1px solid #777;
      padding-top: 0.4rem;
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 0.25rem 1rem;
    }
    @media print {
      :host {
        font-size: 10pt;
      }
      article {
        gap: 3.5mm;
      }
      h2 {
        font-size: 15pt;
      }
      h3 {
        font-size: 11pt;
      }
      .decision-text {
        font-size: 18pt;
      }
      .eyes {
        grid-template-columns: repeat(auto-fit, minmax(50mm, 1fr));
        gap: 4mm;
      }
      .photo {
        max-width: 52mm;
      }
      /* Browsers leave backgrounds out of print unless told: keep the photo's black frame. */
      .photo,
      .no-photo {
        print-color-adjust: exact;
      }
    }
  `;

  /** Every photo record of one visit, any order. */
  @property({ attribute: false }) records: readonly PhotoRecord[] = [];
  /** When the report was made (ms since the epoch), printed at its foot. */
  @property({ type: Number }) generatedAt = Date.now();

  private report: VisitReport | null = null;
  /** Object URLs of the photos shown, by record id. */
  private photoUrls = new Map<string, string>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('records')) return;
    this.report = this.records.length ? visitReport(this.records) : null;
    const next = new Map<string, string>();
    for (const { photo } of this.report?.eyes ?? []) {
      if (!photo?.thumbnail) continue;
      next.set(photo.id, this.photoUrls.get(photo.id) ?? URL.createObjectURL(photo.thumbnail));
    }
    for (const [id, url] of this.photoUrls) if (!next.has(id)) URL.revokeObjectURL(url);
    this.photoUrls = next;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page after a removal: the photos' URLs were revoked, make new ones.
    if (this.hasUpdated) this.requestUpdate('records');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const url of this.photoUrls.values()) URL.revokeObjectURL(url);
    this.photoUrls.clear();
  }

  private renderPhoto(eye: ReportEye) {
    const url = eye.photo ? this.photoUrls.get(eye.photo.id) : undefined;
    if (url) {
      const what = eye.photo?.kind === 'graded' ? 'the retina as the model graded it' : 'not graded';
      return html`<img class="photo" src=${url} alt="${eye.name}: photo, ${what}" data-photo=${eye.photo!.id} />`;
    }
    return html`<div class="photo no-photo small">${eye.photo ? 'No picture kept' : 'No photo'}</div>`;
  }

  private renderEye(eye: ReportEye) {
    return html`<section class="eye" data-eye=${eye.eye} data-status=${eye.status}>
      <h3>${eye.name}</h3>
      ${this.renderPhoto(eye)}
      <p class="result" data-result>${eye.result}</p>
      ${eye.agreement ? html`<p class="small" data-agreement>${eye.agreement}</p>` : nothing}
      ${eye.probability ? html`<p class="small" data-probability>${eye.probability}</p>` : nothing}
      ${
        eye.quality.length
          ? html`<ul class="small" data-quality>
              ${eye.quality.map((line) => html`<li>${line}</li>`)}
            </ul>`
          : nothing
      }
      ${eye.otherPhotos ? html`<p class="small" data-other-photos>${eye.otherPhotos}</p>` : nothing}
    </section>`;
  }

  private renderModels(report: VisitReport) {
    return html`<section class="model" data-models>
      <h3>The model</h3>
      ${
        report.models.length === 0
          ? html`<p>No photo of this visit was graded, so no model result is reported.</p>`
          : report.models.map(
              (model) =>
                html`<p data-model><strong>${model.label}</strong></p>
                  ${model.notice ? html`<p data-model-notice>${model.notice}</p>` : nothing}
                  <p class="small" data-credit>Training data: ${model.credit}</p>`,
            )
      }
      <p data-statement>${APP_STATEMENT}</p>
    </section>`;
  }

  override render() {
    const report = this.report;
    if (!report) return html`<p>No photos in this visit.</p>`;
    const decision = report.refer ? 'refer' : report.complete ? 'none' : 'incomplete';
    return html`<article aria-labelledby="report-title" data-visit=${report.visitId}>
      <header>
        <h2 id="report-title">Diabetic retinopathy screening report</h2>
        <dl class="visit">
          <div>
            <dt>Patient</dt>
            <dd data-patient>${report.patient}</dd>
          </div>
          <div>
            <dt>Visit</dt>
            <dd data-visit-time>${formatReportTime(report.startedAt)}</dd>
          </div>
          <div>
            <dt>Photos</dt>
            <dd data-photo-count>${report.photoCount}</dd>
          </div>
        </dl>
      </header>
      <section class="decision ${decision}" data-decision=${decision} aria-label="Referral decision">
        <p class="decision-text">${report.decision}</p>
        <ul data-reasons>
          ${report.reasons.map((reason) => html`<li>${reason}</li>`)}
        </ul>
      </section>
      <div class="eyes">${report.eyes.map((eye) => this.renderEye(eye))}</div>
      ${this.renderModels(report)}
      <footer class="small">
        <p data-app-version>Fundus Grader ${buildConfig.version} · generated ${formatReportTime(this.generatedAt)}</p>
        <p data-privacy>${PRIVACY_STATEMENT}</p>
      </footer>
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-visit-report': FgVisitReport;
  }
}
