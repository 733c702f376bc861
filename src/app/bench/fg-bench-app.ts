import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_BENCH_OPTIONS } from '../../shared/bench/bench-options.js';
import type { BenchOptions, BenchReport, BrowserEnvironment, ConfigResult } from '../../shared/bench/bench-types.js';
import { sharedStyles } from '../components/shared-styles.js';
import { fetchManifest } from '../model-catalog.js';
import { benchBuildConfig } from './bench-build-config.js';
import { runBenchSession } from './bench-session.js';
import { describeBrowserEnvironment } from './browser-environment.js';
import { reportDownloads, revokeDownloads, type ReportDownload } from './report-downloads.js';
import './fg-bench-chart.js';
import './fg-bench-environment.js';
import './fg-bench-options.js';
import './fg-bench-table.js';

/**
 * The bench page: options, progress, the results table and charts, downloads. `run()` is also what
 * the page's entry calls for `?autorun=` (the CLI); every stage is announced as an event.
 */
@customElement('fg-bench-app')
export class FgBenchApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 80rem;
        margin: 0 auto;
        padding: 1rem;
      }
      section {
        margin-block: 1rem;
      }
      h1 {
        font-size: 1.5rem;
        margin: 0 0 0.5rem;
      }
      .downloads {
        display: flex;
        gap: 1rem;
      }
    `,
  ];

  @property() workerUrl = benchBuildConfig.benchWorkerUrl ?? '';
  @property() modelsUrl = '/models/';
  @property() tfjsWasmPath = benchBuildConfig.tfjsWasmPath;
  @property() ortWasmPath = benchBuildConfig.ortWasmPath;

  @state() private running = false;
  @state() private progress = '';
  @state() private error = '';
  @state() private results: ConfigResult[] = [];
  @state() private environment: BrowserEnvironment | null = null;
  @state() private models: string[] = [];
  @state() private downloads: ReportDownload[] = [];
  @state() private options: BenchOptions = DEFAULT_BENCH_OPTIONS;

  override connectedCallback(): void {
    super.connectedCallback();
    void describeBrowserEnvironment().then((environment) => (this.environment ??= environment));
    fetchManifest(this.modelsUrl).then(
      (manifest) => (this.models = [...new Set(manifest.models.map((m) => m.id))]),
      (error: unknown) =>
        (this.error = `The model list could not be loaded: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    revokeDownloads(this.downloads);
  }

  /** Runs the whole plan; resolves with the report (also announced as fg-bench-done). */
  async run(options: BenchOptions): Promise<BenchReport> {
    if (this.running) throw new Error('a benchmark is already running');
    this.running = true;
    this.options = options;
    this.error = '';
    this.results = [];
    revokeDownloads(this.downloads);
    this.downloads = [];
    try {
      const report = await runBenchSession(
        options,
        {
          workerUrl: this.workerUrl,
          modelsUrl: this.modelsUrl,
          tfjsWasmPath: this.tfjsWasmPath,
          ortWasmPath: this.ortWasmPath,
        },
        {
          progress: (key, text) => {
            this.progress = `${key}: ${text}`;
            this.emit('fg-bench-progress', { key, text });
          },
          result: (result) => {
            this.results = [...this.results, result];
            this.emit('fg-bench-result', result);
          },
        },
      );
      // Agreement is filled in at the end, once the reference is known.
      this.results = report.results;
      this.environment = report.environment.browser;
      this.downloads = reportDownloads(report);
      this.progress = `Done in ${report.durationSeconds.toFixed(1)} s.`;
      this.emit('fg-bench-done', report);
      return report;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.progress = '';
      this.emit('fg-bench-error', this.error);
      throw error;
    } finally {
      this.running = false;
    }
  }

  private emit<K extends 'fg-bench-progress' | 'fg-bench-result' | 'fg-bench-done' | 'fg-bench-error'>(
    type: K,
    detail: HTMLElementEventMap[K]['detail'],
  ) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private onRun(event: CustomEvent<BenchOptions>) {
    // Failures are shown by run() itself.
    this.run(event.detail).catch(() => undefined);
  }

  override render() {
    return html`
      <h1>Framework benchmark: TensorFlow.js and ONNX Runtime Web</h1>
      <p class="muted small">
        Each configuration runs in a fresh worker on fixed synthetic fundus images: model fetch and build, the first
        inference timed apart, then warm-ups and timed runs at each batch size. Outputs are compared with the wasm fp32
        reference.
      </p>
      <section class="card">
        <fg-bench-options
          .models=${this.models}
          .options=${this.options}
          ?disabled=${this.running}
          @fg-bench-run=${this.onRun}
        ></fg-bench-options>
      </section>
      <p aria-live="polite" class="small">${this.progress}</p>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      <section class="card">
        <h2>Results</h2>
        <fg-bench-table .results=${this.results}></fg-bench-table>
        ${
          this.downloads.length
            ? html`<p class="downloads">
                ${this.downloads.map((d) => html`<a href=${d.url} download=${d.filename}>Download ${d.label}</a>`)}
              </p>`
            : nothing
        }
      </section>
      <section class="card">
        <h2>Latency per run</h2>
        <fg-bench-chart .results=${this.results}></fg-bench-chart>
      </section>
      <section class="card">
        <h2>Environment</h2>
        <fg-bench-environment .environment=${this.environment}></fg-bench-environment>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-bench-app': FgBenchApp;
  }
  interface HTMLElementEventMap {
    'fg-bench-progress': CustomEvent<{ key: string; text: string }>;
    'fg-bench-result': CustomEvent<ConfigResult>;
    'fg-bench-done': CustomEvent<BenchReport>;
    'fg-bench-error': CustomEvent<string>;
  }
}
