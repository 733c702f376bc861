import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireTool } from './support/debian-tool.js';
import { INSTANCE_KIT } from './support/paths.js';

const CADDYFILE = join(INSTANCE_KIT, 'Caddyfile');
const skip = requireTool('caddy');

interface ReverseProxy {
  handler: 'reverse_proxy';
  upstreams: { dial: string }[];
  load_balancing: { selection_policy: { policy: string }; try_duration: number };
  health_checks: { active: { uri: string; interval: number }; passive: { fail_duration: number } };
}

/** The Caddyfile exactly as installed, with the domain setup.sh puts in Caddy's environment. */
function caddy(command: 'adapt' | 'validate') {
  return spawnSync('caddy', [command, '--config', CADDYFILE, '--adapter', 'caddyfile'], {
    env: {
      ...process.env,
      FG_DOMAIN: 'grader.example.org',
      HOME: '/nonexistent',
      XDG_DATA_HOME: '/nonexistent',
      XDG_CONFIG_HOME: '/nonexistent',
    },
    encoding: 'utf8',
  });
}

function findHandlers(node: unknown, found: ReverseProxy[] = []): ReverseProxy[] {
  if (Array.isArray(node)) node.forEach((child) => findHandlers(child, found));
  else if (node !== null && typeof node === 'object') {
    if ((node as { handler?: string }).handler === 'reverse_proxy') found.push(node as ReverseProxy);
    Object.values(node).forEach((child) => findHandlers(child, found));
  }
  return found;
}

describe('deployed Caddyfile', { skip: skip ?? false }, () => {
  test('caddy validate accepts it', () => {
    const result = caddy('validate');
    assert.equal(result.status, 0, result.stderr);
  });

  test('serves the domain over automatic HTTPS, proxying to the two slots with health checks and retries', () => {
    const result = caddy('adapt');
    assert.equal(result.status, 0, result.stderr);
    const config = JSON.parse(result.stdout) as {
      apps: { http: { servers: Record<string, { listen: string[]; automatic_https?: unknown }> } };
    };
    const [server] = Object.values(config.apps.http.servers);
    assert.deepEqual(server?.listen, [':443']);
    assert.equal(server?.automatic_https, undefined, 'automatic HTTPS (certificates, HTTP→HTTPS redirect) left on');
    assert.match(result.stdout, /"host":\["grader\.example\.org"\]/);
    const [proxy, ...others] = findHandlers(config);
    assert.equal(others.length, 0);
    assert.deepEqual(proxy?.upstreams, [{ dial: '127.0.0.1:8081' }, { dial: '127.0.0.1:8082' }]);
    assert.equal(proxy?.load_balancing.selection_policy.policy, 'first');
    assert.ok((proxy?.load_balancing.try_duration ?? 0) >= 5e9, 'retries long enough to ride out a switch');
    assert.equal(proxy?.health_checks.active.uri, '/healthz');
    // The server sends precompressed files itself; Caddy compressing again would waste CPU.
    assert.doesNotMatch(result.stdout, /"handler":"encode"/);
  });

  test("the release tool's slots and settle time fit this file; the unit takes the port from the slot", async () => {
    const tool = await readFile(join(INSTANCE_KIT, 'fundus-grader-release'), 'utf8');
    assert.match(tool, /\$\{FG_SLOTS:-8081 8082\}/);
    // The old process may only stop once Caddy has seen the new one healthy and forgotten old failures.
    const settleSeconds = Number(/SETTLE_SECONDS=\$\{FG_SETTLE_SECONDS:-(\d+)\}/.exec(tool)?.[1]);
    const [proxy] = findHandlers(JSON.parse(caddy('adapt').stdout));
    const { active, passive } = proxy?.health_checks ?? {
      active: { interval: Infinity },
      passive: { fail_duration: Infinity },
    };
    assert.ok(
      settleSeconds * 1e9 > active.interval && settleSeconds * 1e9 > passive.fail_duration,
      `settle ${settleSeconds} s`,
    );
    const unit = await readFile(join(INSTANCE_KIT, 'fundus-grader@.service'), 'utf8');
    assert.match(unit, /^ExecStart=.* --host 127\.0\.0\.1 --port %i --hsts$/m);
  });
});
