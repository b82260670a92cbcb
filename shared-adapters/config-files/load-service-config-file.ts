import { parseServiceConfig, type ServiceConfig } from '../../core/config/service-config.js';
import { readJsonFile } from './read-json-file.js';

/** Reads and validates a service configuration file; every error names the file. */
export async function loadServiceConfigFile(path: string): Promise<ServiceConfig> {
  return parseServiceConfig(await readJsonFile(path), path);
}
