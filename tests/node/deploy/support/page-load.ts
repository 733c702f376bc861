import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { DOMAIN } from './loopback-instance.js';

export interface LoadReport {
  /** Page loads completed: the page and the script it names, both 200. */
  readonly pageLoads: number;
  /** One line per request that failed (status or error), with what was asked. */
  readonly failures: readonly string[];
  /** The longest page load (page plus script), in ms: how long a switch held requests. */
  readonly slowestMs: number;
  /** Per browser: the release label of each of its page loads, in order. */
  readonly browsers: readonly (readonly string[])[];
}

function get(agent: Agent, port: number, ca: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca, servername: DOMAIN, agent, headers: { host: `${DOMAIN}:${port}` } },
      (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Browsers loading the app over and over, each over its own keep-alive connection: fetch `/`,
 * then the content-hashed script that this very page names, as a real page load would. A script
 * that 404s because its release was switched away in between counts as a failure.
 */
export function startPageLoads(port: number, ca: string, count: number): { stop(): Promise<LoadReport> } {
  const failures: string[] = [];
  const browsers = Array.from({ length: count }, (): string[] => []);
  let stopping = false;
  let slowestMs = 0;

  const browse = async (labels: string[]): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (!stopping) {
        const started = performance.now();
        const page = await get(agent, port, ca, '/').catch((error: Error) => ({ status: 0, body: error.message }));
        if (page.status !== 200) {
          failures.push(`GET / → ${page.status} ${page.body.slice(0, 80)}`);
          continue;
        }
        const script = /src="([^"]+)"/.exec(page.body)?.[1] ?? '(no script in page)';
        const label = /<title>([^<]+)<\/title>/.exec(page.body)?.[1] ?? '(no title)';
        const asset = await get(agent, port, ca, script).catch((error: Error) => ({ status: 0, body: error.message }));
        if (asset.status !== 200 || !asset.body.includes(JSON.stringify(label))) {
          failures.push(`GET ${script} (page of ${label}) → ${asset.status} ${asset.body.slice(0, 80)}`);
          continue;
        }
        labels.push(label);
        slowestMs = Math.max(slowestMs, performance.now() - started);
      }
    } finally {
      agent.destroy();
    }
  };
  const running = Promise.all(browsers.map(browse));
  return {
    async stop() {
      stopping = true;
      await running;
      return { pageLoads: browsers.reduce((sum, labels) => sum + labels.length, 0), slowestMs, failures, browsers };
    },
  };
}
