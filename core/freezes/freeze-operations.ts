import type { Trigger } from '../config/service-config.js';
import { Frozen, NotAllowed, NotFound, Refused } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentEvent, Notifier } from '../ports/notifier.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';
import { liveBefore } from '../releases/live-before.js';
import {
  describeFreeze,
  EVERY,
  type Freeze,
  type FreezeOverride,
  freezesOn,
  overrides,
  refOf,
} from './freeze.js';

export interface FreezeDeps {
  store: ReleaseStore;
  notifier: Notifier;
  clock: Clock;
}

/** A freeze's announcement: it concerns no deployment, so its id names the scope and it has no version. */
export function freezeEvent(
  kind: 'frozen' | 'unfrozen',
  freeze: Freeze,
  at: string,
  detail: string,
): DeploymentEvent {
  const id = `freeze-${freeze.service}-${freeze.environment}`.replaceAll(EVERY, 'all');
  return {
    kind,
    deploymentId: id,
    service: freeze.service,
    environment: freeze.environment,
    version: '',
    at,
    detail,
  };
}

/** Announces without failing the operation: the freeze is kept whether or not anyone heard of it. */
async function announce(notifier: Notifier, event: DeploymentEvent): Promise<string[]> {
  try {
    await notifier.notify(event);
    return [];
  } catch (error) {
    return [`the ${event.kind} announcement failed: ${(error as Error).message}`];
  }
}

/** Sets a freeze (replacing the one of the same scope), announced. Its end must be in the future. */
export async function setFreeze(
  deps: FreezeDeps,
  input: {
    service?: string | undefined;
    environment?: string | undefined;
    until: string;
    reason: string;
    by: string;
  },
): Promise<{ freeze: Freeze; warnings: string[] }> {
  const now = deps.clock.now();
  if (Date.parse(input.until) <= now.getTime())
    throw new Refused(
      `--until ${input.until} is not in the future (it is ${now.toISOString()}); nothing was frozen`,
    );
  const freeze: Freeze = {
    service: input.service ?? EVERY,
    environment: input.environment ?? EVERY,
    until: new Date(input.until).toISOString(),
    reason: input.reason,
    by: input.by,
    at: now.toISOString(),
  };
  await deps.store.putFreeze(freeze);
  const warnings = await announce(
    deps.notifier,
    freezeEvent('frozen', freeze, freeze.at, describeFreeze(freeze)),
  );
  return { freeze, warnings };
}

/** Lifts the freeze of exactly this scope, announced with who lifted it. */
export async function liftFreeze(
  deps: FreezeDeps,
  input: { service?: string | undefined; environment?: string | undefined; by: string },
): Promise<{ freeze: Freeze; warnings: string[] }> {
  const service = input.service ?? EVERY;
  const environment = input.environment ?? EVERY;
  const freeze = await deps.store.removeFreeze(service, environment);
  if (!freeze) {
    const set = (await deps.store.listFreezes()).map(describeFreeze);
    throw new NotFound(
      `no freeze of ${service}/${environment} (freezes set: ${set.length ? set.join('; ') : 'none'}); give the same --service and --env as the freeze`,
    );
  }
  const at = deps.clock.now().toISOString();
  const detail = `${describeFreeze(freeze)}; lifted by ${input.by}`;
  return { freeze, warnings: await announce(deps.notifier, freezeEvent('unfrozen', freeze, at, detail)) };
}

/** The freezes in force now, on everything or on one service+environment. */
export async function freezesInForce(
  deps: Pick<FreezeDeps, 'store' | 'clock'>,
  target?: { service: string; environment: string },
): Promise<Freeze[]> {
  const all = await deps.store.listFreezes();
  const now = deps.clock.now();
  if (target) return freezesOn(all, target, now);
  return all
    .filter((f) => Date.parse(f.until) > now.getTime())
    .sort((a, b) => Date.parse(b.until) - Date.parse(a.until));
}

/**
 * An approver's leave to deploy one version during the freezes in force on its service+environment now, and no
 * later one (ADR 48). Where the environment lists approvers, only they may give it (by any name their
 * authenticated identity is listed by); elsewhere any authenticated operator may, and is recorded. Kept in the
 * store; the deployment records and announces it.
 */
export async function overrideFreeze(
  deps: Pick<FreezeDeps, 'store' | 'clock'> & { configs: ServiceConfigs },
  input: { service: string; environment: string; version: string; reason: string; by: string; via: string },
  aliases: string[] = [],
): Promise<FreezeOverride> {
  const { config } = await deps.configs.load(input.service);
  // Listed approvers (required before traffic or not: onInconclusive lists them alone) are the only ones.
  const approvers = config.environments[input.environment]?.approval.approvers;
  if (approvers && ![input.by, ...aliases].some((id) => approvers.includes(id)))
    throw new NotAllowed(
      `${input.by} may not override a freeze of ${input.service}/${input.environment} (approvers: ${approvers.join(', ')})`,
    );
  const now = deps.clock.now();
  const inForce = freezesOn(await deps.store.listFreezes(), input, now);
  if (inForce.length === 0)
    throw new Refused(
      `${input.service}/${input.environment} is not frozen: there is no freeze to override (deploy without --override-freeze)`,
    );
  const override: FreezeOverride = { ...input, at: now.toISOString(), freezes: inForce.map(refOf) };
  await deps.store.putFreezeOverride(override);
  return override;
}

/** Why a rollback-labelled request is not a rollback during a freeze, or undefined when it is one. */
async function notARollback(
  store: ReleaseStore,
  request: { service: string; environment: string; version: string; imageId?: string | undefined },
): Promise<string | undefined> {
  if (await liveBefore(store, request)) return undefined;
  const image = request.imageId ? ` (image ${request.imageId})` : '';
  return `a rollback to ${request.version}${image} is not a return to a release ${request.service}/${request.environment} served before, so it is a deployment`;
}

/**
 * Refuses a deployment during a freeze of its service+environment, naming the freeze. A rollback passes when it
 * returns to a release the environment served before (the release store says so); a version passes every freeze
 * in force that an approver overrode for it (returned with the freeze). PrepareDeployment asks before anything is
 * recorded or built; the operations' deploy and rollback ask before anything is uploaded or started.
 */
export async function checkFreezes(
  store: ReleaseStore,
  request: {
    service: string;
    environment: string;
    version: string;
    trigger: Trigger;
    imageId?: string | undefined;
  },
  now: Date,
): Promise<{ freeze: Freeze; override: FreezeOverride } | undefined> {
  const inForce = freezesOn(await store.listFreezes(), request, now);
  const [first] = inForce;
  if (!first) return undefined;
  const frozen = (freeze: Freeze, why: string) =>
    new Frozen(
      `${why}${request.service}/${request.environment} is frozen: ${describeFreeze(freeze)}. Nothing was built; an approver can override it (bakeshift deploy --override-freeze --reason …)`,
    );
  if (request.trigger === 'rollback') {
    const why = await notARollback(store, request);
    if (why === undefined) return undefined;
    throw frozen(first, `${why}, and `);
  }
  const override = await store.freezeOverrideOf(request.service, request.environment, request.version);
  if (!override) throw frozen(first, '');
  const unpassed = inForce.find((freeze) => !overrides(override, freeze));
  if (!unpassed) return { freeze: first, override };
  throw frozen(unpassed, `the override by ${override.by} (${override.at}) was given for other freezes; `);
}
