import { type DeploymentRecord, type Release, TERMINAL_STATUSES } from '../deployment/deployment-record.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { FleetInUse } from '../ports/traffic.js';

/** How many recent succeeded releases per environment keep their image, for a rollback by redeploy. */
export const ROLLBACK_WINDOW_RELEASES = 2;

/** An ALB's default deregistration delay: the drain assumed for an environment that is no longer configured. */
export const DEFAULT_DRAIN_SECONDS = 300;

/** Something bakeshift created and tagged as its own (managed-by=bakeshift). */
export type OwnedResource =
  | {
      kind: 'fleet';
      id: string;
      service: string;
      environment: string;
      deploymentId: string;
      /** The image it runs, read from the fleet itself (launch template, process): kept with it, record or not. */
      imageId?: string;
    }
  | { kind: 'image'; id: string; service: string; createdAt: string; deploymentId: string }
  | { kind: 'builder'; id: string; service: string; deploymentId: string; launchedAt: string };

/** What the load balancers route to or drain, read from them; or why it could not be read. */
export type Routing = { read: true; inUse: readonly FleetInUse[] } | { read: false; reason: string };

export interface GarbageContext {
  live: Release[];
  /** Recent deployment records of the service, any status. */
  deployments: DeploymentRecord[];
  /**
   * The deployments holding their environment's lock: their flow has not ended, whatever their status says (a
   * committed deployment is `succeeded` while it still drains and reaps blue).
   */
  lockHolders: readonly string[];
  /** Images kept per service beyond those protected. */
  retainImages: number;
  /** How many recent succeeded releases per environment keep their image for a rollback by redeploy. */
  rollbackWindowReleases: number;
  /** A builder older than this is stuck, whatever its deployment says. */
  bakeDeadlineSeconds: number;
  /** Each environment's deregistration delay, for a drain the records say began (the `reap` phase). */
  drainSeconds: Readonly<Record<string, number>>;
  /** Unread, every fleet is kept: the janitor fails closed. */
  routing: Routing;
  /**
   * The images the provider's fleets run now, in any environment, configured or not (Fleets.imagesInUse): never
   * discarded, whatever the records say (ADR 52).
   */
  imagesInUse?: readonly string[];
  now: Date;
}

/** One resource and every reason it is kept: none, and it is garbage. */
export interface Verdict {
  resource: OwnedResource;
  keptBecause: string[];
}

type Reasons = Map<string, string[]>;
type Running = ReadonlyMap<string, DeploymentRecord>;

function add(reasons: Reasons, id: string | undefined, why: string): void {
  if (!id) return;
  const list = reasons.get(id) ?? [];
  if (!list.includes(why)) list.push(why);
  reasons.set(id, list);
}

const ended = (status: DeploymentRecord['status']) => TERMINAL_STATUSES.includes(status);
const whileRunning = (d: DeploymentRecord) =>
  `deployment ${d.deploymentId}, which ${ended(d.status) ? `still holds the ${d.environment} lock` : `is ${d.status}`}`;

/**
 * The janitor's rule (ADR 32), over records and what the load balancers say. A fleet is kept while it is live;
 * while a deployment not yet ended (its status not terminal, or holding its lock) names it as its own, its green
 * or its blue; while a drain the records say began is within its environment's deregistration delay; and while
 * any listener or preview listener routes to it or its targets drain. With the routing unread, every fleet is
 * kept. An image is kept while live, used by a deployment not yet ended, in a rollback window, among the newest
 * retained, or run by a fleet that is kept. A builder is kept while its deployment has not ended, until the bake
 * deadline. Everything else it owns is garbage.
 */
export function judgeResources(resources: readonly OwnedResource[], context: GarbageContext): Verdict[] {
  const holding = new Set(context.lockHolders);
  const running: Running = new Map(
    context.deployments
      .filter((d) => !ended(d.status) || holding.has(d.deploymentId))
      .map((d) => [d.deploymentId, d]),
  );
  const fleetReasons = protectedFleets(context, running);
  const fleetVerdicts = resources.flatMap((resource) =>
    resource.kind === 'fleet' ? [{ resource, keptBecause: fleetReasons(resource) }] : [],
  );
  const keptFleets = fleetVerdicts.filter((v) => v.keptBecause.length > 0).map((v) => v.resource);
  const imageReasons = protectedImages(resources, context, running, keptFleets);
  return resources.map((resource) => {
    if (resource.kind === 'fleet')
      return fleetVerdicts.find((v) => v.resource === resource) ?? { resource, keptBecause: [] };
    if (resource.kind === 'image') return { resource, keptBecause: imageReasons(resource) };
    return { resource, keptBecause: builderReasons(resource, context, running) };
  });
}

/** What the janitor may remove: whatever it owns that nothing keeps (judgeResources). Never anything else. */
export function selectGarbage(resources: readonly OwnedResource[], context: GarbageContext): OwnedResource[] {
  return judgeResources(resources, context)
    .filter((v) => v.keptBecause.length === 0)
    .map((v) => v.resource);
}

