import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatMs } from '../../shared/bench/bench-summary.js';
import type { ConfigResult, LatencyStats } from '../../shared/bench/bench-types.js';
import { sharedStyles } from '../components/shared-styles.js';

interface Bar {
  label: string;
  runtime: string;
  stats: LatencyStats;
}

const WIDTH = 640;
const LABEL = 150;
const ROW = 22;
const AXIS = 24;

/** Log scale: one chart must show a 2 ms tiny model on wasm and a 40 s ResNet50 on a software GPU. */
function logScale(bars: readonly Bar[]): { x(v: number): number; ticks: number[] } {
  const lo = 10 ** Math.floor(Math.log10(Math.max(1e-3, Math.min(...bars.map((b) => b.stats.min)))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...bars.map((b) => b.stats.p99))));
  const span = Math.max(1, Math.log10(hi / lo));
  // Room on the right for the last tick's label.
  const x = (v: number) => LABEL + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * (WIDTH - LABEL - 24);
  const ticks: number[] = [];
  for (let decade = lo; decade <= hi; decade *= 10)
    ticks.push(...(span <= 2 ? [decade, decade * 2, decade * 5] : [decade]));
  return { x, ticks: ticks.filter((t) => t <= hi) };
}

/**
 * Latency per run, one chart per runtime and backend: the bar is the median, the whisker spans
 * min to p99, the tick marks p90. All charts share one log axis, so bars compare across charts.
 */
@customElement('fg-bench-chart')
export class FgBenchChart extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .charts {
        display: grid;
        gap: 1rem;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 600;
        font-size: 0.875rem;
      }
      svg {
        max-width: 100%;
        height: auto;
        font:
          11px system-ui,
          sans-serif;
      }
      .bar.tfjs {
        fill: var(--fg-bar-tfjs, #b4532a);
      }
      .bar.ort {
        fill: var(--fg-bar-ort, #2f5f8f);
      }
      .whisker,
      .tick {
        stroke: var(--fg-text, #1a1a1a);
      }
      .grid {
        stroke: var(--fg-border, #ddd);
      }
      text {
        fill: var(--fg-text, #1a1a1a);
      }
    `,
  ];

  @property({ attribute: false }) results: readonly ConfigResult[] = [];

  private groups(): Map<string, Bar[]> {
    const groups = new Map<string, Bar[]>();
    for (const result of this.results) {
      if (result.status !== 'ok') continue;
      for (const batch of result.batches) {
        if (!batch.latencyMs) continue;
        const group = `${result.runtime} · ${result.backend}`;
        const threads = result.actualThreads === null ? '' : `${result.actualThreads}t `;
        const bars = groups.get(group) ?? [];
        bars.push({
          label: `${threads}${result.weights} batch ${batch.batch}`,
          runtime: result.runtime,
          stats: batch.latencyMs,
        });
        groups.set(group, bars);
      }
    }
    return groups;
  }

  override render() {
    const groups = this.groups();
    if (groups.size === 0) return nothing;
    const scale = logScale([...groups.values()].flat());
    return html`<div class="charts">${[...groups].map(([name, bars]) => this.renderChart(name, bars, scale))}</div>`;
  }

  private renderChart(name: string, bars: Bar[], { x, ticks }: ReturnType<typeof logScale>) {
    const height = bars.length * ROW + AXIS;
    const summary = bars.map((b) => `${b.label}: median ${formatMs(b.stats.p50)} ms`).join('; ');
    return html`
      <figure>
        <figcaption>${name}</figcaption>
        <svg
          viewBox="0 0 ${WIDTH} ${height}"
          width=${WIDTH}
          height=${height}
          role="img"
          aria-label="${name} latency per run: ${summary}"
        >
          ${ticks.map(
            (t) => svg`
              <line class="grid" x1=${x(t)} x2=${x(t)} y1="0" y2=${height - AXIS + 4}></line>
              <text x=${x(t)} y=${height - 6} text-anchor="middle">${formatMs(t)}</text>`,
          )}
          ${bars.map((bar, i) => {
            const y = i * ROW;
            const mid = y + ROW / 2;
            const { min, p50, p90, p99 } = bar.stats;
            return svg`
              <text x=${LABEL - 6} y=${mid + 4} text-anchor="end">${bar.label}</text>
              <rect class="bar ${bar.runtime === 'tfjs' ? 'tfjs' : 'ort'}" x=${LABEL} y=${y + 4} width=${Math.max(1, x(p50) - LABEL)} height=${ROW - 8}>
                <title>${bar.label}: min ${formatMs(min)}, p50 ${formatMs(p50)}, p90 ${formatMs(p90)}, p99 ${formatMs(p99)} ms</title>
              </rect>
              <line class="whisker" x1=${x(min)} x2=${x(p99)} y1=${mid} y2=${mid}></line>
              <line class="tick" x1=${x(p90)} x2=${x(p90)} y1=${mid - 5} y2=${mid + 5}></line>`;
          })}
        </svg>
      </figure>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fg-bench-chart': FgBenchChart;
  }
}
