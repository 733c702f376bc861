import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import type {
  GradeProgress,
  GradeResult,
  InitResult,
  InspectResult,
  LoadModelsResult,
  ModelLoadProgress,
  ModelPair,
} from '../../shared/protocol.js';
import { InferenceError } from '../../shared/protocol.js';
import { GRADE_NAMES } from '../../shared/grades.js';
import { buildConfig } from '../build-config.js';
import { InferenceService } from '../inference-service.js';
import { fetchManifest, listModels, resolveModels } from '../model-catalog.js';
import { formatBytes, type ModelState } from '../model-state.js';
import { ServiceWorkerStatus, type OfflineStatus } from '../offline/service-worker-status.js';
import { readStorageStatus, requestPersistentStorage, type StorageStatus } from '../offline/storage-status.js';
import { downloadText, recordsToCsv, recordsToJson } from '../records/records-export.js';
import { toScreeningRecord, type ScreeningRecord } from '../records/screening-record.js';
import { DEFAULT_DB_NAME, ScreeningStore, StorageFullError } from '../records/screening-store.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import { placeholderResult } from '../result-warm-up.js';
import { loadSettings, saveSettings, withoutSettingsQuery, type Settings } from '../settings.js';
import './fg-grade-result.js';
import type { FgGradeResult, SaveState } from './fg-grade-result.js';
import { modelNotice } from './fg-grade-result.js';
import './fg-history-list.js';
import type { ExportFormat } from './fg-history-list.js';
import './fg-photo-picker.js';
import type { PhotoChosenDetail } from './fg-photo-picker.js';
import './fg-photo-preview.js';
import './fg-screening-form.js';
import type { GradeRequestDetail } from './fg-screening-form.js';
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

interface Photo {
  file: File;
  inspect?: InspectResult;
  error?: string;
}

const PREVIEW_MAX_SIDE = 720;
const THUMBNAIL_MAX_SIDE = 160;

