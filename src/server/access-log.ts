/** One line per request. JSON lines: no escaping bugs with hostile paths, and easy to grep/jq. */
export interface AccessLogEntry {
  readonly time: string;
  readonly remote: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  /** The connection closed before the whole response was sent. */
  readonly aborted?: true;
}

export interface ServerLogger {
  /** Absent: no access log, and no entries are even put together (`--quiet`). */
  readonly access?: (entry: AccessLogEntry) => void;
  error(message: string, error: unknown): void;
}

/** Access lines on stdout (unless quiet), errors with their stack on stderr. */
export function consoleLogger(options: { readonly quiet: boolean }): ServerLogger {
  return {
    ...(options.quiet ? {} : { access: (entry: AccessLogEntry) => process.stdout.write(`${JSON.stringify(entry)}\n`) }),
    error(message, error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', message, detail })}\n`);
    },
  };
}
