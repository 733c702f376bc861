import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { SUMMARY_COLUMNS, summaryRows } from '../../shared/bench/bench-summary.js';
import type { ConfigResult } from '../../shared/bench/bench-types.js';
import { sharedStyles } from '../components/shared-styles.js';

/** The results table: one row per configuration and batch size (the same cells the CLI prints). */
@customElement('fg-bench-table')
export class FgBenchTable extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .scroll {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        font-size: 0.875rem;
        font-variant-numeric: tabular-nums;
      }
      caption {
        text-align: start;
        font-weight: 600;
        padding-bottom: 0.5rem;
      }
      th,
      td {
        padding: 0.25rem 0.5rem;
        border-bottom: 1px solid var(--fg-border);
        text-align: end;
        white-space: nowrap;
      }
      th[scope='row'],
      td.note,
      th.config {
        text-align: start;
      }
      th[scope='row'] {
        font-family: ui-monospace, monospace;
        font-weight: 500;
      }
      tr[data-status='unavailable'] {
        color: var(--fg-muted);
      }
      tr[data-status='failed'] td.note,
      tr[data-status='timeout'] td.note {
        color: var(--fg-danger);
      }
      td.note {
        white-space: normal;
        min-width: 12rem;
      }
    `,
  ];

  @property({ attribute: false }) results: readonly ConfigResult[] = [];

  override render() {
    if (this.results.length === 0) return html`<p class="muted">No results yet.</p>`;
    const [first, ...columns] = SUMMARY_COLUMNS;
    // A wide table scrolls sideways: the scrolling region must be reachable with the keyboard.
    return html`
      <div class="scroll" tabindex="0" role="region" aria-label="Benchmark results">
        <table>
          <caption>
            Latency in ms per run of one batch (input tensor, inference, read-back)
          </caption>
          <thead>
            <tr>
              <th scope="col" class="config">${first.label}</th>
              ${columns.map((c) => html`<th scope="col">${c.label}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${summaryRows(this.results).map(
              (row) => html`
                <tr data-key=${row.key} data-status=${row.status}>
                  <th scope="row">${row.cells.config}</th>
                  ${columns.map((c) => html`<td class=${c.id} data-column=${c.id}>${row.cells[c.id]}</td>`)}
                </tr>
              `,
            )}
          </tbody>
        </table>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-bench-table': FgBenchTable;
  }
}
