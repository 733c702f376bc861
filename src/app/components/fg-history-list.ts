import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { groupHistory, type HistoryPatient, type HistoryVisit } from '../records/history-groups.js';
import type { PhotoRecord } from '../records/screening-record.js';
import './fg-undo-bar.js';
import type { FgUndoBar, UndoOffer } from './fg-undo-bar.js';
import './fg-visit-detail.js';
import type { FgVisitDetail } from './fg-visit-detail.js';
import { eyeSlotStyles } from './history-eye-slot.js';
import { searchHistory } from './history-search.js';
import { renderPatient, visitEntrySelector, visitEntryStyles } from './history-visit-entry.js';
import { sharedStyles } from './shared-styles.js';
import { ThumbnailUrls } from './thumbnail-urls.js';

export type ExportFormat = 'csv' | 'json';

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * The History tab: patients, the one with the newest visit first, each with their visits (both eyes and
 * the referral); search; export; a visit opened shows everything saved of it (fg-visit-detail). The
 * records come in as a property; changes are requests to the owner, which updates `records`:
 * `fg-delete-photos` (then "Undo" for a while), `fg-restore-photos` (the undo, with the records deleted),
 * `fg-export-records`; `fg-print-report` passes through from the visit.
 */
@customElement('fg-history-list')
export class FgHistoryList extends LitElement {
  static override styles = [
    sharedStyles,
    eyeSlotStyles,
    visitEntryStyles,
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
        flex: 1 1 12rem;
        min-width: 0;
      }
      .search label {
        display: block;
        font-weight: 600;
        margin-bottom: 0.35rem;
      }
      p.count {
        margin: 0 0 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) records: PhotoRecord[] = [];
  /** How long "Undo" is offered after a deletion. */
  @property({ type: Number, attribute: 'undo-timeout-ms' }) undoTimeoutMs = 10_000;
  @state() private query = '';
  @state() private opened: { patientKey: string; visitId: string } | null = null;
  @state() private undo: { offer: UndoOffer; records: PhotoRecord[] } | null = null;
  @query('fg-undo-bar') private undoBar!: FgUndoBar | null;
  @query('fg-visit-detail') private detail!: FgVisitDetail | null;

  private patients: HistoryPatient[] = [];
  private thumbnails: ReadonlyMap<string, string> = new Map();
  private readonly thumbnailUrls = new ThumbnailUrls();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('records')) return;
    this.thumbnails = this.thumbnailUrls.sync(this.records);
    this.patients = groupHistory(this.records);
    const listed = new Set(this.records.map((r) => r.id));
    // Every photo offered for undo is listed again (the deletion failed, or was undone): nothing to undo.
    if (this.undo?.records.every((r) => listed.has(r.id))) this.undo = null;
    if (this.opened && !this.openedVisit()) this.opened = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page after a removal: the thumbnails' URLs were revoked, make new ones.
    if (this.hasUpdated) this.requestUpdate('records');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.thumbnailUrls.clear();
  }

  private openedVisit(): { patient: HistoryPatient; visit: HistoryVisit } | null {
    const opened = this.opened;
    const patient = opened && this.patients.find((p) => p.key === opened.patientKey);
    const visit = patient?.visits.find((v) => v.visitId === opened!.visitId);
    return patient && visit ? { patient, visit } : null;
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private async open(patient: HistoryPatient, visit: HistoryVisit): Promise<void> {
    this.opened = { patientKey: patient.key, visitId: visit.visitId };
    await this.updateComplete;
    await this.detail?.focusHeading();
  }

  private async close(): Promise<void> {
    const closed = this.opened;
    this.opened = null;
    await this.updateComplete;
    const entry =
      closed && this.renderRoot.querySelector<HTMLElement>(visitEntrySelector(closed.patientKey, closed.visitId));
    (entry ?? this.renderRoot.querySelector<HTMLElement>('#heading'))?.focus();
  }

  /** A deletion asked for in the visit: remember the records for "Undo", whose button takes focus. */
  private async onDelete(event: HTMLElementEventMap['fg-delete-photos']): Promise<void> {
    const ids = new Set(event.detail.ids);
    const deleted = this.records.filter((r) => ids.has(r.id));
    if (deleted.length === 0) return;
    this.undo = { offer: { message: `${count(deleted.length, 'photo')} deleted` }, records: deleted };
    await this.updateComplete;
    await this.undoBar?.focusUndo();
  }

  private async onUndo(): Promise<void> {
    const records = this.undo?.records;
    this.undo = null;
    if (!records) return;
    this.emit('fg-restore-photos', { records });
    await this.updateComplete;
    if (this.detail) await this.detail.focusHeading();
    else this.renderRoot.querySelector<HTMLElement>('#heading')?.focus();
  }

  private renderList() {
    const shown = searchHistory(this.patients, this.query);
    const total = this.patients.reduce((n, p) => n + p.visits.length, 0);
    const matching = shown.reduce((n, p) => n + p.visits.length, 0);
    const exportAs = (format: ExportFormat) => this.emit('fg-export-records', { format });
    return html`
      <h2 id="heading" tabindex="-1">History</h2>
      <div class="toolbar">
        <div class="search">
          <label for="search">Search visits</label>
          <input
            id="search"
            type="search"
            placeholder="Patient ID, grade, refer, ungradable, date…"
            .value=${this.query}
            @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
          />
        </div>
        <button type="button" ?disabled=${total === 0} @click=${() => exportAs('csv')}>Export CSV</button>
        <button type="button" ?disabled=${total === 0} @click=${() => exportAs('json')}>Export JSON</button>
      </div>
      <p class="count small muted" role="status">
        ${
          total === 0
            ? 'No screenings on this device yet.'
            : matching === total
              ? `${count(total, 'visit')} of ${count(this.patients.length, 'patient')} on this device, newest first.`
              : `${matching} of ${count(total, 'visit')} match.`
        }
      </p>
      ${shown.map((patient, i) => renderPatient(patient, i, this.thumbnails, (p, v) => void this.open(p, v)))}
    `;
  }

  override render() {
    const opened = this.openedVisit();
    return html`
      ${
        opened
          ? html`<fg-visit-detail
              .visit=${opened.visit}
              .patientLabel=${opened.patient.label}
              .thumbnails=${this.thumbnails}
              @fg-visit-closed=${() => void this.close()}
              @fg-delete-photos=${(e: HTMLElementEventMap['fg-delete-photos']) => void this.onDelete(e)}
            ></fg-visit-detail>`
          : this.renderList()
      }
      <fg-undo-bar
        .offer=${this.undo?.offer ?? null}
        timeout-ms=${this.undoTimeoutMs}
        @fg-undo=${() => void this.onUndo()}
        @fg-undo-lapsed=${() => (this.undo = null)}
      ></fg-undo-bar>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-history-list': FgHistoryList;
  }
  interface HTMLElementEventMap {
    /** Put these deleted records back: the undo of `fg-delete-photos`. */
    'fg-restore-photos': CustomEvent<{ records: PhotoRecord[] }>;
    'fg-export-records': CustomEvent<{ format: ExportFormat }>;
  }
}
