import type { FleetWeight } from '../../core/deployment/traffic-plan.js';
import type { FleetHealth } from '../../core/ports/health.js';
import type { FleetInUse, ListenerKey } from '../../core/ports/traffic.js';
import type { LocalLoadBalancers } from './local-load-balancers.js';
import type { HealthCheckSettings } from './target-group.js';

export interface ListenerUrls {
  service: string;
  environment: string;
  url: string;
  previewUrl: string;
}

/**
 * What the control plane may ask of the data plane: the small interface it steers listeners, target groups and
 * health checks through. Every argument and result crosses a thread as structured clone.
 */
export function dataPlaneCommands(balancers: LocalLoadBalancers) {
  const group = (fleetId: string) => balancers.group(fleetId);
  return {
    async listenerFor(key: ListenerKey): Promise<ListenerUrls> {
      const pair = await balancers.listenerFor(key);
      return { ...key, url: pair.main.url, previewUrl: pair.preview.url };
    },
    createGroup(fleetId: string, health: HealthCheckSettings, deregistrationDelaySeconds: number): void {
      balancers.createGroup(fleetId, health, deregistrationDelaySeconds);
    },
    removeGroup: (fleetId: string): Promise<void> => balancers.removeGroup(fleetId),
    register(fleetId: string, targetId: string, port: number): void {
      group(fleetId)?.register(targetId, port);
    },
    deregister: async (fleetId: string, targetId: string): Promise<void> =>
      group(fleetId)?.deregister(targetId),
    deregisterAll: async (fleetId: string): Promise<void> => group(fleetId)?.deregisterAll(),
    /** Starts draining a fleet's targets; its deregistration delay, or undefined when there is no such group. */
    startDraining(fleetId: string): number | undefined {
      const found = group(fleetId);
      found?.startDraining();
      return found?.deregistrationDelaySeconds;
    },
    describe: (fleetId: string): FleetHealth | undefined => group(fleetId)?.describe(),
    targetIds: (fleetId: string): string[] => group(fleetId)?.targetIds() ?? [],
    async currentWeights(key: ListenerKey): Promise<FleetWeight[]> {
      return (await balancers.listenerFor(key)).main.currentWeights();
    },
    /** Replaces the listener's weights in one step; answers when they took effect (ms since the epoch). */
    async setWeights(key: ListenerKey, weights: FleetWeight[]): Promise<number> {
      (await balancers.listenerFor(key)).main.setWeights(weights);
      return Date.now();
    },
    previewTo: (key: ListenerKey, fleetId: string): Promise<string> => balancers.previewTo(key, fleetId),
    fleetsInUse: (service: string, environments: readonly string[]): FleetInUse[] =>
      balancers.fleetsInUse(service, environments),
    retriedRequests: (): number => balancers.retriedRequests(),
    /** What a fleet's group answered through the main listener from `fromMs` to `toMs`, second by second. */
    requestSeries: (fleetId: string, fromMs: number, toMs: number, slowerThanMs: number[]) =>
      group(fleetId)?.metrics.series(fromMs, toMs, slowerThanMs) ?? [],
    close: (): Promise<void> => balancers.close(),
  };
}

export type DataPlaneCommands = ReturnType<typeof dataPlaneCommands>;

/** A command's call from the control plane to the data plane thread. */
export interface DataPlaneCall {
  id: number;
  command: keyof DataPlaneCommands;
  args: unknown[];
}

/** Its answer: a result, or the error's name and message (so named errors keep their names). */
export type DataPlaneAnswer =
  | { id: number; result: unknown }
  | { id: number; error: { name: string; message: string } };
