import type { BrowserEnvironment } from '../../shared/bench/bench-types.js';

/** navigator.userAgentData (Chromium only; not in TypeScript's DOM library yet). */
interface UserAgentData {
  platform: string;
  getHighEntropyValues(hints: string[]): Promise<{ fullVersionList?: Array<{ brand: string; version: string }> }>;
}

/** "Chromium 156.0.8078.108" from the brand list, skipping the GREASE brand ("Not:A-Brand"). */
async function browserName(data: UserAgentData | undefined): Promise<string> {
  if (data) {
    const { fullVersionList = [] } = await data
      .getHighEntropyValues(['fullVersionList'])
      .catch(() => ({ fullVersionList: [] }));
    const real = fullVersionList.filter((b) => !/not.a.brand/i.test(b.brand));
    // "Google Chrome" and "Microsoft Edge" say more than the "Chromium" they also list.
    const best = real.find((b) => b.brand !== 'Chromium') ?? real[0];
    if (best) return `${best.brand} ${best.version}`;
  }
  const match = /(Firefox|Edg|Chrome|Version)\/([\d.]+)/.exec(navigator.userAgent);
  return match ? `${match[1] === 'Version' ? 'Safari' : match[1]} ${match[2]}` : navigator.userAgent;
}

async function webgpuInfo(): Promise<BrowserEnvironment['webgpu']> {
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  if (!adapter) return { available: false, adapter: null, features: [] };
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
  return {
    available: true,
    adapter: { vendor, architecture, device, description, isFallbackAdapter },
    features: [...adapter.features].sort(),
  };
}

function webglInfo(): BrowserEnvironment['webgl'] {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return null;
  // The unmasked strings name the real GPU (or SwiftShader); the plain ones say only "WebKit".
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const info = {
    vendor: String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
    renderer: String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
  };
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return info;
}

export async function describeBrowserEnvironment(): Promise<BrowserEnvironment> {
  const nav = navigator as Navigator & { userAgentData?: UserAgentData; deviceMemory?: number };
  return {
    userAgent: navigator.userAgent,
    browser: await browserName(nav.userAgentData),
    platform: nav.userAgentData?.platform ?? navigator.platform,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: self.crossOriginIsolated,
    deviceMemoryGiB: nav.deviceMemory ?? null,
    webgpu: await webgpuInfo(),
    webgl: webglInfo(),
  };
}
