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
    expect(staging.approval).toEqual({ required: false, timeoutSeconds: 3600 });
    expect(staging.analysis.onInconclusive).toBe('rollback');
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
      'NUL in a variable (a process environment ends a value there)',
      withStaging({ variables: { TLS_CERT: 'abc\u0000def' } }),
      'services/web.json: environments.staging.variables.TLS_CERT: the value contains NUL (U+0000) at character 4, which no process environment can hold',
    ],
    [
      'a Unicode noncharacter in a variable (systemd refuses the environment file)',
      withStaging({ variables: { LABEL: 'a\uFFFEb' } }),
      'services/web.json: environments.staging.variables.LABEL: the value contains the Unicode noncharacter U+FFFE at character 2, which systemd refuses in an environment',
    ],
    [
      'a byte order mark (U+FEFF) in a variable: invisible in the file',
      withStaging({ variables: { API_URL: '\uFEFFhttps://api.example.com' } }),
      'services/web.json: environments.staging.variables.API_URL: the value contains the invisible format character U+FEFF at character 1 (e.g. a byte order mark or zero-width space pasted with the value): remove it',
    ],
    [
      'a right-to-left override (U+202E) in a variable',
      withStaging({ variables: { LABEL: 'abc\u202Edef' } }),
      'services/web.json: environments.staging.variables.LABEL: the value contains the bidirectional control U+202E at character 4, which displays text in another order than it is ("Trojan Source"): remove it',
    ],
    [
      'a lone surrogate in a variable',
      withStaging({ variables: { LABEL: '\uD83D' } }),
      'services/web.json: environments.staging.variables.LABEL: the value contains a lone UTF-16 surrogate (U+D83D) at character 1: not Unicode text',
    ],
    [
      'variables larger than user data can carry',
      withStaging({ variables: { BIG: 'x'.repeat(8200) } }),
      "services/web.json: environments.staging.variables: names and values must be at most 8192 bytes in all (they travel in the instances' user data, 16 KB); put large values in secrets",
    ],
    [
      'a secret that is neither an SSM parameter nor a Secrets Manager ARN',
      withStaging({ secrets: { DB_PASSWORD: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db' } }),
      'services/web.json: environments.staging.secrets.DB_PASSWORD: must be an SSM parameter name (/app/db-password) or ARN, or the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)',
    ],
    [
      'a name both a variable and a secret',
      withStaging({ variables: { DB_PASSWORD: 'x' }, secrets: { DB_PASSWORD: '/web/db-password' } }),
      'services/web.json: environments.staging.secrets.DB_PASSWORD: DB_PASSWORD is also among the variables: name it in one place only',
    ],
    [
      'PORT among the secrets',
      withStaging({ secrets: { PORT: '/web/port' } }),
      'services/web.json: environments.staging.secrets: PORT is set by bakeshift for each instance; remove it',
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

  it('accepts secrets as SSM parameter names or ARNs and Secrets Manager ARNs, and any variable value but NUL and noncharacters', () => {
    const secrets = {
      DB_PASSWORD: '/web/staging/db-password',
      PLAIN: 'api-key',
      SHARED: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/token',
      API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web/api-key-AbC123',
    };
    const variables = {
      PEM: '-----BEGIN CERTIFICATE-----\nMIIB\nENV\n-----END CERTIFICATE-----\n',
      ODD: '$`"\\\r\u{1F600}',
    };
    const staging = parseServiceConfig(withStaging({ secrets, variables }), SOURCE).environments.staging;
    expect(staging?.secrets).toEqual(secrets);
    expect(staging?.variables).toEqual(variables);
    expect(parseServiceConfig(webConfig(), SOURCE).environments.staging?.secrets).toEqual({});
  });

  describe('Slack users are named by user id only (ADR 35)', () => {
    const HOW =
      'list Slack users by user id (U… or W…), which never changes and is unique: in Slack, open their profile, click ⋮ (More) and choose "Copy member ID"';
    it.each([
      ['@alice', 0],
      ['slack:alice', 1],
      ['Slack:U0ALICE01', 0],
    ])('refuses the approver %s, saying how to find the id', (name, index) => {
      const approvers = index === 0 ? [name, 'bob'] : ['bob', name];
      expect(errorOf(withStaging({ approval: { required: true, approvers } }))).toBe(
        `services/web.json: environments.staging.approval.approvers.${index}: "${name}" is a Slack name; ${HOW}`,
      );
    });

    it.each(['carol', '@carol', 'U-CAROL', 'u0carol01', 'C0CHANNEL1'])(
      'refuses %s in a rollback allowlist, saying how to find the id',
      (name) => {
        expect(
          errorOf(withStaging({ slack: { channel: 'C0DEPLOYS1', rollbackAllowlist: ['U0CAROL01', name] } })),
        ).toBe(
          `services/web.json: environments.staging.slack.rollbackAllowlist.1: "${name}" is not a Slack user id; ${HOW}`,
        );
      },
    );

    it('accepts Slack user ids (U… and W…) beside local users and IAM ARNs', () => {
      const config = parseServiceConfig(
        withStaging({
          approval: {
            required: true,
            approvers: ['alice', 'U0ALICE01', 'W0BOB00001', 'arn:aws:iam::123456789012:role/approvers'],
          },
          slack: { channel: 'C0DEPLOYS1', rollbackAllowlist: ['U0CAROL01', 'W012A3CDE'] },
        }),
        SOURCE,
      );
      expect(config.environments.staging?.slack?.rollbackAllowlist).toEqual(['U0CAROL01', 'W012A3CDE']);
    });
  });

  it('rejects unknown fields, so a typo is not silently ignored, and names the field it most likely meant', () => {
    expect(errorOf(withStaging({ keepBlueWarm: 10 }))).toBe(
      'services/web.json: environments.staging.keepBlueWarm: unknown field (did you mean "keepBlueWarmSeconds"?)',
    );
    const config = webConfig();
    const misspelt = {
      ...config,
      bake: { ...config.bake, timeoutSecond: 60 },
      environments: {
        staging: { ...config.environments.staging, healthcheck: {}, trafic: {}, colour: 'blue' },
      },
    };
    expect(errorOf(misspelt).split('\n').sort()).toEqual([
      'services/web.json: bake.timeoutSecond: unknown field (did you mean "timeoutSeconds"?)',
      'services/web.json: environments.staging.colour: unknown field (known fields: capacity, variables, secrets, approval, traffic, healthCheck, analysis, preTraffic, keepBlueWarmSeconds, drainSeconds, slack, windows, congruence)',
      'services/web.json: environments.staging.healthcheck: unknown field (did you mean "healthCheck"?)',
      'services/web.json: environments.staging.trafic: unknown field (did you mean "traffic"?)',
    ]);
    // Inside a union (weighted traffic) and an array (its steps): the keys of that very object.
    const steps = [{ percent: 100, holdSecond: 0 }];
    expect(errorOf(withStaging({ traffic: { strategy: 'weighted', steps } }))).toContain(
      'environments.staging.traffic.steps.0.holdSecond: unknown field (did you mean "holdSeconds"?)',
    );
  });

  it('refuses a key given twice in one object, naming both lines (JSON.parse would keep the last silently)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bakeshift-config-'));
    const file = join(dir, 'web.json');
    const config = webConfig();
    const text = JSON.stringify(config, null, 2).replace(
      '"keepBlueWarmSeconds"',
      '"drainSeconds": 1,\n      "keepBlueWarmSeconds"',
    );
    await writeFile(file, text);
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.includes('"drainSeconds"')) + 1;
    const second = lines.findIndex((l, i) => i >= first && l.includes('"drainSeconds"')) + 1;
    await expect(loadServiceConfigFile(file)).rejects.toThrow(
      `${file}: line ${second}: environments.staging.drainSeconds: given twice in one object (first on line ${first}); keep one`,
    );
  });

  it('onInconclusive: "approval" asks the environment\'s approvers, with or without a gate before traffic (ADR 50)', () => {
    const config = parseServiceConfig(
      withStaging({
        approval: { required: false, approvers: ['alice'], timeoutSeconds: 600 },
        analysis: { onInconclusive: 'approval' },
      }),
      SOURCE,
    );
    expect(config.environments.staging?.analysis.onInconclusive).toBe('approval');
    expect(config.environments.staging?.approval).toEqual({
      required: false,
      approvers: ['alice'],
      timeoutSeconds: 600,
    });
  });

  it('refuses an onInconclusive other than rollback or approval, and approval with nobody to ask', () => {
    expect(() => parseServiceConfig(withStaging({ analysis: { onInconclusive: 'pass' } }), SOURCE)).toThrow(
      'environments.staging.analysis.onInconclusive: must be "rollback" or "approval"',
    );
    expect(() =>
      parseServiceConfig(withStaging({ analysis: { onInconclusive: 'approval' } }), SOURCE),
    ).toThrow(
      'environments.staging.analysis.onInconclusive: is "approval": name who decides in approval.approvers',
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

describe('service configuration: names that are also object properties', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])(
    'a secret named %s that no variable has is accepted',
    (name) => {
      const config = parseServiceConfig(withStaging({ secrets: { [name]: '/web/db-password' } }), SOURCE);
      expect(environmentOf(config, 'staging', SOURCE).secrets).toEqual({ [name]: '/web/db-password' });
    },
  );
});
