import { css, html, LitElement } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { PhotoRecord } from '../records/screening-record.js';
import './fg-visit-report.js';
import { sharedStyles } from './shared-styles.js';

/**
 * A visit's report in a modal dialog, with "Print" (the browser's print dialog, where "Save as PDF" works
 * offline) and "Close". On paper only the report appears: the buttons are not printed, and the page's
 * own print rule (src/app/report/report-view.ts) hides the app behind the dialog. Dispatches
 * `fg-report-closed` once closed.
 */
@customElement('fg-report-dialog')
export class FgReportDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        width: min(52rem, calc(100% - 1rem));
        max-width: none;
        max-height: calc(100% - 1rem);
        padding: 0;
        border: 1px solid var(--fg-border-strong);
        border-radius: 12px;
        background: #fff;
        color: #000;
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.55);
      }
      .actions {
        position: sticky;
        top: 0;
        z-index: 1;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        justify-content: flex-end;
        padding: 0.75rem 1rem;
        background: var(--fg-background);
        border-bottom: 1px solid var(--fg-border);
      }
      .sheet {
        padding: 1rem 1.25rem 1.25rem;
      }
      @media print {
        dialog {
          /* A modal dialog stays in the top layer, where it can only be fixed or absolute: absolute at the
             page's top-left corner, as wide as the page, lets it print as ordinary content. */
          position: absolute;
          inset: 0 auto auto 0;
          width: 100%;
          max-height: none;
          margin: 0;
          border: 0;
          border-radius: 0;
          overflow: visible;
        }
        dialog::backdrop {
          background: none;
        }
        .actions {
          display: none;
        }
        .sheet {
          padding: 0;
        }
      }
    `,
  ];

  /** Every photo record of the visit to report. */
  @property({ attribute: false }) records: readonly PhotoRecord[] = [];
  @query('dialog') private dialog!: HTMLDialogElement;
  @state() private generatedAt = Date.now();

  /** Shows the dialog, modal; resolves once it is open. */
  async show(): Promise<void> {
    this.generatedAt = Date.now();
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  get isOpen(): boolean {
    return this.dialog?.open ?? false;
  }

  private onClosed(): void {
    this.dispatchEvent(new CustomEvent('fg-report-closed', { bubbles: true, composed: true }));
  }

  override render() {
    return html`<dialog aria-label="Visit report" @close=${this.onClosed}>
      <div class="actions">
        <button type="button" class="primary" data-print @click=${() => window.print()}>Print</button>
        <button type="button" data-close @click=${() => this.close()}>Close</button>
      </div>
      <div class="sheet">
        <fg-visit-report .records=${this.records} .generatedAt=${this.generatedAt}></fg-visit-report>
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-report-dialog': FgReportDialog;
  }
}
