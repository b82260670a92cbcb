import type { ListedServiceConfigs } from '../operations/read-status.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { type DeliveryFigures, deliveryFigures } from './delivery-figures.js';

/** The most records read per service+environment: a period's deployments, and the one after each (a rollback). */
const MAX_RECORDS = 1000;

/**
 * Delivery figures per service and environment over [since, until): every configured service (or one), each of its
 * environments, from the release store's history. Listing all, a service whose configuration cannot be read is
 * left out.
 */
export async function readStats(
  deps: { store: ReleaseStore; configs: ListedServiceConfigs },
  input: { service?: string | undefined; since: Date; until: Date },
): Promise<DeliveryFigures[]> {
  const services = input.service ? [input.service] : await deps.configs.services();
  const figures: DeliveryFigures[] = [];
  for (const service of services) {
    // A named service that cannot be read is refused (a typo must not answer "no figures").
    const loaded = await deps.configs.load(service).catch((error: Error) => {
      if (input.service) throw error;
      return undefined;
    });
    for (const environment of Object.keys(loaded?.config.environments ?? {})) {
      const records = await deps.store.listDeployments(service, environment, MAX_RECORDS);
      figures.push(deliveryFigures(records, { service, environment }, input));
    }
  }
  return figures;
}

const DEFAULT_DAYS = 30;

/** The period a `stats` request names: from `since` (default 30 days ago) to now. */
export function statsPeriod(since: string | undefined, now: Date): { since: Date; until: Date } {
  return { since: since ? new Date(since) : new Date(now.getTime() - DEFAULT_DAYS * 86_400_000), until: now };
}
