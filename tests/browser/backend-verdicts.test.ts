// The page's side of the speed verdicts: remembered in storage, posted with `init`, saved after it.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/app/components/fg-backend-status.js';
import type { FgBackendStatus } from '../../src/app/components/fg-backend-status.js';
import {
  BackendVerdictStore,
  MAX_VERDICTS,
  VERDICTS_KEY,
  type VerdictStorage,
} from '../../src/app/backend-verdicts.js';
import { InferenceService } from '../../src/app/inference-service.js';
import {
  PROTOCOL_VERSION,
  type AppliedVerdict,
  type BackendVerdict,
  type InitParams,
  type InitResult,
} from '../../src/shared/protocol.js';

function verdict(overrides: Partial<BackendVerdict> = {}): BackendVerdict {
  return {
    runtime: 'tfjs',
    backend: 'webgpu',
    gpuMs: 180,
    wasmMs: 40,
    keep: false,
    device: 'nvidia ampere RTX 3060',
    browser: 'Chromium 126',
    measuredAt: Date.UTC(2025, 2, 2),
    ...overrides,
  };
}

const applied = (v: BackendVerdict, remembered: boolean): AppliedVerdict => ({ ...v, remembered });

function memoryStorage(initial?: string): VerdictStorage & { value: string | null } {
  return {
    value: initial ?? null,
    getItem(key: string) {
      return key === VERDICTS_KEY ? this.value : null;
    },
    setItem(key: string, value: string) {
      if (key === VERDICTS_KEY) this.value = value;
    },
  };
}

function report(tfjs: AppliedVerdict[], ort: AppliedVerdict[]): InitResult {
  const runtime = (name: 'tfjs' | 'ort', verdicts: AppliedVerdict[]) => ({
    runtime: name,
    backend: 'wasm',
    attempts: [],
    version: '1',
    ...(verdicts.length ? { verdicts } : {}),
  });
  return {
    protocolVersion: PROTOCOL_VERSION,
    tfjs: runtime('tfjs', tfjs),
    ort: runtime('ort', ort),
    environment: { crossOriginIsolated: true, hardwareConcurrency: 2, webgpu: { available: true }, userAgent: 'test' },
  };
}

describe('BackendVerdictStore', () => {
  it('reads nothing from empty, unreadable or malformed storage, and keeps the well-formed verdicts of a list', () => {
    expect(new BackendVerdictStore(memoryStorage()).load()).to.deep.equal([]);
    expect(new BackendVerdictStore(memoryStorage('{not json')).load()).to.deep.equal([]);
    expect(new BackendVerdictStore(memoryStorage('{"runtime":"tfjs"}')).load()).to.deep.equal([]);
    const mixed = JSON.stringify([verdict(), { ...verdict(), keep: 'yes' }, null, verdict({ runtime: 'ort' })]);
    expect(new BackendVerdictStore(memoryStorage(mixed)).load()).to.deep.equal([
      verdict(),
      verdict({ runtime: 'ort' }),
    ]);
    expect(new BackendVerdictStore(null).load()).to.deep.equal([]);
  });

  it('remembers what was measured, not what was remembered, and replaces the verdict of the same runtime, backend and GPU', () => {
    const older = verdict({ browser: 'Chromium 125', measuredAt: Date.UTC(2025, 0, 1) });
    const otherGpu = verdict({ device: 'intel gen-12lp', measuredAt: Date.UTC(2025, 1, 1) });
    const storage = memoryStorage(JSON.stringify([older, otherGpu]));
    const store = new BackendVerdictStore(storage);
    const measured = verdict({ gpuMs: 20, keep: true });
    const ort = verdict({ runtime: 'ort', measuredAt: Date.UTC(2024, 11, 1) });
    store.remember(report([applied(measured, false)], [applied(ort, true)]));
    expect(store.load()).to.deep.equal([measured, otherGpu]);
    expect(storage.value).not.to.contain('remembered');
  });

  it('writes nothing when nothing was measured, and keeps the newest when there are too many', () => {
    const storage = memoryStorage();
    const store = new BackendVerdictStore(storage);
    store.remember(report([], []));
    store.remember({ protocolVersion: PROTOCOL_VERSION } as InitResult);
    expect(storage.value).to.equal(null);
    const many = Array.from({ length: MAX_VERDICTS + 3 }, (_, i) =>
      applied(verdict({ device: `GPU ${i}`, measuredAt: Date.UTC(2025, 0, 1 + i) }), false),
    );
    store.remember(report(many, []));
    const kept = store.load();
    expect(kept).to.have.length(MAX_VERDICTS);
    expect(kept[0]!.device).to.equal(`GPU ${MAX_VERDICTS + 2}`);
    expect(kept.map((v) => v.device)).not.to.include('GPU 0');
  });

  it('survives a storage that refuses to be read or written', () => {
    const refusing: VerdictStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    const store = new BackendVerdictStore(refusing);
    expect(store.load()).to.deep.equal([]);
    expect(() => store.remember(report([applied(verdict(), false)], []))).not.to.throw();
  });
});

