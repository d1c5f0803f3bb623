import { countRequest } from '../metrics';
import { authorizeScrape, scrapeMetrics } from '../system/metrics';
import { toErrorResponse } from './errors';

/** `GET /metrics` (root path, outside /api/v1): Prometheus text for a scraper holding METRICS_TOKEN. */
export function metricsResponse(request: Request): Promise<Response> {
  return countRequest('GET', '/metrics', async () => {
    try {
      authorizeScrape(request.headers.get('authorization'));
      const { contentType, text } = await scrapeMetrics();
      return new Response(text, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
    } catch (err) {
      return toErrorResponse(err);
    }
  });
}
