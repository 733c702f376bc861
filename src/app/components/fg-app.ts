import { html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { buildConfig } from '../build-config.js';
import { Announcer } from '../controllers/announcer.js';
import { LaunchController } from '../controllers/launch-controller.js';
import { ModelsController } from '../controllers/models-controller.js';
import { OfflineController } from '../controllers/offline-controller.js';
import { RecordsController } from '../controllers/records-controller.js';
import { ResultWarmUpController } from '../controllers/result-warm-up-controller.js';
import { VisitController } from '../controllers/visit-controller.js';
import type { VisitAction } from '../controllers/visit-state.js';
import { InferenceService } from '../inference-service.js';
import { DEFAULT_DB_NAME } from '../records/screening-store.js';
import { ReportController } from '../report/report-controller.js';
import { loadSettings, saveSettings, withoutSettingsQuery, type Settings } from '../settings.js';
import { appStyles } from './fg-app-styles.js';
import './fg-grade-result.js';
import { modelNotice } from './fg-grade-result.js';
import './fg-history-list.js';
import './fg-screen-view.js';
import { screenViewStyles, type FgScreenView } from './fg-screen-view.js';
import './fg-settings-panel.js';
import './fg-status-panel.js';
import './fg-status-summary.js';
import { sharedStyles } from './shared-styles.js';

type Tab = 'screen' | 'history' | 'status' | 'settings';
const TABS: ReadonlyArray<{ id: Tab; label: string }> = [
  { id: 'screen', label: 'Screen' },
  { id: 'history', label: 'History' },
  { id: 'status', label: 'Status' },
  { id: 'settings', label: 'Settings' },
];

/**
 * Root element: the header, the tabs and their panels. The state and the work live in its controllers
 * (src/app/controllers/): the models, the screening visit, the records, the offline status and the
 * announcements; it hands their state down to the views and their events to them. Photos the app was
 * opened with (shared, or opened as files: src/app/launch/) join the visit; `?view=history` opens History.
 */
@customElement('fg-app')
export class FgApp extends LitElement {
  static override styles = [sharedStyles, screenViewStyles, appStyles];

  /** Folder of models/manifest.json, ending in '/'. */
  @property({ attribute: 'models-url' }) modelsUrl = '/models/';
  /** Service worker script to register; empty = none (tests, development). */
  @property({ attribute: 'service-worker' }) serviceWorkerUrl = '';
  /** IndexedDB database of the screening records. */
  @property({ attribute: 'db-name' }) dbName = DEFAULT_DB_NAME;

  @state() private tab: Tab = 'screen';
  @query('fg-screen-view') private screenView!: FgScreenView | null;

  /** The one inference worker: the models load in it and the photos are read and graded in it. */
  private readonly service = new InferenceService({
    createWorker: () => new Worker(buildConfig.inferenceWorkerUrl, { type: 'module', name: 'inference' }),
    tfjsWasmPath: buildConfig.tfjsWasmPath,
    ortWasmPath: buildConfig.ortWasmPath,
  });
  private readonly announcer = new Announcer(this);
  private readonly records = new RecordsController(this, {
    dbName: () => this.dbName,
    announce: this.announcer.announce,
  });
  private readonly offline = new OfflineController(this, {
    serviceWorkerUrl: () => this.serviceWorkerUrl,
    beforeReload: () => this.service.stop(),
    // The app now lives on this device: ask the browser not to evict it (and the records) under pressure.
    onReadyOffline: () => void this.records.requestPersistence({ quiet: true }),
  });
  private readonly models = new ModelsController(this, {
    service: this.service,
    modelsUrl: () => this.modelsUrl,
    settings: loadSettings(localStorage, location.search),
    announce: this.announcer.announce,
    onReady: () => this.warmUp.schedule(this.models.pair?.tfjs),
  });
  private readonly visit = new VisitController(this, {
    service: this.service,
    models: this.models,
    records: this.records,
    announce: this.announcer.announce,
    showResult: async (photo) => {
      await this.updateComplete;
      await this.screenView?.focusResult(photo.eye);
    },
  });
  private readonly warmUp = new ResultWarmUpController(this, () => this.visit.busy);
  /** A visit's printable report, on `fg-print-report` from the visit screen or the history. */
  protected readonly reports = new ReportController(this, () => this.records.state.records);
  /** Photos the app was opened with, and the view its address asked for. */
  protected readonly launch = new LaunchController(this, {
    showView: (view) => (this.tab = view === 'history' ? 'history' : 'screen'),
    onPhotos: (batch) => {
      this.tab = 'screen';
      this.visit.addLaunched(batch);
    },
  });

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.service.stop();
  }

  protected override firstUpdated(): void {
    // Read by the speed measurements (tests/e2e/measure-app.ts) and the benchmark.
    performance.mark('fg-app-rendered');
  }

  private onSettingsChanged(event: CustomEvent<Settings>): void {
    saveSettings(localStorage, event.detail);
    // Settings chosen here win over the ones the address carried for this visit.
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${withoutSettingsQuery(location.search)}${location.hash}`,
    );
    void this.models.applySettings(event.detail);
  }

  private selectTab(tab: Tab, focus = false): void {
    this.tab = tab;
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus());
  }

  private onTabKey(event: KeyboardEvent): void {
    const index = TABS.findIndex((t) => t.id === this.tab);
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: TABS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    this.selectTab(TABS[(target + TABS.length) % TABS.length]!.id, true);
  }

  private renderPanel(tab: Tab) {
    const { records, visit, offline } = this;
    const models = this.models.state;
    switch (tab) {
      case 'screen':
        return html`<fg-screen-view
          .visit=${visit.state}
          .blockers=${visit.blockers}
          @fg-visit-action=${(e: CustomEvent<VisitAction>) => visit.perform(e.detail)}
        ></fg-screen-view>`;
      case 'history':
        return html`<div class="card">
          <fg-history-list
            .records=${records.state.records}
            @fg-delete-photos=${(e: HTMLElementEventMap['fg-delete-photos']) => void records.deleteMany(e.detail.ids)}
            @fg-restore-photos=${(e: HTMLElementEventMap['fg-restore-photos']) => void records.restore(e.detail.records)}
            @fg-export-records=${(e: HTMLElementEventMap['fg-export-records']) => void records.export(e.detail.format)}
          ></fg-history-list>
        </div>`;
      case 'status':
        return html`<h2 id="status-heading" class="visually-hidden">Status</h2>
          <fg-status-panel
            .model=${models.model}
            .offline=${offline.state.serviceWorker}
            .storage=${records.state.storage}
            .report=${models.report}
            runtimes=${models.runtimes}
            runtimesMessage=${models.runtimesMessage}
            .online=${offline.state.online}
            appVersion=${buildConfig.version}
            @fg-apply-update=${() => offline.applyUpdate()}
            @fg-request-persistence=${() => void records.requestPersistence()}
          ></fg-status-panel>`;
      case 'settings':
        return html`<div class="card">
          <fg-settings-panel
            .settings=${models.settings}
            .models=${this.models.catalog}
            active-model=${this.models.pair?.tfjs.id ?? ''}
            @fg-settings-changed=${this.onSettingsChanged}
          ></fg-settings-panel>
        </div>`;
    }
  }

  override render() {
    const { model } = this.models.state;
    const notice = modelNotice(model.model ?? this.models.pair?.tfjs ?? { demo: false });
    const recordCount = this.records.state.records.length;
    const warmUpResult = this.warmUp.state.result;
    return html`
      <header>
        <div class="bar">
          <h1>Fundus Grader <small>diabetic retinopathy screening</small></h1>
          <fg-status-summary
            .model=${model}
            .offline=${this.offline.state.serviceWorker}
            .online=${this.offline.state.online}
            @fg-apply-update=${() => this.offline.applyUpdate()}
          ></fg-status-summary>
        </div>
        <div role="tablist" aria-label="Views" @keydown=${this.onTabKey}>
          ${TABS.map(
            ({ id, label }) =>
              html`<button
                role="tab"
                id="tab-${id}"
                aria-controls="panel-${id}"
                aria-selected=${this.tab === id ? 'true' : 'false'}
                tabindex=${this.tab === id ? 0 : -1}
                @click=${() => this.selectTab(id)}
              >
                ${label}${id === 'history' && recordCount ? ` (${recordCount})` : ''}
              </button>`,
          )}
        </div>
      </header>
      <main>
        ${notice ? html`<p class="notice warning demo" data-demo-banner data-model-notice>${notice}</p>` : nothing}
        ${TABS.map(
          ({ id }) =>
            html`<div role="tabpanel" id="panel-${id}" aria-labelledby="tab-${id}" ?hidden=${this.tab !== id}>
              ${this.renderPanel(id)}
            </div>`,
        )}
      </main>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        ${this.announcer.state.text}
      </div>
      ${
        warmUpResult
          ? html`<div class="card result-warm-up" aria-hidden="true" inert data-warm-up>
              <fg-grade-result .result=${warmUpResult}></fg-grade-result>
            </div>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-app': FgApp;
  }
}
