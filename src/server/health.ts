import { CACHE_REVALIDATE } from './cache-policy.js';
import { sendBody, type Exchange } from './exchange.js';

export interface HealthReport {
  readonly status: 'ok';
  readonly uptimeSeconds: number;
  readonly version: string;
}

export function sendHealth(exchange: Exchange, report: HealthReport): void {
  sendBody(exchange, 200, JSON.stringify(report), {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': CACHE_REVALIDATE,
  });
}
