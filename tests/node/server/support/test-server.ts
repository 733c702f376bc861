import type { AccessLogEntry } from '../../../../src/server/access-log.js';
import type { ServerLimits, TlsCredentials } from '../../../../src/server/options.js';
import { createStaticServer, type StaticServer } from '../../../../src/server/static-server.js';

export interface RunningServer {
  readonly port: number;
  readonly server: StaticServer;
  /** Access-log entries, in completion order. */
  readonly accessLog: AccessLogEntry[];
  /** Messages passed to logger.error. */
  readonly errors: string[];
  close(): Promise<void>;
}

export const TEST_VERSION = '9.9.9-test';

export async function startServer(
  root: string,
  options: { limits?: Partial<ServerLimits>; tls?: TlsCredentials; hsts?: boolean; sourceMaps?: boolean } = {},
): Promise<RunningServer> {
  const accessLog: AccessLogEntry[] = [];
  const errors: string[] = [];
  const server = createStaticServer({
    root,
    port: 0,
    host: '127.0.0.1',
    version: TEST_VERSION,
    logger: { access: (entry) => accessLog.push(entry), error: (message) => errors.push(message) },
    ...options,
  });
  const { port } = await server.listen();
  return { port, server, accessLog, errors, close: () => server.close() };
}