function protectedFleets(context: GarbageContext, running: Running) {
  const reasons: Reasons = new Map();
  for (const r of context.live) add(reasons, r.fleetId, `live release of ${r.environment} (${r.version})`);
  for (const d of running.values()) {
    add(reasons, d.greenFleetId, `green of ${whileRunning(d)}`);
    add(reasons, d.blue?.fleetId, `blue of ${whileRunning(d)}`);
    add(reasons, d.previousRelease?.fleetId, `blue of ${whileRunning(d)}`);
  }
  for (const d of context.deployments) {
    const drained = d.blue?.fleetId ?? d.previousRelease?.fleetId;
    const until = drainEnd(d, context);
    if (drained && until && until > context.now)
      add(
        reasons,
        drained,
        `draining until ${until.toISOString()} (drained by deployment ${d.deploymentId})`,
      );
  }
  if (context.routing.read)
    for (const f of context.routing.inUse) add(reasons, f.fleetId, `${f.by}: ${f.detail}`);
  const unread = context.routing.read
    ? undefined
    : `routing not read, so no fleet is removed: ${context.routing.reason}`;
  return (fleet: Extract<OwnedResource, { kind: 'fleet' }>): string[] => {
    const own = running.get(fleet.deploymentId);
    const why = new Set(reasons.get(fleet.id));
    if (own) why.add(`green of ${whileRunning(own)}`);
    if (unread) why.add(unread);
    return [...why];
  };
}

/** When the deregistration delay of the drain a deployment began ends (its `reap` phase is DrainBlue's start). */
function drainEnd(d: DeploymentRecord, context: GarbageContext): Date | undefined {
  const began = d.phases.reap ? Date.parse(d.phases.reap) : Number.NaN;
  if (Number.isNaN(began)) return undefined;
  const seconds = context.drainSeconds[d.environment] ?? DEFAULT_DRAIN_SECONDS;
  return new Date(began + seconds * 1000);
}

function protectedImages(
  resources: readonly OwnedResource[],
  context: GarbageContext,
  running: Running,
  keptFleets: readonly Extract<OwnedResource, { kind: 'fleet' }>[],
) {
  const reasons: Reasons = new Map();
  for (const r of context.live) add(reasons, r.imageId, `live in ${r.environment} (${r.version})`);
  for (const imageId of context.imagesInUse ?? []) add(reasons, imageId, 'run by a fleet in service');
  for (const d of running.values())
    for (const imageId of [d.imageId, d.blue?.imageId, d.previousRelease?.imageId])
      add(reasons, imageId, `used by ${whileRunning(d)}`);
  for (const [environment, d] of rollbackWindows(context))
    add(reasons, d.imageId, `in ${environment}'s rollback window (${d.version})`);
  const newest = resources
    .filter((r): r is Extract<OwnedResource, { kind: 'image' }> => r.kind === 'image')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, context.retainImages);
  for (const image of newest) add(reasons, image.id, `among the ${context.retainImages} newest images kept`);
  const byDeployment = new Map(context.deployments.map((d) => [d.deploymentId, d]));
  for (const fleet of keptFleets) {
    add(reasons, fleet.imageId, `runs fleet ${fleet.id}, which is kept`);
    const recorded = byDeployment.get(fleet.deploymentId)?.imageId;
    if (recorded !== fleet.imageId) add(reasons, recorded, `runs fleet ${fleet.id}, which is kept`);
  }
  return (image: Extract<OwnedResource, { kind: 'image' }>): string[] => {
    const own = running.get(image.deploymentId);
    return [...(reasons.get(image.id) ?? []), ...(own ? [`made by ${whileRunning(own)}`] : [])];
  };
}

/** Each environment's newest succeeded releases, as many as the rollback window holds. */
function rollbackWindows(context: GarbageContext): [string, DeploymentRecord][] {
  const byEnvironment = new Map<string, DeploymentRecord[]>();
  for (const d of context.deployments) {
    if (d.status !== 'succeeded') continue;
    byEnvironment.set(d.environment, [...(byEnvironment.get(d.environment) ?? []), d]);
  }
  return [...byEnvironment].flatMap(([environment, records]) =>
    records
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
      .slice(0, context.rollbackWindowReleases)
      .map((d): [string, DeploymentRecord] => [environment, d]),
  );
}

function builderReasons(
  builder: Extract<OwnedResource, { kind: 'builder' }>,
  context: GarbageContext,
  running: Running,
): string[] {
  const own = running.get(builder.deploymentId);
  const ageSeconds = (context.now.getTime() - Date.parse(builder.launchedAt)) / 1000;
  return own && ageSeconds <= context.bakeDeadlineSeconds
    ? [`bake of ${whileRunning(own)}, within its ${context.bakeDeadlineSeconds}s deadline`]
    : [];
}

/**
 * The live releases, recent deployments and lock holders of every environment of a service: what protects its
 * resources, as the records say.
 */
export async function gatherGarbageContext(
  store: ReleaseStore,
  service: string,
  environments: readonly string[],
  limits: {
    retainImages: number;
    bakeDeadlineSeconds: number;
    drainSeconds: Readonly<Record<string, number>>;
  },
  now: Date,
): Promise<Omit<GarbageContext, 'routing'>> {
  const live = await store.listLiveReleases(service);
  const all = new Set([...environments, ...live.map((r) => r.environment)]);
  const deployments = (
    await Promise.all([...all].map((environment) => store.listDeployments(service, environment, 50)))
  ).flat();
  const holders = await Promise.all([...all].map((environment) => store.lockHolder(service, environment)));
  const lockHolders = holders.filter((holder): holder is string => holder !== undefined);
  // A holder can be older than the newest records (an approval waiting while later requests pile up): read it.
  const listed = new Set(deployments.map((d) => d.deploymentId));
  const older = await Promise.all(
    lockHolders.filter((id) => !listed.has(id)).map((id) => store.getDeployment(id)),
  );
  for (const holder of older) if (holder) deployments.push(holder);
  return { live, deployments, lockHolders, ...limits, rollbackWindowReleases: ROLLBACK_WINDOW_RELEASES, now };
}
