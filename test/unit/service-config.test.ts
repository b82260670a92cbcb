import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentOf, parseServiceConfig } from '../../core/config/service-config.js';
import { ConfigInvalid } from '../../core/errors.js';
import { loadServiceConfigFile } from '../../shared-adapters/config-files/load-service-config-file.js';
import { webConfig } from '../support/fake-world.js';

const SOURCE = 'services/web.json';
const errorOf = (raw: unknown) => {
  try {
    parseServiceConfig(raw, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalid);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};
const withStaging = (staging: Record<string, unknown>) => {
  const config = webConfig();
  return { ...config, environments: { staging: { ...config.environments.staging, ...staging } } };
};

describe('service configuration', () => {
  it('fills documented defaults', () => {
    const config = parseServiceConfig(webConfig(), SOURCE);
    const staging = environmentOf(config, 'staging', SOURCE);
    expect(staging.approval).toEqual({ required: false });
    expect(staging.traffic).toEqual({ strategy: 'all-at-once' });
    expect(staging.healthCheck).toEqual({
      intervalSeconds: 10,
      timeoutSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      deadlineSeconds: 600,
    });
    expect(config.retention.images).toBe(3);
    expect(config.lockWaitSeconds).toBe(1800);
    expect(environmentOf(config, 'prod', SOURCE).approval).toMatchObject({
      timeoutSeconds: 3600,
      exemptTriggers: [],
    });
  });

  it.each([
    [
      'capacity out of order',
      withStaging({ capacity: { min: 3, desired: 2, max: 4 } }),
      'services/web.json: environments.staging.capacity: must satisfy min <= desired <= max',
    ],
    [
      'PORT among the variables',
      withStaging({ variables: { PORT: '80' } }),
      'services/web.json: environments.staging.variables: PORT is set by bakeshift for each instance; remove it',
    ],
    [
      'weighted steps that do not end at 100',
      withStaging({ traffic: { strategy: 'weighted', steps: [{ percent: 10, holdSeconds: 30 }] } }),
      'services/web.json: environments.staging.traffic.steps: the last step must send 100 percent to green',
    ],
    [
      'weighted steps that go down',
      withStaging({
        traffic: {
          strategy: 'weighted',
          steps: [
            { percent: 50, holdSeconds: 30 },
            { percent: 20, holdSeconds: 30 },
            { percent: 100, holdSeconds: 0 },
          ],
        },
      }),
      "services/web.json: environments.staging.traffic.steps.1.percent: must be greater than the previous step's 50",
    ],
    [
      'an approval without approvers',
      withStaging({ approval: { required: true, approvers: [] } }),
      'services/web.json: environments.staging.approval.approvers: name at least one approver',
    ],
    [
      'a health check timeout not below its interval',
      withStaging({ healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }),
      'services/web.json: environments.staging.healthCheck.timeoutSeconds: timeoutSeconds must be less than intervalSeconds',
    ],
    [
      'a cron with five fields',
      withStaging({ congruence: { schedule: 'cron(0 3 * * ?)' } }),
      'services/web.json: environments.staging.congruence.schedule: must be cron(minutes hours day-of-month month day-of-week year)',
    ],
    [
      'an unknown time zone',
      withStaging({ congruence: { schedule: 'cron(0 3 * * ? *)', timeZone: 'Mars/Olympus' } }),
      'services/web.json: environments.staging.congruence.timeZone: must be an IANA time zone such as Europe/Paris or UTC',
    ],
  ])('rejects %s, naming file, field and reason', (_, raw, message) => {
    expect(errorOf(raw)).toBe(message);
  });

  it('rejects unknown fields, so a typo is not silently ignored', () => {
    expect(errorOf(withStaging({ keepBlueWarm: 10 }))).toContain(
      'environments.staging: Unrecognized key: "keepBlueWarm"',
    );
  });

  it('accepts a valid congruence schedule in a time zone', () => {
    const config = parseServiceConfig(
      withStaging({ congruence: { schedule: 'cron(0 3 ? * MON-FRI *)', timeZone: 'Europe/Paris' } }),
      SOURCE,
    );
    expect(config.environments.staging?.congruence).toEqual({
      schedule: 'cron(0 3 ? * MON-FRI *)',
      timeZone: 'Europe/Paris',
      replaceWhenUnchanged: true,
    });
  });

  it('names the environments that exist when asked for one that does not', () => {
    const config = parseServiceConfig(webConfig(), SOURCE);
    expect(() => environmentOf(config, 'qa', SOURCE)).toThrow(
      'services/web.json: environments.qa: no such environment (defined: staging, prod)',
    );
  });

  it('reports an unreadable or malformed file by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bakeshift-config-'));
    const broken = join(dir, 'web.json');
    await writeFile(broken, '{ "service": ');
    await expect(loadServiceConfigFile(broken)).rejects.toThrow(`${broken}: not valid JSON`);
    await expect(loadServiceConfigFile(join(dir, 'missing.json'))).rejects.toThrow(
      `${join(dir, 'missing.json')}: cannot be read (ENOENT)`,
    );
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify(webConfig()));
    await expect(loadServiceConfigFile(good)).resolves.toMatchObject({ service: 'web' });
  });
});
