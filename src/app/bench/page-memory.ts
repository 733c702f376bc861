/** performance.measureUserAgentSpecificMemory (Chromium, cross-origin isolated pages only). */
type MeasureMemory = () => Promise<{ bytes: number }>;

function measureFunction(): MeasureMemory | null {
  const measure = (performance as Performance & { measureUserAgentSpecificMemory?: MeasureMemory })
    .measureUserAgentSpecificMemory;
  return self.crossOriginIsolated && typeof measure === 'function' ? measure.bind(performance) : null;
}

function delay(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

/**
 * The page's memory measurements for one benchmark session: everything this page's agent holds (the
 * page's and its workers' JS heaps, ArrayBuffers and wasm memories).
 *
 * Chromium normally answers after its next garbage collection, up to ~20 s later; started with
 * --enable-blink-features=ForceEagerMeasureMemory (the CLI does) it answers in milliseconds: one
 * measurement while no worker runs tells which. A measurement needs every worker of the page to
 * respond, and runtimes on 2+ wasm threads sometimes never do (measured in Chromium 156); while one is
 * still out, later ones would queue behind it, so the probe answers null until it comes back.
 */
export class MemoryProbe {
  private outstanding: Promise<number | null> | null = null;

  private constructor(
    private readonly measure: MeasureMemory,
    private readonly timeoutMs: number,
  ) {}

  /** Null where the browser cannot measure. */
  static async start(): Promise<MemoryProbe | null> {
    const measure = measureFunction();
    if (!measure) return null;
    const started = performance.now();
    const calibration = new MemoryProbe(measure, 30_000);
    const eager = (await calibration.read()) !== null && performance.now() - started < 1000;
    // Eager: seconds are already far beyond an answer (a ResNet50 heap under load takes ~1 s).
    return eager ? new MemoryProbe(measure, 15_000) : calibration;
  }

  /** True while a measurement that timed out has still not come back. */
  get stuck(): boolean {
    return this.outstanding !== null;
  }

  async read(): Promise<number | null> {
    if (this.outstanding) return null;
    const measurement = this.measure().then(
      (m) => m.bytes,
      () => null,
    );
    this.outstanding = measurement;
    void measurement.finally(() => {
      if (this.outstanding === measurement) this.outstanding = null;
    });
    return Promise.race([measurement, delay(this.timeoutMs)]);
  }
}
