import { suggestKey } from '../config/suggest-key.js';
import { ConfigInvalid, NotFound } from '../errors.js';
import type { ServiceConfigs } from '../ports/service-configs.js';

/** The configured services, listed (a directory of files locally, the stack's settings on AWS). */
type ListedConfigs = ServiceConfigs & { services(): Promise<string[]> };

/** `"prdo"`: did you mean "prod"? known: staging, prod. */
function unknownName(kind: string, name: string, known: readonly string[], where: string): NotFound {
  const meant = suggestKey(name, known);
  const hint = meant ? `did you mean "${meant}"? ` : '';
  return new NotFound(
    `no ${kind} "${name}"${where} (${hint}known: ${known.join(', ') || 'none'}); nothing was frozen`,
  );
}

/** Every environment the services configure (a service whose configuration is invalid configures none). */
async function environmentsOf(configs: ListedConfigs, services: readonly string[]): Promise<string[]> {
  const environments = new Set<string>();
  for (const service of services) {
    const loaded = await configs.load(service).catch((error: Error) => {
      if (error.name !== ConfigInvalid.errorName) throw error;
      return undefined;
    });
    for (const environment of Object.keys(loaded?.config.environments ?? {})) environments.add(environment);
  }
  return [...environments];
}

/**
 * Refuses a freeze whose service or environment no configuration knows, before it is stored: a mistyped
 * `--env prdo` would otherwise freeze nothing, silently.
 */
export async function checkFreezeScope(
  configs: ListedConfigs,
  scope: { service?: string | undefined; environment?: string | undefined },
): Promise<void> {
  const services = await configs.services();
  if (scope.service !== undefined && !services.includes(scope.service))
    throw unknownName('service', scope.service, services, '');
  if (scope.environment === undefined) return;
  const environments = await environmentsOf(configs, scope.service ? [scope.service] : services);
  if (!environments.includes(scope.environment))
    throw unknownName(
      'environment',
      scope.environment,
      environments,
      scope.service ? ` in service ${scope.service}` : ' in any service',
    );
}
