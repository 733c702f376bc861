import { css, html, nothing } from 'lit';
import { GRADE_NAMES, gradeName, REFERABLE_FROM } from '../../shared/grades.js';
import type { ModelSummary, QualityReport } from '../../shared/protocol.js';
import type { PhotoRecord, ScreeningRecord, VariantRecord } from '../records/screening-record.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import { modelNotice } from './fg-grade-result.js';

/** What a saved photo record holds, as text and tables for the visit's detail (fg-visit-photo). */

export const percent = (p: number) => `${(p * 100).toFixed(1)} %`;
export const milliseconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const fixed = (value: number | null, digits: number) => (value === null ? '—' : value.toFixed(digits));
const share = (value: number | null) => (value === null ? '—' : percent(value));

/** The photo's own outcome as the worker decided it: grade, referral and why, agreement. */
export function renderGradedOutcome(record: ScreeningRecord) {
  const referral = !record.refer
    ? 'No referral'
    : record.referBy === 'probability'
      ? `Referable: P(grade ≥ ${REFERABLE_FROM}) ${percent(record.referableProbability)} reaches the model's threshold`
      : 'Referable';
  return html`<p class="outcome" data-photo-outcome>
      <strong>Grade ${record.grade} ${gradeName(record.grade)}</strong> — ${referral}.
      <span class="muted">P(grade ≥ ${REFERABLE_FROM}) ${percent(record.referableProbability)}.</span>
    </p>
    ${
      record.agree
        ? html`<p data-agree="yes">Both models agree.</p>`
        : html`<p class="warn" data-agree="no">
            The models disagree: ${RUNTIME_LABELS.tfjs} grade ${record.tfjs.grade}, ${RUNTIME_LABELS.ort} grade
            ${record.ort.grade}. The higher grade is used.
          </p>`
    }
    ${
      record.gradedAnyway
        ? html`<p class="warn" data-graded-anyway>Graded although the quality check judged the photo ungradable.</p>`
        : nothing
    }`;
}

/** Both variants' probability of each grade, their top grades in bold. */
export function renderProbabilities({ tfjs, ort }: ScreeningRecord) {
  const cell = (variant: VariantRecord, grade: number) =>
    html`<td class=${variant.grade === grade ? 'top' : ''}>${percent(variant.probabilities[grade] ?? 0)}</td>`;
  return html`<table class="probabilities" data-probabilities>
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
        (name, grade) =>
          html`<tr>
            <th scope="row">${grade} ${name}</th>
            ${cell(tfjs, grade)}${cell(ort, grade)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Each variant's backend, time and fallback, and the model that graded. */
export function renderRunAndModel(record: ScreeningRecord) {
  const run = (runtime: 'tfjs' | 'ort') => {
    const variant = record[runtime];
    return html`<dt>${RUNTIME_LABELS[runtime]}</dt>
      <dd data-run=${runtime}>
        <span class="mono">${variant.backend}</span>, ${milliseconds(variant.ms)}
        ${variant.fallback ? html`<span class="line warn" data-fallback>${variant.fallback}</span>` : nothing}
      </dd>`;
  };
  return html`<dl class="facts">
    ${run('tfjs')} ${run('ort')}
    <dt>Model</dt>
    <dd data-model>${renderModel(record.model)}</dd>
  </dl>`;
}

function renderModel(model: ModelSummary) {
  const notice = modelNotice(model);
  const threshold = model.referralThreshold;
  return html`${model.name} (${model.id} v${model.version}, ${model.weights} weights)
  ${
    threshold !== undefined
      ? html`<span class="line small">Refers from P(grade ≥ ${REFERABLE_FROM}) ${percent(threshold)}</span>`
      : nothing
  }
  ${notice ? html`<span class="line small warn" data-model-notice>${notice}</span>` : nothing}
  ${model.credit ? html`<span class="line small muted" data-model-credit>${model.credit}</span>` : nothing}`;
}

/** The quality check's verdict, each issue with its measured value and limit, and every measure. */
export function renderQuality(quality: QualityReport | undefined) {
  if (!quality)
    return html`<p class="muted" data-quality="none">Quality: not checked (saved before the quality check).</p>`;
  const m = quality.measures;
  const measures: Array<[string, string]> = [
    ['Focus', fixed(m.focus, 1)],
    ['Near-black share', share(m.darkFraction)],
    ['Washed-out share', share(m.brightFraction)],
    ['Median brightness', fixed(m.medianLuma, 0)],
    ['Dimmest sector / whole', fixed(m.illuminationRatio, 2)],
    ['JPEG blockiness', fixed(m.blockiness, 2)],
    ['Retina diameter', `${Math.round(m.fovDiameterPx)} px`],
    ['Retina / frame', fixed(m.fovFrameFraction, 2)],
  ];
  return html`<div data-quality=${quality.verdict}>
    <p>
      Quality: <strong>${quality.verdict === 'gradable' ? 'Gradable' : 'Ungradable'}</strong>${
        quality.issues.length ? '' : ' — no issue found.'
      }
    </p>
    ${
      quality.issues.length
        ? html`<ul class="issues">
            ${quality.issues.map(
              (issue) =>
                html`<li data-issue=${issue.reason} data-value=${issue.value ?? ''} data-limit=${issue.limit ?? ''}>
                  ${issue.message}
                </li>`,
            )}
          </ul>`
        : nothing
    }
    <details>
      <summary>Quality measures</summary>
      <dl class="facts">
        ${measures.map(
          ([name, value]) =>
            html`<dt>${name}</dt>
              <dd>${value}</dd>`,
        )}
      </dl>
    </details>
  </div>`;
}

/** The file as chosen, its size in pixels, and when it was saved. */
export function renderFile(record: PhotoRecord, dateTime: Intl.DateTimeFormat) {
  const { name, width, height } = record.photo;
  return html`<p class="small muted" data-file>
    ${name || 'Unnamed photo'}, ${width} × ${height} px · saved ${dateTime.format(record.createdAt)}
  </p>`;
}

export const photoFactStyles = css`
  p {
    margin: 0 0 0.5rem;
  }
  .warn {
    color: var(--fg-warning);
  }
  .mono {
    font-family: ui-monospace, monospace;
  }
  /* A line of its own, apart from the text before it by a space (not run together when read). */
  .line {
    display: block;
  }
  table.probabilities {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
    margin: 0.5rem 0;
  }
  caption {
    text-align: left;
    font-weight: 600;
    padding-bottom: 0.25rem;
  }
  th,
  td {
    padding: 0.25rem 0.3rem;
    border-top: 1px solid var(--fg-border);
    text-align: left;
  }
  thead th {
    /* Runtime names wrap rather than push the table past a phone's width. */
    overflow-wrap: anywhere;
    border-top: 0;
    font-size: 0.8125rem;
    color: var(--fg-muted);
  }
  tbody th {
    font-weight: 500;
  }
  td,
  thead th:not(:first-child) {
    text-align: right;
  }
  td {
    white-space: nowrap;
  }
  td.top {
    font-weight: 700;
  }
  dl.facts {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 0.25rem 0.75rem;
    margin: 0.5rem 0;
  }
  dl.facts dt {
    font-weight: 600;
  }
  dl.facts dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  ul.issues {
    margin: 0 0 0.5rem;
    padding-left: 1.25rem;
    color: var(--fg-danger);
  }
  details summary {
    cursor: pointer;
    padding: 0.6rem 0;
  }
`;
