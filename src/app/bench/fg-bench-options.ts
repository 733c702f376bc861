import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  BenchOptionsError,
  DEFAULT_BENCH_OPTIONS,
  normaliseBenchOptions,
  parseThreadSetting,
  WEIGHT_FORMS,
} from '../../shared/bench/bench-options.js';
import type { BenchOptions, BenchRuntime, BrowserBackend } from '../../shared/bench/bench-types.js';
import type { WeightForm } from '../../shared/model-manifest.js';
import { sharedStyles } from '../components/shared-styles.js';

const RUNTIME_CHOICES: ReadonlyArray<[BenchRuntime, string]> = [
  ['tfjs', 'TensorFlow.js'],
  ['ort', 'ONNX Runtime Web'],
];
const BACKEND_CHOICES: readonly BrowserBackend[] = ['webgpu', 'webgl', 'wasm'];

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The benchmark's options as a form; fires fg-bench-run with validated options. */
@customElement('fg-bench-options')
export class FgBenchOptions extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      fieldset {
        border: 1px solid var(--fg-border);
        border-radius: 8px;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
      }
      .fields {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr));
        gap: 0.75rem;
      }
      label.field {
        display: grid;
        gap: 0.25rem;
        font-size: 0.875rem;
      }
      input[type='number'] {
        width: 100%;
        min-height: 44px;
        padding: 0.5rem;
        border: 1px solid var(--fg-border-strong);
        border-radius: 8px;
      }
    `,
  ];

  /** Model ids the manifest offers. */
  @property({ attribute: false }) models: readonly string[] = [];
  /** What the form shows (the last run's options, e.g. from ?autorun=). */
  @property({ attribute: false }) options: BenchOptions = DEFAULT_BENCH_OPTIONS;
  @property({ type: Boolean }) disabled = false;
  @state() private error = '';

  override render() {
    const d = this.options;
    return html`
      <form @submit=${this.submit} aria-label="Benchmark options">
        <fieldset>
          <legend>Runtimes</legend>
          ${RUNTIME_CHOICES.map(([value, label]) => html`<label><input type="checkbox" name="runtime" value=${value} .checked=${d.runtimes.includes(value)} /> ${label}</label>`)}
        </fieldset>
        <fieldset>
          <legend>Backends</legend>
          ${BACKEND_CHOICES.map((b) => html`<label><input type="checkbox" name="backend" value=${b} .checked=${d.backends.includes(b)} /> ${b}</label>`)}
        </fieldset>
        <fieldset>
          <legend>Weights</legend>
          ${WEIGHT_FORMS.map((w) => html`<label><input type="checkbox" name="weights" value=${w} .checked=${d.weights.includes(w)} /> ${w}</label>`)}
        </fieldset>
        <div class="fields">
          <label class="field"
            >Model
            <select name="model">
              ${this.models.map((id) => html`<option value=${id} ?selected=${id === d.model}>${id}</option>`)}
            </select>
          </label>
          <label class="field">wasm threads <input type="text" name="threads" .value=${d.threads.join(', ')} /></label>
          <label class="field">Batch sizes <input type="text" name="batches" .value=${d.batches.join(', ')} /></label>
          <label class="field"
            >Warm-up runs <input type="number" name="warmup" min="0" .value=${String(d.warmup)}
          /></label>
          <label class="field">Timed runs <input type="number" name="runs" min="0" .value=${String(d.runs)} /></label>
        </div>
        <label
          ><input type="checkbox" name="measureMemory" .checked=${d.measureMemory} /> Measure memory (can take ~10 s per
          measurement)</label
        >
        ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : ''}
        <div><button class="primary" type="submit" ?disabled=${this.disabled}>Run benchmark</button></div>
      </form>
    `;
  }

  private submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : '';
    };
    try {
      const options: BenchOptions = normaliseBenchOptions({
        ...this.options,
        runtimes: form.getAll('runtime') as BenchRuntime[],
        backends: form.getAll('backend') as BrowserBackend[],
        weights: form.getAll('weights') as WeightForm[],
        model: text('model') || null,
        threads: list(text('threads')).map(parseThreadSetting),
        batches: list(text('batches')).map(Number),
        warmup: Number(text('warmup')),
        runs: Number(text('runs')),
        measureMemory: form.get('measureMemory') !== null,
      });
      this.error = '';
      this.dispatchEvent(new CustomEvent('fg-bench-run', { detail: options, bubbles: true, composed: true }));
    } catch (error) {
      if (!(error instanceof BenchOptionsError)) throw error;
      this.error = error.message;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-bench-options': FgBenchOptions;
  }
  interface HTMLElementEventMap {
    'fg-bench-run': CustomEvent<BenchOptions>;
  }
}