/**
 * A stand-in inference worker: answers `init` with a report whose TF.js measured `measured` and whose ORT
 * applied the verdicts it was posted, and tells what it was posted (`posted`).
 */
function fakeWorker(measured: AppliedVerdict[]): Worker {
  const script = `
    self.onmessage = ({ data }) => {
      if (data.kind !== 'request' || data.type !== 'init') return;
      const runtime = (name, verdicts) => ({ runtime: name, backend: 'wasm', attempts: [], version: '1', verdicts });
      const posted = data.params.verdicts;
      const ort = posted.filter((v) => v.runtime === 'ort').map((v) => ({ ...v, remembered: true }));
      postMessage({ kind: 'result', id: data.id, result: {
        protocolVersion: ${PROTOCOL_VERSION},
        tfjs: runtime('tfjs', ${JSON.stringify(measured)}),
        ort: runtime('ort', ort),
        environment: {},
        posted,
      } });
    };
  `;
  const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return worker;
}

describe('InferenceService and the remembered verdicts', () => {
  it('posts the remembered verdicts with init, and remembers what the worker measured for the next start', async () => {
    const ort = verdict({ runtime: 'ort' });
    const storage = memoryStorage(JSON.stringify([ort]));
    const measured = verdict({ gpuMs: 15, keep: true });
    const service = new InferenceService({
      createWorker: () => fakeWorker([applied(measured, false)]),
      tfjsWasmPath: '/',
      ortWasmPath: '/',
      ortWorkerUrl: '/',
      verdicts: new BackendVerdictStore(storage),
    });
    try {
      const posted = async () =>
        ((await service.start({ tfjs: 'auto', ort: 'auto' })) as InitResult & { posted: InitParams['verdicts'] })
          .posted;
      expect(await posted()).to.deep.equal([ort]);
      expect(await posted()).to.have.deep.members([measured, ort]);
    } finally {
      service.stop();
    }
  });
});

describe('<fg-backend-status> and the speed verdicts', () => {
  it('says why a GPU was dropped, and why a GPU was kept', async () => {
    const dropped = 'WebGPU measured slower than WebAssembly on this device (probe 180 ms vs 40 ms): using WebAssembly';
    const result = report(
      [applied(verdict(), false)],
      [applied(verdict({ runtime: 'ort', gpuMs: 9.5, keep: true }), true)],
    );
    result.tfjs.attempts = [
      { backend: 'webgpu', ok: false, error: dropped, ms: 300 },
      { backend: 'wasm', ok: true, ms: 20 },
    ];
    result.ort = { ...result.ort, backend: 'webgpu', attempts: [{ backend: 'webgpu', ok: true, ms: 90 }] };
    const el = await fixture<FgBackendStatus>(
      html`<fg-backend-status .report=${result} state="ready"></fg-backend-status>`,
    );
    const root = el.shadowRoot!;
    const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim();
    expect([...root.querySelectorAll('li')].map(text)).to.deep.equal([`webgpu: ${dropped}`]);
    const why = [...root.querySelectorAll('.why')].map(text);
    expect(why).to.deep.equal([
      'timed against WebAssembly on this device: probe 9.5 ms vs 40 ms, remembered from 2025-03-02',
    ]);
    await expect(el).shadowDom.to.be.accessible();
  });
});
