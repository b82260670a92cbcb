import type { Ports } from '../../core/ports/index.js';

/** What the control plane learns of a port call, after its turn and before / after it runs. */
export interface PortCallObserver {
  before?(port: string, method: string, args: unknown[]): void;
  after?(port: string, method: string, args: unknown[], result: unknown): void;
}

/** Ports whose calls are not scheduled: synchronous (the clock) or static reads (configuration). */
const UNSCHEDULED = new Set(['clock', 'configs']);

/**
 * The ports a handler (or the janitor) is built with: each call is resolved against the current history's world
 * when it is made, waits its turn at the scheduler's gate, and is observed. Built once per function, so one
 * engine serves many histories.
 */
export function scheduledPorts(
  portsNow: () => Ports,
  scheduler: {
    gate(what: string): Promise<void>;
    during<T>(work: () => Promise<T>): Promise<T>;
  },
  observer: PortCallObserver,
): Ports {
  const port = (name: keyof Ports) =>
    new Proxy(
      {},
      {
        get(_, method) {
          const value = (portsNow()[name] as unknown as Record<string | symbol, unknown>)[method];
          if (typeof value !== 'function') return value;
          if (UNSCHEDULED.has(name)) return value.bind(portsNow()[name]);
          return async (...args: unknown[]) => {
            await scheduler.gate(`${name}.${String(method)}`);
            // Resolved after the gate: a call cut off there holds on to no world.
            const target = portsNow()[name] as unknown as Record<string | symbol, unknown>;
            observer.before?.(name, String(method), args);
            // Under way until it returns: the world is not idle, and a crash waits for it (it was sent).
            const result = await scheduler.during(async () =>
              (target[method] as (...a: unknown[]) => Promise<unknown>).apply(target, args),
            );
            observer.after?.(name, String(method), args, result);
            return result;
          };
        },
        has(_, method) {
          return method in (portsNow()[name] as object);
        },
      },
    );
  return {
    configs: port('configs'),
    store: port('store'),
    baker: port('baker'),
    fleets: port('fleets'),
    traffic: port('traffic'),
    metrics: port('metrics'),
    preTraffic: port('preTraffic'),
    health: port('health'),
    approvals: port('approvals'),
    notifier: port('notifier'),
    callbacks: port('callbacks'),
    clock: port('clock'),
    executions: port('executions'),
  } as unknown as Ports;
}
