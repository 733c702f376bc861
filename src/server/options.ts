import type { ServerLogger } from './access-log.js';

export interface TlsCredentials {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface ServerLimits {
  /** Longer request targets get 414. */
  readonly maxUrlLength: number;
  /** Request line plus headers; larger gets 431 (Node's parser enforces it). */
  readonly maxHeaderSize: number;
  /** Time to receive all request headers (slowloris guard); then 408. */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request; then 408. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long (a stalled reader) is destroyed. */
  readonly idleSocketTimeoutMs: number;
  /** On close(), in-flight responses get this long to finish before their sockets are destroyed. */
  readonly shutdownTimeoutMs: number;
  /** With TLS: a connection that has not finished its handshake after this is closed (no reply possible). */
  readonly tlsHandshakeTimeoutMs: number;
  /**
   * After a reply the server writes straight to the socket (parser errors, 408, CONNECT), the
   * client gets this long to read it and close; then the socket is destroyed, so a client that
   * does neither cannot hold the descriptor.
   */
  readonly errorLingerMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxUrlLength: 2048,
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleSocketTimeoutMs: 60_000,
  shutdownTimeoutMs: 10_000,
  tlsHandshakeTimeoutMs: 10_000,
  errorLingerMs: 2_000,
};

export const DEFAULT_PORT = 8080;
/**
 * Loopback by default: behind Caddy on the same host nothing else should reach the plain-HTTP
 * port. Containers, or serving TLS directly, need `--host 0.0.0.0` (or HOST=0.0.0.0).
 */
export const DEFAULT_HOST = '127.0.0.1';

export interface StaticServerOptions {
  /** Folder to serve (the built dist/). Must exist. */
  readonly root: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Serve HTTPS directly; also turns HSTS on. */
  readonly tls?: TlsCredentials;
  /** Send HSTS over plain HTTP too, for when a TLS-terminating proxy sits in front. */
  readonly hsts?: boolean;
  /**
   * Serve `*.map` files. Off by default: the build emits source maps next to every bundle (handy
   * locally), but in production they would hand anyone the unminified source (see docs/server.md).
   */
  readonly sourceMaps?: boolean;
  readonly logger: ServerLogger;
  readonly limits?: Partial<ServerLimits>;
  /** Reported by /healthz. */
  readonly version: string;
}
