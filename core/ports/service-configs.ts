import type { ServiceConfig } from '../config/service-config.js';

/** Where service configurations live; `source` names the file or object, for error messages. */
export interface ServiceConfigs {
  load(service: string): Promise<{ config: ServiceConfig; source: string }>;
}
