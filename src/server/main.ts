/**
 * CLI entry: `node build/server.mjs` (esbuild bundle) or `node --import tsx src/server/main.ts`.
 * See USAGE in cli-options.ts for the flags.
 */
import { readFile } from 'node:fs/promises';
import { consoleLogger } from './access-log.js';
import { parseCli, USAGE, type CliCommand, type CliOptions } from './cli-options.js';
import { findPackageVersion } from './package-version.js';
import { createStaticServer } from './static-server.js';

async function serve(options: CliOptions): Promise<void> {
  const tls =
    options.tlsFiles === undefined
      ? undefined
      : { cert: await readFile(options.tlsFiles.certFile), key: await readFile(options.tlsFiles.keyFile) };
  const server = createStaticServer({
    root: options.root,
    port: options.port,
    host: options.host,
    ...(tls === undefined ? {} : { tls }),
    hsts: options.hsts,
    sourceMaps: options.sourceMaps,
    logger: consoleLogger({ quiet: options.quiet }),
    version: findPackageVersion(import.meta.url),
  });
  const address = await server.listen();
  const scheme = tls === undefined ? 'http' : 'https';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stderr.write(`serving ${server.root} on ${scheme}://${host}:${address.port}\n`);

  // `once`: a second Ctrl-C falls through to Node's default and ends the process at once.
  const shutdown = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal}: finishing in-flight responses, then exiting\n`);
    server.close().catch((error: unknown) => {
      process.stderr.write(`shutdown failed: ${String(error)}\n`);
      process.exitCode = 1;
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function main(argv: readonly string[]): Promise<void> {
  let command: CliCommand;
  try {
    command = parseCli(argv, process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return Promise.resolve();
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return Promise.resolve();
  }
  return serve(command.options);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
