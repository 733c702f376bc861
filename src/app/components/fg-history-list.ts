import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { GRADE_NAMES, REFERABLE_FROM } from '../../shared/grades.js';
import { searchRecords } from '../records/records-search.js';
import type { ScreeningRecord } from '../records/screening-record.js';
import { sharedStyles } from './shared-styles.js';

export type ExportFormat = 'csv' | 'json';

const EYE_LABELS = { left: 'Left eye', right: 'Right eye', unspecified: 'Eye not recorded' } as const;
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Screenings kept on this device: search, delete (asks once more), export. The records come in as a
 * property; deleting and exporting are requests to the owner (`fg-delete-record`, `fg-export-records`).
 */
@customElement('fg-history-list')
export class FgHistoryList extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .toolbar {
        display: flex;
        gap: 0.75rem;
        flex-wrap: wrap;
        align-items: end;
        margin-bottom: 1rem;
      }
      .search {
        flex: 1 1 16rem;
      }
      .search label {
        display: block;
        font-weight: 600;
        margin-bottom: 0.35rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        display: grid;
        grid-template-columns: 64px 1fr auto;
        gap: 0.75rem;
        align-items: center;
        padding: 0.6rem 0.75rem;
        border: 1px solid var(--fg-border);
        border-radius: 10px;
        background: var(--fg-surface);
      }
      img {
        width: 64px;
        height: 64px;
        border-radius: 6px;
        object-fit: cover;
        background: #000;
      }
      .who {
        font-weight: 600;
      }
      .badge {
        display: inline-block;
        padding: 0.1rem 0.5rem;
        border-radius: 999px;
        font-size: 0.8125rem;
        font-weight: 600;
        border: 1px solid currentColor;
        margin-right: 0.35rem;
      }
      .badge.refer {
        color: var(--fg-danger);
      }
      .badge.ok {
        color: var(--fg-ok);
      }
      .badge.warn {
        color: var(--fg-warning);
      }
      .row-actions {
        display: flex;
        gap: 0.5rem;
      }
      p.count {
        margin: 0 0 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) records: ScreeningRecord[] = [];
  @state() private query = '';
  @state() private confirming: string | null = null;
  private thumbnails = new Map<string, string>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('records')) return;
    // One object URL per record shown; URLs of records that are gone are revoked.
    const next = new Map<string, string>();
    for (const record of this.records)
      next.set(record.id, this.thumbnails.get(record.id) ?? URL.createObjectURL(record.thumbnail));
    for (const [id, url] of this.thumbnails) if (!next.has(id)) URL.revokeObjectURL(url);
    this.thumbnails = next;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page after a removal: the thumbnails' URLs were revoked, make new ones.
    if (this.hasUpdated) this.requestUpdate('records');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const url of this.thumbnails.values()) URL.revokeObjectURL(url);
    this.thumbnails.clear();
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private delete(record: ScreeningRecord): void {
    if (this.confirming !== record.id) {
      this.confirming = record.id;
      return;
    }
    this.confirming = null;
    this.emit('fg-delete-record', { id: record.id });
    // The row disappears: keep keyboard focus inside the list instead of losing it to the page.
    this.renderRoot.querySelector<HTMLInputElement>('input[type=search]')?.focus();
  }

  private renderRecord(record: ScreeningRecord) {
    const confirming = this.confirming === record.id;
    const who = record.patientId || 'No patient ID';
    return html`<li data-id=${record.id}>
      <img src=${this.thumbnails.get(record.id) ?? ''} alt="" />
      <div>
        <div class="who">${who} · ${EYE_LABELS[record.eye]}</div>
        <div class="small muted">${dateTime.format(record.createdAt)}</div>
        <div>
          <span class="badge ${record.refer ? 'refer' : 'ok'}">Grade ${record.grade} ${GRADE_NAMES[record.grade]}</span>
          ${
            record.refer
              ? html`<span class="badge refer" data-refer-by=${record.referBy ?? 'grade'}
                  >${record.referBy === 'probability' ? `Refer: P(grade ≥ ${REFERABLE_FROM}) ${(record.referableProbability * 100).toFixed(0)} %` : 'Refer'}</span
                >`
              : nothing
          }
          ${record.agree ? nothing : html`<span class="badge warn">Models disagree</span>`}
        </div>
      </div>
      <div class="row-actions">
        <button
          type="button"
          class=${confirming ? 'danger' : ''}
          aria-label=${confirming ? `Confirm deleting the screening of ${who}` : `Delete the screening of ${who}`}
          @click=${() => this.delete(record)}
          @blur=${() => confirming && (this.confirming = null)}
        >
          ${confirming ? 'Confirm delete' : 'Delete'}
        </button>
      </div>
    </li>`;
  }

  override render() {
    const shown = searchRecords(this.records, this.query);
    const total = this.records.length;
    return html`
      <h2 id="heading" tabindex="-1">History</h2>
      <div class="toolbar">
        <div class="search">
          <label for="search">Search</label>
          <input
            id="search"
            type="search"
            placeholder="Patient ID, eye, grade, date…"
            .value=${this.query}
            @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
          />
        </div>
        <button
          type="button"
          ?disabled=${total === 0}
          @click=${() => this.emit<{ format: ExportFormat }>('fg-export-records', { format: 'csv' })}
        >
          Export CSV
        </button>
        <button
          type="button"
          ?disabled=${total === 0}
          @click=${() => this.emit<{ format: ExportFormat }>('fg-export-records', { format: 'json' })}
        >
          Export JSON
        </button>
      </div>
      <p class="count small muted" role="status">
        ${
          total === 0
            ? 'No screenings on this device yet.'
            : shown.length === total
              ? `${total} screening${total === 1 ? '' : 's'} on this device, newest first.`
              : `${shown.length} of ${total} screenings match.`
        }
      </p>
      ${
        shown.length
          ? html`<ul aria-labelledby="heading">
              ${repeat(
                shown,
                (r) => r.id,
                (r) => this.renderRecord(r),
              )}
            </ul>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-history-list': FgHistoryList;
  }
  interface HTMLElementEventMap {
    'fg-delete-record': CustomEvent<{ id: string }>;
    'fg-export-records': CustomEvent<{ format: ExportFormat }>;
  }
}
