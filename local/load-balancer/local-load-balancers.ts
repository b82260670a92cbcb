import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FleetInUse, ListenerKey } from '../../core/ports/traffic.js';
import { Listener } from './listener.js';
import { type HealthCheckSettings, TargetGroup } from './target-group.js';

interface ListenerPair {
  main: Listener;
  preview: Listener;
  previewFleet?: string;
}

type PortBook = Record<string, { main: number; preview: number }>;

const keyOf = (l: ListenerKey) => `${l.service}/${l.environment}`;

/**
 * The local load balancers: per service+environment a listener and a preview listener on stable ports
 * (chosen free the first time, then kept in `portsFile`), and a target group per fleet.
 */
export class LocalLoadBalancers {
  private readonly listeners = new Map<string, ListenerPair>();
  private readonly groups = new Map<string, TargetGroup>();

  constructor(private readonly portsFile: string) {}

  async listenerFor(key: ListenerKey): Promise<ListenerPair> {
    const existing = this.listeners.get(keyOf(key));
    if (existing) return existing;
    const book = await this.readPorts();
    const known = book[keyOf(key)];
    const pair: ListenerPair = {
      main: new Listener(`${keyOf(key)}`, (fleetId) => this.groups.get(fleetId)),
      preview: new Listener(`${keyOf(key)} (preview)`, (fleetId) => this.groups.get(fleetId), false),
    };
    this.listeners.set(keyOf(key), pair);
    book[keyOf(key)] = {
      main: await listenOnKnownOrFreePort(pair.main, known?.main),
      preview: await listenOnKnownOrFreePort(pair.preview, known?.preview),
    };
    await this.writePorts(book);
    return pair;
  }

  createGroup(fleetId: string, health: HealthCheckSettings, deregistrationDelaySeconds: number): TargetGroup {
    const existing = this.groups.get(fleetId);
    if (existing) return existing;
    const group = new TargetGroup(fleetId, health, deregistrationDelaySeconds);
    this.groups.set(fleetId, group);
    return group;
  }

  group(fleetId: string): TargetGroup | undefined {
    return this.groups.get(fleetId);
  }

  async removeGroup(fleetId: string): Promise<void> {
    const group = this.groups.get(fleetId);
    this.groups.delete(fleetId);
    for (const pair of this.listeners.values()) {
      const weights = pair.main.currentWeights();
      if (weights.some((w) => w.fleetId === fleetId && w.percent > 0)) {
        throw new Error(`fleet ${fleetId} still takes traffic on ${pair.main.name}; shift it away first`);
      }
      pair.main.setWeights(weights.filter((w) => w.fleetId !== fleetId && this.groups.has(w.fleetId)));
      if (pair.previewFleet === fleetId) pair.previewFleet = undefined;
    }
    await group?.close();
  }

  async previewTo(key: ListenerKey, fleetId: string): Promise<string> {
    const pair = await this.listenerFor(key);
    pair.previewFleet = fleetId;
    pair.preview.setWeights([{ fleetId, percent: 100 }]);
    return pair.preview.url;
  }

  /**
   * The fleets the listeners of these environments forward to (weight above zero), the preview listeners'
   * fleets, and every group with targets still draining. A listener never opened forwards nothing.
   */
  fleetsInUse(service: string, environments: readonly string[]): FleetInUse[] {
    const found: FleetInUse[] = [];
    for (const environment of environments) {
      const pair = this.listeners.get(keyOf({ service, environment }));
      for (const w of pair?.main.currentWeights() ?? [])
        if (w.percent > 0)
          found.push({
            fleetId: w.fleetId,
            by: 'listener',
            detail: `${pair?.main.name} forwards ${w.percent}%`,
          });
      if (pair?.previewFleet)
        found.push({
          fleetId: pair.previewFleet,
          by: 'preview',
          detail: `${pair.preview.name} forwards to it`,
        });
    }
    for (const group of this.groups.values()) {
      const draining = group.drainingTargets();
      if (draining > 0)
        found.push({
          fleetId: group.fleetId,
          by: 'draining',
          detail: `${draining} target(s) still draining`,
        });
    }
    return found;
  }

  /** Requests every listener retried on a second target (where an ALB would have answered 502). */
  retriedRequests(): number {
    return [...this.listeners.values()].reduce(
      (n, p) => n + p.main.retriedRequests + p.preview.retriedRequests,
      0,
    );
  }

  /** Every listener's URL, for `bakeshift up` and `status`. */
  urls(): { service: string; environment: string; url: string; previewUrl: string }[] {
    return [...this.listeners.entries()].map(([key, pair]) => {
      const [service = '', environment = ''] = key.split('/');
      return { service, environment, url: pair.main.url, previewUrl: pair.preview.url };
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].flatMap((p) => [p.main.close(), p.preview.close()]));
    await Promise.all([...this.groups.values()].map((g) => g.close()));
    this.listeners.clear();
    this.groups.clear();
  }

  private async readPorts(): Promise<PortBook> {
    const text = await readFile(this.portsFile, 'utf8').catch(() => '{}');
    return JSON.parse(text) as PortBook;
  }

  private async writePorts(book: PortBook) {
    await mkdir(dirname(this.portsFile), { recursive: true });
    await writeFile(this.portsFile, JSON.stringify(book, null, 2));
  }
}

/** The port this listener had before, so its URL stays stable across restarts; a free one if that is taken. */
async function listenOnKnownOrFreePort(listener: Listener, known: number | undefined): Promise<number> {
  if (known) {
    try {
      return await listener.listen(known);
    } catch {
      // Taken by something else since: fall back to a free port.
    }
  }
  return listener.listen(0);
}
