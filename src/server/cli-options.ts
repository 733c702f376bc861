import { parseArgs } from 'node:util';
import { DEFAULT_HOST, DEFAULT_PORT } from './options.js';

export interface CliOptions {
  readonly root: string;
  readonly port: number;
  readonly host: string;
  readonly tlsFiles?: { readonly certFile: string; readonly keyFile: string };
  readonly hsts: boolean;
  readonly quiet: boolean;
  readonly sourceMaps: boolean;
}

export type CliCommand = { readonly kind: 'serve'; readonly options: CliOptions } | { readonly kind: 'help' };

export const USAGE = `Usage: node build/server.mjs [options]

Serves the built app with COOP/COEP, CSP, immutable caching and precompressed variants.

  --root <dir>    folder to serve (default: dist)
  --port <n>      port, 0 for any free one (default: $PORT or ${DEFAULT_PORT})
  --host <addr>   address to bind (default: $HOST or ${DEFAULT_HOST}; use 0.0.0.0 to accept
                  connections from other hosts or from outside a container)
  --cert <file>   PEM certificate: serve HTTPS directly (needs --key); sends HSTS
  --key <file>    PEM private key for --cert
  --hsts          send Strict-Transport-Security over HTTP too (TLS ends at a proxy in front)
  --quiet         no access log lines on stdout
  --source-maps   serve *.map files (404 otherwise: they expose the unminified source)
  -h, --help      show this text
`;

/** Flags win over environment variables, which win over defaults. Throws on misuse. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      root: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      hsts: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'source-maps': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { kind: 'help' };
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new Error('--cert and --key go together');
  }
  return {
    kind: 'serve',
    options: {
      root: values.root ?? 'dist',
      port: parsePort(values.port ?? env['PORT'] ?? String(DEFAULT_PORT)),
      host: values.host ?? nonEmpty(env['HOST']) ?? DEFAULT_HOST,
      ...(values.cert !== undefined && values.key !== undefined
        ? { tlsFiles: { certFile: values.cert, keyFile: values.key } }
        : {}),
      hsts: values.hsts,
      quiet: values.quiet,
      sourceMaps: values['source-maps'],
    },
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`invalid port: ${text}`);
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
