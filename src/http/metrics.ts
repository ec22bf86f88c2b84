import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server process. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'commonplace_http_requests_total',
    help: 'HTTP requests by surface, method and status class',
    labelNames: ['surface', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'commonplace_http_request_duration_seconds',
    help: 'HTTP request duration by surface',
    labelNames: ['surface'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'commonplace_' });
  }
}

export function surfaceOf(url: string): string {
  const first = url.split('?')[0].split('/')[1] ?? '';
  if (first === 'graph' || first === 'scim' || first === 'media') return first;
  if (first === 'admin') return url.startsWith('/admin/api') ? 'admin_api' : 'admin';
  if (first === 'healthz' || first === 'readyz' || first === 'metrics') return 'ops';
  return 'web';
}
