import { TrafficShiftFailed } from '../errors.js';
import type { ListenerKey, Traffic } from '../ports/traffic.js';

/**
 * Throws when the listener still sends a share of its traffic to the fleet: a step that destroys a fleet never
 * destroys one that serves (ADR 52), whatever the flow's order says (someone may have shifted by hand).
 */
export async function refuseIfRouted(
  traffic: Pick<Traffic, 'current'>,
  listener: ListenerKey,
  fleetId: string,
): Promise<void> {
  const { weights } = await traffic.current(listener);
  const share = weights.find((w) => w.fleetId === fleetId && w.percent > 0);
  if (share)
    throw new TrafficShiftFailed(
      `fleet ${fleetId} takes ${share.percent}% of the ${listener.service}/${listener.environment} listener; not destroying it`,
    );
}
