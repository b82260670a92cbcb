import { parseServiceConfig, type ServiceConfig } from '../../../core/config/service-config.js';
import { ConfigInvalid } from '../../../core/errors.js';
import type { ServiceConfigs } from '../../../core/ports/service-configs.js';

/** Service configurations held in memory for tests; validated exactly as files are. */
export class FakeServiceConfigs implements ServiceConfigs {
  readonly raw = new Map<string, unknown>();

  set(service: string, config: unknown) {
    this.raw.set(service, config);
  }

  async load(service: string): Promise<{ config: ServiceConfig; source: string }> {
    const source = `services/${service}.json`;
    if (!this.raw.has(service)) throw new ConfigInvalid(`${source}: no configuration for service ${service}`);
    return { config: parseServiceConfig(this.raw.get(service), source), source };
  }
}
