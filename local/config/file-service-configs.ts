import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigInvalid } from '../../core/errors.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import { loadServiceConfigFile } from '../../shared-adapters/config-files/load-service-config-file.js';

/** Service configurations as files: `<directory>/<service>.json`. */
export class FileServiceConfigs implements ServiceConfigs {
  constructor(private readonly directory: string) {}

  async load(service: string) {
    const source = join(this.directory, `${service}.json`);
    const names = await this.services();
    if (!names.includes(service)) {
      throw new ConfigInvalid(
        `${source}: no configuration for service ${service} (configured: ${names.join(', ') || 'none'})`,
      );
    }
    return { config: await loadServiceConfigFile(source), source };
  }

  async services(): Promise<string[]> {
    const files = await readdir(this.directory).catch(() => [] as string[]);
    return files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
  }
}
