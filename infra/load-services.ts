import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeIssues } from '../core/config/describe-issues.js';
import type { ServiceConfig } from '../core/config/service-config.js';
import { ConfigInvalid } from '../core/errors.js';
import { loadServiceConfigFile } from '../shared-adapters/config-files/load-service-config-file.js';
import { readJsonFile } from '../shared-adapters/config-files/read-json-file.js';
import { ServiceInfraOptions } from './service-infra-options.js';

export interface ServiceDefinition {
  config: ServiceConfig;
  source: string;
  infra: ServiceInfraOptions;
}

/** What an ALB target group accepts (the configuration allows more, for local mode). */
const ALB_HEALTH_CHECK = {
  intervalSeconds: [5, 300],
  timeoutSeconds: [2, 120],
  healthyThreshold: [2, 10],
  unhealthyThreshold: [2, 10],
} as const;

/**
 * Every `<service>.json` in the directory, with its optional `<service>.aws.json`, validated at synth: a bad
 * file fails `cdk synth` naming the file and field, before anything is deployed.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: each kind of bad file (no config, bad JSON, a mismatched name, a stray .aws.json) is its own refusal naming the file
export async function loadServices(directory: string): Promise<ServiceDefinition[]> {
  if (!existsSync(directory)) throw new ConfigInvalid(`${directory}: no such services directory`);
  const files = readdirSync(directory).filter((f) => f.endsWith('.json') && !f.endsWith('.aws.json'));
  const services: ServiceDefinition[] = [];
  for (const file of files.sort()) {
    const source = join(directory, file);
    const config = await loadServiceConfigFile(source);
    if (`${config.service}.json` !== file)
      throw new ConfigInvalid(`${source}: service: "${config.service}" must match the file name`);
    const infraSource = join(directory, `${config.service}.aws.json`);
    const parsed = ServiceInfraOptions.safeParse(
      existsSync(infraSource) ? await readJsonFile(infraSource) : {},
    );
    if (!parsed.success) throw new ConfigInvalid(describeIssues(infraSource, parsed.error.issues));
    const issues: string[] = [];
    for (const [environment, env] of Object.entries(config.environments)) {
      for (const [field, [min, max]] of Object.entries(ALB_HEALTH_CHECK)) {
        const value = env.healthCheck[field as keyof typeof ALB_HEALTH_CHECK];
        if (value < min || value > max)
          issues.push(
            `${source}: environments.${environment}.healthCheck.${field}: ${value} is outside what an ALB accepts (${min}-${max})`,
          );
      }
    }
    for (const environment of Object.keys(parsed.data.environments)) {
      if (!(environment in config.environments))
        issues.push(`${infraSource}: environments.${environment}: not an environment of ${source}`);
    }
    if (issues.length > 0) throw new ConfigInvalid(issues.join('\n'));
    services.push({ config, source, infra: parsed.data });
  }
  return services;
}
