import type { EnvironmentConfig } from '../config/service-config.js';

export interface TrafficStep {
  percent: number;
  holdSeconds: number;
}

/** The steps of a shift from blue to green; the last one always sends 100 percent to green. */
export function trafficSteps(traffic: EnvironmentConfig['traffic']): TrafficStep[] {
  return traffic.strategy === 'all-at-once' ? [{ percent: 100, holdSeconds: 0 }] : traffic.steps;
}

export interface FleetWeight {
  fleetId: string;
  percent: number;
}

/** Weights for one step: green gets `percent`, blue (if any) the rest; with no blue green gets everything. */
export function weightsAt(
  percent: number,
  greenFleetId: string,
  blueFleetId: string | undefined,
): FleetWeight[] {
  if (!blueFleetId || percent >= 100) return [{ fleetId: greenFleetId, percent: 100 }];
  return [
    { fleetId: blueFleetId, percent: 100 - percent },
    { fleetId: greenFleetId, percent },
  ];
}