const STAGE_TEXT: Record<string, string> = {
  decode: 'Reading the photo…',
  preprocess: 'Finding the retina…',
  models: `Running both models (${RUNTIME_LABELS.tfjs} and ${RUNTIME_LABELS.ort})…`,
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Root element: owns the inference worker (through InferenceService), the screening records, the
 * service worker status and the settings; hands state down to the views and acts on their events.
 */
@customElement('fg-app')
export class FgApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
      }
      header {
        background: var(--fg-accent);
        color: #fff;
      }
      .bar {
        max-width: 80rem;
        margin: 0 auto;
        padding: 0.75rem 1.25rem 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        justify-content: space-between;
      }
      h1 {
        font-size: 1.35rem;
        margin: 0;
        letter-spacing: 0.01em;
      }
      h1 small {
        font-weight: 400;
        opacity: 0.85;
        font-size: 0.875rem;
        margin-left: 0.5rem;
      }
      [role='tablist'] {
        max-width: 80rem;
        margin: 0 auto;
        padding: 0.5rem 1.25rem 0;
        display: flex;
        gap: 0.25rem;
      }
      [role='tab'] {
        border: 0;
        border-radius: 10px 10px 0 0;
        background: transparent;
        color: #fff;
        min-width: 6.5rem;
        font-weight: 600;
      }
      [role='tab']:hover {
        background: rgb(255 255 255 / 0.12);
      }
      [role='tab'][aria-selected='true'] {
        background: var(--fg-background);
        color: var(--fg-accent);
      }
      [role='tab']:focus-visible {
        outline-color: #fff;
        outline-offset: -4px;
      }
      main {
        max-width: 80rem;
        margin: 0 auto;
        padding: 1.25rem;
      }
      .demo {
        margin-bottom: 1rem;
        font-weight: 600;
      }
      .screen {
        display: grid;
        gap: 1rem;
        grid-template-columns: minmax(0, 1fr);
        align-items: start;
      }
      .stack {
        display: grid;
        gap: 1rem;
        align-content: start;
      }
      @media (min-width: 1000px) {
        .screen {
          grid-template-columns: minmax(0, 5fr) minmax(0, 6fr);
        }
      }
      fg-photo-preview {
        margin-top: 1rem;
      }
      .photo-status {
        margin-top: 0.75rem;
      }
      /* Laid out (visibility, not display) but off screen: see result-warm-up.ts. */
      .result-warm-up {
        position: absolute;
        left: -10000px;
        top: 0;
        width: 40rem;
        visibility: hidden;
      }
    `,
  ];

  /** Folder of models/manifest.json, ending in '/'. */
  @property({ attribute: 'models-url' }) modelsUrl = '/models/';
  /** Service worker script to register; empty = none (tests, development). */
  @property({ attribute: 'service-worker' }) serviceWorkerUrl = '';
  /** IndexedDB database of the screening records. */
  @property({ attribute: 'db-name' }) dbName = DEFAULT_DB_NAME;

  @state() private tab: Tab = 'screen';
  @state() private settings: Settings = loadSettings(localStorage, location.search);
  @state() private manifest: ModelManifest | null = null;
  @state() private report: InitResult | null = null;
  @state() private runtimes: 'starting' | 'ready' | 'failed' = 'starting';
  @state() private runtimesMessage = '';
  @state() private model: ModelState = { phase: 'starting', model: null };
  @state() private offline: OfflineStatus | null = null;
  @state() private storage: StorageStatus | null = null;
  @state() private online = navigator.onLine;
  @state() private photo: Photo | null = null;
  @state() private grading: { stage: string; controller: AbortController } | null = null;
  @state() private result: GradeResult | null = null;
  @state() private gradeError = '';
  @state() private saveState: SaveState | null = null;
  /** The screening whose save failed: kept for "Save again" while its result is on screen. */
  private unsavedRecord: ScreeningRecord | null = null;
  @state() private records: ScreeningRecord[] = [];
  @state() private announcement = '';
  /** A stand-in result rendered once off screen after the models load (see result-warm-up.ts). */
  @state() private warmUpResult: GradeResult | null = null;
  private resultViewWarm = false;
  @query('[role=tabpanel] fg-grade-result') private resultView!: FgGradeResult | null;

  private readonly service = new InferenceService({
    createWorker: () => new Worker(buildConfig.inferenceWorkerUrl, { type: 'module', name: 'inference' }),
    tfjsWasmPath: buildConfig.tfjsWasmPath,
    ortWasmPath: buildConfig.ortWasmPath,
  });
  private store: Promise<ScreeningStore> | null = null;
  private serviceWorker: ServiceWorkerStatus | null = null;
  private readonly onNetworkChange = () => {
    this.online = navigator.onLine;
    // A download cut by a lost connection resumes by itself; the files already stored are not fetched again.
    if (this.online && this.model?.phase === 'failed') void this.loadModels();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.onNetworkChange);
    window.addEventListener('offline', this.onNetworkChange);
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.onNetworkChange);
    window.removeEventListener('offline', this.onNetworkChange);
    this.service.stop();
    void this.store?.then(
      (store) => store.close(),
      () => undefined,
    );
    this.store = null;
  }

  protected override firstUpdated(): void {
    // Read by the speed measurements (tests/e2e/measure-app.ts) and the benchmark.
    performance.mark('fg-app-rendered');
  }

  private async boot(): Promise<void> {
    void this.openRecords();
    void this.startServiceWorker();
    void this.refreshStorage();
    try {
      this.manifest = await fetchManifest(this.modelsUrl);
    } catch (error) {
      this.model = { phase: 'failed', model: null, message: messageOf(error) };
    }
    if (await this.startRuntimes()) await this.loadModels();
  }

  private get pair(): ModelPair | null {
    return this.manifest ? resolveModels(this.manifest, this.settings.model, this.settings.weights) : null;
  }

  private catalogModel(pair: ModelPair | null) {
    return this.manifest && pair ? (listModels(this.manifest).find((m) => m.id === pair.tfjs.id) ?? null) : null;
  }

  // ---- runtimes and models ----

  private async startRuntimes(): Promise<boolean> {
    this.runtimes = 'starting';
    this.report = null;
    try {
      this.report = await this.service.start(
        this.settings,
        ({ stage, backend }) => (this.runtimesMessage = `${RUNTIME_LABELS[stage]}: trying ${backend}`),
      );
      this.runtimes = 'ready';
      this.dispatchEvent(new CustomEvent('fg-runtimes-ready', { detail: this.report, bubbles: true, composed: true }));
      return true;
    } catch (error) {
      this.runtimes = 'failed';
      this.runtimesMessage = messageOf(error);
      this.model = {
        phase: 'failed',
        model: this.model.model,
        message: `the runtimes did not start (${this.runtimesMessage})`,
      };
      return false;
    }
  }

  private onModelProgress(progress: ModelLoadProgress): void {
    const model = this.model.model;
    if (progress.stage === 'download')
      this.model = { phase: 'downloading', model, loadedBytes: progress.loadedBytes, totalBytes: progress.totalBytes };
    else this.model = { phase: 'warming-up', model, runtime: progress.runtime, backend: progress.backend };
  }

  private modelsReady(report: LoadModelsResult): void {
    this.model = {
      phase: 'ready',
      model: this.model.model,
      backends: { tfjs: report.tfjs.backend, ort: report.ort.backend },
    };
    performance.mark('fg-models-ready');
    this.announce(
      `Model ready: ${RUNTIME_LABELS.tfjs} on ${report.tfjs.backend}, ${RUNTIME_LABELS.ort} on ${report.ort.backend}.`,
    );
    this.dispatchEvent(new CustomEvent('fg-models-ready', { detail: report, bubbles: true, composed: true }));
    this.warmUpResultView();
  }

  /** Once per page, when the main thread is idle: render the result view off screen, then drop it. */
  private warmUpResultView(): void {
    const entry = this.pair?.tfjs;
    if (this.resultViewWarm || !entry) return;
    this.resultViewWarm = true;
    const idle = (callback: () => void) =>
      'requestIdleCallback' in window ? requestIdleCallback(callback, { timeout: 2000 }) : setTimeout(callback, 200);
    idle(() => {
      if (this.result || this.grading) return;
      this.warmUpResult = placeholderResult(entry);
      // Style and layout happen in the next rendering step; drop the view after it.
      void this.updateComplete.then(() =>
        requestAnimationFrame(() =>
          setTimeout(() => {
            this.warmUpResult = null;
          }),
        ),
      );
    });
  }

  private async loadModels(): Promise<void> {
    const pair = this.pair;
    const model = this.catalogModel(pair);
    if (!pair) {
      if (this.manifest)
        this.model = { phase: 'failed', model, message: 'the model list names no model with both variants' };
      return;
    }
    this.model = { phase: 'starting', model };
    try {
      const report = await this.service.request(
        'load-models',
        { modelsUrl: this.modelsUrl, models: pair },
        { onProgress: (p) => this.onModelProgress(p) },
      );
      this.modelsReady(report);
    } catch (error) {
      this.model = { phase: 'failed', model, message: messageOf(error) };
    }
  }

  // ---- screening ----

  private async onPhotoChosen(event: CustomEvent<PhotoChosenDetail>): Promise<void> {
    const { file } = event.detail;
    this.grading?.controller.abort();
    this.result = null;
    this.gradeError = '';
    this.saveState = null;
    const photo: Photo = { file };
    this.photo = photo;
    try {
      const image = await file.arrayBuffer();
      const inspect = await this.service.request(
        'inspect',
        { image, previewMaxSide: PREVIEW_MAX_SIDE, thumbnailMaxSide: THUMBNAIL_MAX_SIDE },
        { transfer: [image] },
      );
      if (this.photo !== photo) return;
      this.photo = { file, inspect };
      this.announce(
        inspect.fov.found ? 'Photo loaded: retina found. Ready to grade.' : `Photo loaded. ${inspect.fov.message}`,
      );
    } catch (error) {
      if (this.photo !== photo) return;
      this.photo = { file, error: messageOf(error) };
      this.announce(this.photo.error!);
    }
  }

  private onGradeProgress(progress: GradeProgress): void {
    if (!this.grading) return;
    let stage: string;
    if (progress.stage === 'download') {
      this.onModelProgress(progress);
      stage = `Downloading the model: ${formatBytes(progress.loadedBytes)} of ${formatBytes(progress.totalBytes)}…`;
    } else if (progress.stage === 'warm-up') {
      this.onModelProgress(progress);
      stage = 'Compiling shaders and warming up…';
    } else {
      stage = STAGE_TEXT[progress.stage] ?? '';
    }
    this.grading = { ...this.grading, stage };
  }

  private async onGradeRequested(event: CustomEvent<GradeRequestDetail>): Promise<void> {
    const photo = this.photo;
    const pair = this.pair;
    if (!photo || !pair || this.grading) return;
    const controller = new AbortController();
    this.grading = { stage: 'Starting…', controller };
    this.result = null;
    this.gradeError = '';
    this.saveState = null;
    this.announce('Grading…');
    let result: GradeResult;
    try {
      // The photo the worker kept from the preview; the file is read again only if the worker lost it.
      result = await this.service.grade(
        () => photo.file.arrayBuffer(),
        {
          modelsUrl: this.modelsUrl,
          models: pair,
          photoId: photo.inspect?.photoId,
          thumbnailMaxSide: THUMBNAIL_MAX_SIDE,
        },
        { signal: controller.signal, onProgress: (p) => this.onGradeProgress(p) },
      );
    } catch (error) {
      const cancelled = error instanceof InferenceError && error.code === 'aborted';
      this.gradeError = cancelled ? '' : messageOf(error);
      this.announce(cancelled ? 'Grading cancelled.' : `Grading failed: ${this.gradeError}`);
      this.dispatchEvent(
        new CustomEvent('fg-grade-failed', {
          detail: { message: cancelled ? 'cancelled' : this.gradeError },
          bubbles: true,
          composed: true,
        }),
      );
      return;
    } finally {
      this.grading = null;
    }
    // The grading may have loaded the model (after a failed start) or moved a variant to another backend.
    this.model = {
      phase: 'ready',
      model: this.model.model,
      backends: { tfjs: result.variants.tfjs.backend, ort: result.variants.ort.backend },
    };
    this.result = result;
    const outcome = result.outcome;
    this.announce(
      `Grade ${outcome.grade}, ${GRADE_NAMES[outcome.grade]}. ${outcome.refer ? 'Refer to an ophthalmologist.' : 'No referral needed.'}${outcome.agree ? '' : ' The models disagree.'}`,
    );
    await this.updateComplete;
    this.resultView?.focusHeading();
    await this.saveScreening(toScreeningRecord(result, { ...event.detail, fileName: photo.file.name }));
  }

  // ---- records ----

  /**
   * The record store, opened once. The list is read when it opens and again whenever the store had to
   * reopen its database behind the app's back; saves and deletes update it in place.
   */
  private openRecords(): Promise<ScreeningStore> {
    if (!this.store) {
      const store = ScreeningStore.open(this.dbName, () => void this.reloadRecords());
      this.store = store;
      void store.then(
        () => this.reloadRecords(),
        (error: unknown) =>
          (this.saveState = {
            state: 'failed',
            message: `Screenings cannot be kept on this device: ${messageOf(error)}`,
          }),
      );
    }
    return this.store;
  }

  private async reloadRecords(): Promise<void> {
    if (!this.store) return;
    try {
      this.records = await (await this.store).list();
    } catch (error) {
      this.announce(`The screenings on this device could not be read: ${messageOf(error)}`);
    }
  }

  /** Saves the result again after a failed save ("Save again" in the result). */
  private async onRetrySave(): Promise<void> {
    if (this.unsavedRecord && this.saveState?.state === 'failed') await this.saveScreening(this.unsavedRecord);
  }

  private async saveScreening(record: ScreeningRecord): Promise<void> {
    this.saveState = { state: 'saving' };
    this.unsavedRecord = record;
    try {
      await (await this.openRecords()).save(record);
      this.unsavedRecord = null;
      // A reopened store may already have listed it.
      this.records = [record, ...this.records.filter((r) => r.id !== record.id)];
      this.saveState = { state: 'saved' };
      this.dispatchEvent(new CustomEvent('fg-screening-saved', { detail: record, bubbles: true, composed: true }));
    } catch (error) {
      // The result stays on screen; the screener must know it is not in the history.
      const message =
        error instanceof StorageFullError
          ? error.message
          : `The screening could not be saved on this device: ${messageOf(error)}`;
      this.saveState = { state: 'failed', message };
      this.announce(message);
      this.dispatchEvent(
        new CustomEvent('fg-screening-not-saved', { detail: { message }, bubbles: true, composed: true }),
      );
    }
    void this.refreshStorage();
  }

  private async onDeleteRecord(event: CustomEvent<{ id: string }>): Promise<void> {
    const { id } = event.detail;
    await (await this.openRecords()).delete(id);
    this.records = this.records.filter((r) => r.id !== id);
    this.announce('Screening deleted.');
    void this.refreshStorage();
  }

  private async onExportRecords(event: CustomEvent<{ format: ExportFormat }>): Promise<void> {
    const day = new Date().toISOString().slice(0, 10);
    if (event.detail.format === 'csv')
      downloadText(`fundus-screenings-${day}.csv`, recordsToCsv(this.records), 'text/csv');
    else downloadText(`fundus-screenings-${day}.json`, await recordsToJson(this.records), 'application/json');
    this.announce(`${this.records.length} screenings exported.`);
  }

  // ---- offline, storage, settings ----

  private async startServiceWorker(): Promise<void> {
    if (!this.serviceWorkerUrl) return;
    const status = new ServiceWorkerStatus(this.serviceWorkerUrl, { beforeReload: () => this.service.stop() });
    this.serviceWorker = status;
    status.addEventListener('change', () => {
      const wasReady = this.offline?.readyOffline;
      this.offline = status.status;
      // The app now lives on this device: ask the browser not to evict it (and the records) under pressure.
      if (status.status.readyOffline && !wasReady) void requestPersistentStorage().then(() => this.refreshStorage());
    });
    this.offline = status.status;
    await status.start();
  }

  private async refreshStorage(): Promise<void> {
    this.storage = await readStorageStatus();
  }

  private async onRequestPersistence(): Promise<void> {
    const granted = await requestPersistentStorage();
    await this.refreshStorage();
    this.announce(granted ? 'Persistent storage granted.' : 'The browser did not grant persistent storage.');
  }

  private async onSettingsChanged(event: CustomEvent<Settings>): Promise<void> {
    const previous = this.settings;
    const next = event.detail;
    this.settings = next;
    saveSettings(localStorage, next);
    // Settings chosen here win over the ones the address carried for this visit.
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${withoutSettingsQuery(location.search)}${location.hash}`,
    );
    if (next.tfjs !== previous.tfjs || next.ort !== previous.ort) {
      if (await this.startRuntimes()) await this.loadModels();
    } else if (next.model !== previous.model || next.weights !== previous.weights) {
      await this.loadModels();
    }
  }

  private announce(text: string): void {
    // Cleared first so that the same words twice are announced twice.
    this.announcement = '';
    requestAnimationFrame(() => (this.announcement = text));
  }

  // ---- rendering ----

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

  private gradeBlocker(): string {
    if (!this.photo) return 'Choose a photo first.';
    if (this.photo.error) return 'Choose another photo.';
    if (!this.photo.inspect) return 'Reading the photo…';
    if (!this.photo.inspect.fov.found) return 'No retina was found in this photo.';
    if (!this.pair) return 'No model is available.';
    if (this.runtimes === 'starting') return 'Starting the runtimes…';
    if (this.runtimes === 'failed') return 'The runtimes did not start (see Status).';
    return '';
  }

  private renderPhotoStatus() {
    const photo = this.photo;
    if (!photo) return nothing;
    if (photo.error) return html`<p class="notice error photo-status" role="alert" data-photo-error>${photo.error}</p>`;
    if (!photo.inspect) return html`<p class="photo-status muted">Reading ${photo.file.name}…</p>`;
    const { fov, image } = photo.inspect;
    return html`
      <fg-photo-preview .preview=${photo.inspect.preview} .fov=${fov} fileName=${photo.file.name}></fg-photo-preview>
      ${
        fov.found
          ? html`<p class="photo-status small muted">
              Retina found (${image.sourceWidth}×${image.sourceHeight}
              ${image.format.toUpperCase()}${
                image.width !== image.sourceWidth && image.height !== image.sourceHeight
                  ? `, analysed at ${image.width}×${image.height}`
                  : ''
              }).
            </p>`
          : html`<p class="notice warning photo-status" role="alert" data-no-retina>${fov.message}</p>`
      }
    `;
  }

  private renderScreen() {
    const blocker = this.gradeBlocker();
    return html`<div class="screen">
      <section class="card" aria-labelledby="photo-heading">
        <h2 id="photo-heading">Photo</h2>
        <fg-photo-picker ?disabled=${!!this.grading} @fg-photo-chosen=${this.onPhotoChosen}></fg-photo-picker>
        ${this.renderPhotoStatus()}
      </section>
      <div class="stack">
        <section class="card" aria-labelledby="screening-heading">
          <h2 id="screening-heading">Screening</h2>
          <fg-screening-form
            ?can-grade=${blocker === ''}
            ?busy=${!!this.grading}
            stage=${this.grading?.stage ?? ''}
            reason=${blocker}
            @fg-grade-requested=${this.onGradeRequested}
            @fg-grade-cancelled=${() => this.grading?.controller.abort()}
          ></fg-screening-form>
        </section>
        ${this.gradeError ? html`<p class="notice error" role="alert" data-grade-error>${this.gradeError}</p>` : nothing}
        ${
          this.result
            ? html`<div class="card">
                <fg-grade-result
                  .result=${this.result}
                  .saveState=${this.saveState}
                  @fg-retry-save=${this.onRetrySave}
                ></fg-grade-result>
              </div>`
            : nothing
        }
      </div>
    </div>`;
  }

  private renderPanel(tab: Tab) {
    switch (tab) {
      case 'screen':
        return this.renderScreen();
      case 'history':
        return html`<div class="card">
          <fg-history-list
            .records=${this.records}
            @fg-delete-record=${this.onDeleteRecord}
            @fg-export-records=${this.onExportRecords}
          ></fg-history-list>
        </div>`;
      case 'status':
        return html`<h2 id="status-heading" class="visually-hidden">Status</h2>
          <fg-status-panel
            .model=${this.model}
            .offline=${this.offline}
            .storage=${this.storage}
            .report=${this.report}
            runtimes=${this.runtimes}
            runtimesMessage=${this.runtimesMessage}
            .online=${this.online}
            appVersion=${buildConfig.version}
            @fg-apply-update=${() => this.serviceWorker?.applyUpdate()}
            @fg-request-persistence=${this.onRequestPersistence}
          ></fg-status-panel>`;
      case 'settings':
        return html`<div class="card">
          <fg-settings-panel
            .settings=${this.settings}
            .models=${this.manifest ? listModels(this.manifest) : []}
            active-model=${this.pair?.tfjs.id ?? ''}
            @fg-settings-changed=${this.onSettingsChanged}
          ></fg-settings-panel>
        </div>`;
    }
  }

  override render() {
    const notice = modelNotice(this.model.model ?? this.pair?.tfjs ?? { demo: false });
    return html`
      <header>
        <div class="bar">
          <h1>Fundus Grader <small>diabetic retinopathy screening</small></h1>
          <fg-status-summary
            .model=${this.model}
            .offline=${this.offline}
            .online=${this.online}
            @fg-apply-update=${() => this.serviceWorker?.applyUpdate()}
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
                ${label}${id === 'history' && this.records.length ? ` (${this.records.length})` : ''}
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
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      ${
        this.warmUpResult
          ? html`<div class="card result-warm-up" aria-hidden="true" inert data-warm-up>
              <fg-grade-result .result=${this.warmUpResult}></fg-grade-result>
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
  interface HTMLElementEventMap {
    'fg-runtimes-ready': CustomEvent<InitResult>;
    'fg-models-ready': CustomEvent<LoadModelsResult>;
    'fg-screening-saved': CustomEvent<ScreeningRecord>;
    /** The grading succeeded and is on screen, but the record could not be stored. */
    'fg-screening-not-saved': CustomEvent<{ message: string }>;
    'fg-grade-failed': CustomEvent<{ message: string }>;
  }
}
