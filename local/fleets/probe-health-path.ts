import { request } from 'undici';
import type { FleetSpec } from '../../core/ports/fleets.js';
import type { HealthProbe } from '../../core/ports/instance-diagnostics.js';

/** How much of the body a diagnosis keeps. */
const EXCERPT_BYTES = 512;

/**
 * One request to an instance's health path, as the load balancer's check makes it, for a diagnosis: the status
 * and the start of the body say what is wrong (a 404 page names the route the app does not have). Bounded by the
 * check's own timeout.
 */
export async function probeHealthPath(
  instanceId: string,
  port: number,
  healthCheck: FleetSpec['healthCheck'],
): Promise<HealthProbe> {
  const asked = { instanceId, path: healthCheck.path, expectedStatus: 200 };
  try {
    const response = await request(`http://127.0.0.1:${port}${healthCheck.path}`, {
      signal: AbortSignal.timeout(healthCheck.timeoutSeconds * 1000),
      reset: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= EXCERPT_BYTES) break;
    }
    await response.body.dump().catch(() => undefined);
    const bodyExcerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
    return { ...asked, status: response.statusCode, bodyExcerpt };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    const reason = timedOut ? `no answer within ${healthCheck.timeoutSeconds}s` : (error as Error).message;
    return { ...asked, error: reason, bodyExcerpt: '' };
  }
}
