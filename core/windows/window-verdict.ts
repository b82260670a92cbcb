import * as z from 'zod';
import { OutsideWindow, WindowWaitExceeded } from '../errors.js';
import {
  type DeploymentWindows,
  describeWindows,
  isWithinWindow,
  nextWindowOpening,
} from './deployment-windows.js';

/**
 * What PrepareDeployment answers while its deployment waits for a window: the ASL's WaitForWindow sleeps until
 * `until`, the window's exact opening, then runs PrepareDeployment again (with this still at `$.plan`).
 */
export const WindowWait = z
  .object({ waitForWindow: z.object({ until: z.iso.datetime() }).strict() })
  .strict();
export type WindowWait = z.infer<typeof WindowWait>;

export type WindowVerdict = { outcome: 'open' } | { outcome: 'wait'; until: Date };

/**
 * Whether a deployment may start now under its environment's windows: a rollback always may; outside a window
 * it waits for the next one (within maxWaitHours of its request) or is refused, as the environment chose.
 * `waiting`: it has waited already (its record exists), so running out of time ends it instead of refusing it.
 */
export function windowVerdict(
  windows: DeploymentWindows | undefined,
  request: { service: string; environment: string; trigger: string; requestedAt: string },
  now: Date,
  waiting = false,
): WindowVerdict {
  if (!windows || request.trigger === 'rollback' || isWithinWindow(windows, now)) return { outcome: 'open' };
  const target = `${request.service}/${request.environment}`;
  const rule = `${target} takes deployments ${describeWindows(windows)}`;
  if (windows.outside === 'refuse')
    throw new OutsideWindow(`${rule}; it is ${now.toISOString()}: refused, nothing was built`);
  const waitedHours = (now.getTime() - Date.parse(request.requestedAt)) / 3_600_000;
  const until = nextWindowOpening(windows, now, Math.max(0, windows.maxWaitHours - waitedHours));
  if (until) return { outcome: 'wait', until };
  const why = `${rule}; no window opens within maxWaitHours (${windows.maxWaitHours}) of the request`;
  if (waiting) throw new WindowWaitExceeded(`${why}: waited ${waitedHours.toFixed(1)} h, ended`);
  throw new OutsideWindow(`${why}: refused, nothing was built`);
}
