import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCli } from '../../../src/server/cli-options.js';

const serve = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parseCli(argv, env);
  assert.equal(command.kind, 'serve');
  return command.kind === 'serve' ? command.options : undefined;
};

test('defaults: dist on 127.0.0.1:8080, plain HTTP, logging on', () => {
  assert.deepEqual(serve([]), {
    root: 'dist',
    port: 8080,
    host: '127.0.0.1',
    hsts: false,
    quiet: false,
    sourceMaps: false,
  });
});

test('PORT and HOST from the environment; flags win over them', () => {
  assert.deepEqual(serve([], { PORT: '9000', HOST: '0.0.0.0' }), {
    root: 'dist',
    port: 9000,
    host: '0.0.0.0',
    hsts: false,
    quiet: false,
    sourceMaps: false,
  });
  const options = serve(['--port', '0', '--host', '::1', '--root', 'out', '--quiet', '--hsts'], {
    PORT: '9000',
    HOST: '0.0.0.0',
  });
  assert.deepEqual(options, { root: 'out', port: 0, host: '::1', hsts: true, quiet: true, sourceMaps: false });
  assert.equal(serve([], { HOST: '' })?.host, '127.0.0.1');
});

test('--source-maps serves *.map files; they are 404 without it', () => {
  assert.equal(serve(['--source-maps'])?.sourceMaps, true);
  assert.equal(serve([])?.sourceMaps, false);
});

test('--cert and --key together select TLS', () => {
  assert.deepEqual(serve(['--cert', 'c.pem', '--key', 'k.pem'])?.tlsFiles, { certFile: 'c.pem', keyFile: 'k.pem' });
  assert.throws(() => parseCli(['--cert', 'c.pem'], {}), /--cert and --key/);
  assert.throws(() => parseCli(['--key', 'k.pem'], {}), /--cert and --key/);
});

test('bad ports, unknown flags and positionals are usage errors; -h asks for help', () => {
  for (const port of ['-1', '65536', '80x', '', '1e3']) {
    assert.throws(() => parseCli([`--port=${port}`], {}), /invalid port/, port);
  }
  assert.throws(() => parseCli([], { PORT: 'http' }), /invalid port/);
  assert.throws(() => parseCli(['--verbose'], {}));
  assert.throws(() => parseCli(['dist'], {}));
  assert.deepEqual(parseCli(['-h'], {}), { kind: 'help' });
});
