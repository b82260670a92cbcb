import * as z from 'zod';

/** The word a freeze's scope uses for "every service" or "every environment". */
export const EVERY = '*';

/**
 * A change freeze: no deployment to its scope (a service, an environment, both, or everything) starts before
 * `until`, except rollbacks and deployments an approver overrode it for. Kept in the release store with who
 * froze and why.
 */
export const Freeze = z
  .object({
    /** A service, or `*` for every service. */
    service: z.string().min(1).max(200),
    /** An environment, or `*` for every environment. */
    environment: z.string().min(1).max(200),
    until: z.iso.datetime({ offset: true }),
    reason: z.string().min(1).max(500),
    by: z.string().min(1).max(200),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();
export type Freeze = z.infer<typeof Freeze>;

/**
 * Which freeze an override is for: its scope and when it was set, and its end. The same scope frozen again (a new
 * `at`) or extended (a new `until`) is another freeze, which an old override does not pass (ADR 48).
 */
export const FreezeRef = z
  .object({
    service: z.string().min(1).max(200),
    environment: z.string().min(1).max(200),
    at: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }),
  })
  .strict();
export type FreezeRef = z.infer<typeof FreezeRef>;

export const refOf = (freeze: Freeze): FreezeRef => ({
  service: freeze.service,
  environment: freeze.environment,
  at: freeze.at,
  until: freeze.until,
});

/**
 * An approver's leave to deploy one version to one environment during the freezes in force when it was given
 * (`freezes`), and no other: who (the identity the caller was authenticated as, never a name it claims), how that
 * was established, why and when.
 */
export const FreezeOverride = z
  .object({
    service: z.string().min(1).max(200),
    environment: z.string().min(1).max(200),
    version: z.string().min(1).max(128),
    by: z.string().min(1).max(2048),
    via: z.string().min(1).max(200),
    reason: z.string().min(1).max(500),
    at: z.iso.datetime({ offset: true }),
    freezes: z.array(FreezeRef).max(50),
  })
  .strict();
export type FreezeOverride = z.infer<typeof FreezeOverride>;

const covers = (scope: string, name: string) => scope === EVERY || scope === name;

/** The freezes in force on a service+environment at `now`, the one ending last first. */
export function freezesOn(
  freezes: readonly Freeze[],
  target: { service: string; environment: string },
  now: Date,
): Freeze[] {
  return freezes
    .filter(
      (f) =>
        covers(f.service, target.service) &&
        covers(f.environment, target.environment) &&
        Date.parse(f.until) > now.getTime(),
    )
    .sort((a, b) => Date.parse(b.until) - Date.parse(a.until));
}

/** "web/prod", "every service/prod", "web in every environment", "everything". */
export function scopeOf(freeze: Pick<Freeze, 'service' | 'environment'>): string {
  const service = freeze.service === EVERY ? 'every service' : freeze.service;
  if (freeze.environment === EVERY)
    return freeze.service === EVERY ? 'everything' : `${service} in every environment`;
  return `${service}/${freeze.environment}`;
}

/** One line naming a freeze: its scope, its end, who set it and why. */
export function describeFreeze(freeze: Freeze): string {
  return `freeze of ${scopeOf(freeze)} until ${freeze.until}, by ${freeze.by}: ${freeze.reason}`;
}

/** Whether an override was given for this very freeze (an override kept before ADR 48 names none: it passes none). */
export function overrides(override: FreezeOverride, freeze: Freeze): boolean {
  return (override.freezes ?? []).some(
    (ref) =>
      ref.service === freeze.service &&
      ref.environment === freeze.environment &&
      ref.at === freeze.at &&
      ref.until === freeze.until,
  );
}
