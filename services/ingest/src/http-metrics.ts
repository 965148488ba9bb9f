import { Histogram, type Registry } from '@crh/observability';
import type { RequestHandler } from 'express';

/**
 * Request duration per route into the service's registry, for rate, errors
 * (by status) and latency. Labelled by the route's template (`/v1/customers/:customerId/events`),
 * never the path, so series stay few whatever ids are asked for; a request
 * answered before routing (no token: 401) or by no route (404) counts as `(none)`.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'crh_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status: count, and time to the last byte',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : '(none)';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
