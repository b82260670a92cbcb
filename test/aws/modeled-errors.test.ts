import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AwsSettings } from '../../aws/commons/aws-settings.js';
import { AutoScalingFleets } from '../../aws/fleets/auto-scaling-fleets.js';
import { FleetDirectory } from '../../aws/fleets/fleet-directory.js';
import { runAwsJanitor } from '../../aws/janitor/aws-janitor.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { COMMON_ERRORS, EC2_ERROR_CODES } from '../support/aws-oracles/api-oracle.js';
import {
  MODELED_SERVICES,
  modeledErrorsOf,
  serviceErrorsOf,
} from '../support/aws-oracles/botocore-models.js';
import { awsWorldWithBlue } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * AWS errors are told apart by the names AWS's models give them (the SDK's `error.name`), for the operations that
 * raise them, never by their message text, which is not part of any API.
 */

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Every error name the adapters compare, where, and the operations whose failure they examine: each must be an
 * error botocore's model lists for each operation, an error every AWS API can answer, or (EC2, whose model lists
 * none) one of EC2's documented codes. Names that are not AWS's answers say so.
 */
const MATCHED: { file: string; name: string; service?: string; operations: string[]; why?: string }[] = [
  {
    file: 'aws/starter/step-functions-starter.ts',
    name: 'ExecutionAlreadyExists',
    service: 'states',
    operations: ['StartExecution'],
  },
  {
    file: 'aws/fleets/auto-scaling-fleets.ts',
    name: 'AlreadyExistsFault',
    service: 'autoscaling',
    operations: ['CreateAutoScalingGroup'],
  },
  {
    file: 'aws/fleets/auto-scaling-fleets.ts',
    name: 'ValidationError',
    service: 'autoscaling',
    operations: ['DeleteAutoScalingGroup'],
  },
  {
    file: 'aws/fleets/auto-scaling-fleets.ts',
    name: 'InvalidLaunchTemplateName.NotFoundException',
    service: 'ec2',
    operations: ['DescribeLaunchTemplateVersions'],
  },
  {
    file: 'aws/fleets/auto-scaling-fleets.ts',
    name: 'InvalidLaunchTemplateId.VersionNotFound',
    service: 'ec2',
    operations: ['DescribeLaunchTemplateVersions'],
  },
  {
    file: 'aws/fleets/auto-scaling-fleets.ts',
    name: 'InvalidLaunchTemplateName.AlreadyExistsException',
    service: 'ec2',
    operations: ['CreateLaunchTemplate'],
  },
  {
    file: 'aws/janitor/aws-janitor.ts',
    name: 'InvalidLaunchTemplateName.NotFoundException',
    service: 'ec2',
    operations: ['DescribeLaunchTemplateVersions'],
  },
  {
    file: 'aws/baker/builder-launch.ts',
    name: 'IdempotentParameterMismatch',
    service: 'ec2',
    operations: ['RunInstances'],
  },
  {
    file: 'aws/baker/bake-image.ts',
    name: 'InvalidAMIName.Duplicate',
    service: 'ec2',
    operations: ['CreateImage'],
  },
  { file: 'aws/baker/builder-report-reader.ts', name: 'NoSuchKey', service: 's3', operations: ['GetObject'] },
  {
    file: 'aws/baker/builder-instance.ts',
    name: 'InvalidInstanceID.NotFound',
    service: 'ec2',
    operations: ['DescribeInstances', 'TerminateInstances'],
  },
  {
    file: 'aws/baker/ec2-image-catalog.ts',
    name: 'InvalidAMIID.NotFound',
    service: 'ec2',
    operations: ['DescribeImages'],
  },
  {
    file: 'aws/baker/bake-ledger.ts',
    name: 'ConditionalCheckFailedException',
    service: 'dynamodb',
    operations: ['PutItem', 'UpdateItem'],
  },
  {
    file: 'shared-adapters/release-store/dynamodb-release-store.ts',
    name: 'ConditionalCheckFailedException',
    service: 'dynamodb',
    operations: ['PutItem', 'UpdateItem', 'DeleteItem'],
  },
  {
    file: 'aws/configs/ssm-service-configs.ts',
    name: 'ParameterNotFound',
    service: 'ssm',
    operations: ['GetParameter'],
  },
  {
    file: 'aws/operations/aws-operations.ts',
    name: 'ParameterNotFound',
    service: 'ssm',
    operations: ['GetParameter'],
  },
  {
    file: 'aws/operations/aws-operations.ts',
    name: 'ExecutionDoesNotExist',
    service: 'states',
    operations: ['DescribeExecution'],
  },
  {
    // An instance that has not yet written a line has no stream: its diagnosis has no lines, not an error.
    file: 'aws/fleets/cloudwatch-instance-diagnostics.ts',
    name: 'ResourceNotFoundException',
    service: 'logs',
    operations: ['FilterLogEvents'],
  },
  {
    file: 'aws/operations/log-reader.ts',
    name: 'ResourceNotFoundException',
    service: 'logs',
    operations: ['FilterLogEvents'],
  },
  {
    file: 'aws/operations/explain-aws-errors.ts',
    name: 'ExpiredTokenException',
    service: 'sts',
    operations: ['AssumeRole'],
    why: 'expired credentials, answered by any service to a caller whose STS session ended',
  },
  {
    file: 'aws/operations/explain-aws-errors.ts',
    name: 'UnrecognizedClientException',
    operations: [],
    why: "any JSON-protocol service's answer to an unknown access key (its common errors)",
  },
  {
    file: 'aws/operations/explain-aws-errors.ts',
    name: 'CredentialsProviderError',
    operations: [],
    why: "the SDK's own: no credentials found on this machine, nothing sent",
  },
  {
    file: 'aws/analysis/lambda-pre-traffic-tests.ts',
    name: 'AbortError',
    operations: [],
    why: "fetch's (WHATWG), not AWS's",
  },
  {
    file: 'aws/analysis/lambda-pre-traffic-tests.ts',
    name: 'TimeoutError',
    operations: [],
    why: "fetch's (WHATWG), not AWS's",
  },
];

/** Message text the adapters may read, each with why no error name can say it. */
const MESSAGE_READS = [
  {
    file: 'aws/operations/explain-aws-errors.ts',
    text: '/region is missing/i.test(message)',
    why: "the SDK's own configuration error (a plain Error, no name): nothing reached AWS",
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => join(dir, path));
}
const ADAPTERS = [...sourceFiles('aws'), ...sourceFiles('shared-adapters')];

describe("the adapters match AWS's errors by their modeled names", () => {
  it('every error name compared is one AWS answers for the operation it guards', () => {
    const wrong = MATCHED.filter((m) => m.service).flatMap(({ file, name, service = '', operations }) =>
      operations.flatMap((operation) => {
        if (COMMON_ERRORS.has(name)) return [];
        if (service === 'ec2')
          return EC2_ERROR_CODES.has(name) ? [] : [`${file}: ${name} (EC2 ${operation})`];
        const modeled = modeledErrorsOf(service, operation);
        return modeled?.includes(name)
          ? []
          : [`${file}: ${name} is not among ${service}:${operation}'s [${modeled}]`];
      }),
    );
    expect(wrong).toEqual([]);
    for (const { name, service, why } of MATCHED) expect(service ?? why, name).toBeTruthy();
  });

  it('the list above is every comparison the adapters make: by name or exception class, never by message', () => {
    const compared = ADAPTERS.flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const names = [
        ...text.matchAll(/\bname\s*[!=]==\s*'([^']+)'/g),
        ...text.matchAll(/instanceof\s+(\w+(?:Exception|Fault))/g),
      ].map((m) => `${file} ${m[1]}`);
      const messages = [
        ...text.matchAll(
          /message\.(?:includes|match|startsWith|endsWith)\([^)]*\)|\/[^/\n]+\/\w*\.test\(message\)/g,
        ),
        ...text.matchAll(/\bname\.(?:includes|match|startsWith|endsWith)\([^)]*\)/g),
      ]
        .map((m) => m[0])
        .filter((read) => !MESSAGE_READS.some((allowed) => allowed.file === file && allowed.text === read))
        .map((read) => `${file} reads the message: ${read}`);
      return [...names, ...messages];
    });
    expect([...new Set(compared)].sort()).toEqual(
      [...new Set(MATCHED.map((m) => `${m.file} ${m.name}`))].sort(),
    );
  });
});

/**
 * The names in the sets an adapter tests a caught error's name against (`TRANSIENT.has(name)`), each as
 * `<file> <set> <name>`: sets, unlike the comparisons above, hold names for any operation of any service.
 */
function namesInSets(): string[] {
  return ADAPTERS.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return [...text.matchAll(/\b(\w+)\.has\((?:\w+\.)?name\)/g)].flatMap(([, set]) => {
      const literal = new RegExp(`const ${set} = new Set\\(\\[([^\\]]*)\\]`).exec(text)?.[1];
      if (literal === undefined) return [`${file} ${set} (not a literal set of names)`];
      const names = literal.replace(/\/\/.*$/gm, '').matchAll(/'([^']+)'/g);
      return [...names].map(([, name]) => `${file} ${set} ${name}`);
    });
  });
}

describe("the sets of error names the adapters test errors against hold AWS's names", () => {
  const allModeled = new Set(MODELED_SERVICES.flatMap(serviceErrorsOf));
  const answered = (name: string) =>
    COMMON_ERRORS.has(name) || EC2_ERROR_CODES.has(name) || allModeled.has(name);

  it('each name is one a service bakeshift calls can answer: modeled, common to every API, or an EC2 code', () => {
    const named = namesInSets();
    expect([...new Set(named.map((n) => n.split(' ').slice(0, 2).join(' ')))].sort()).toEqual([
      'aws/commons/aws-errors.ts TRANSIENT',
      'aws/operations/explain-aws-errors.ts ACCESS_DENIED',
    ]);
    expect(named.filter((n) => !answered(n.split(' ')[2] ?? ''))).toEqual([]);
  });

  it('and can fail: a name no model lists is found', () => {
    expect(answered('TooManyRequestsException')).toBe(true);
    expect(answered('RequestThrottled')).toBe(false);
  });
});

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

const credentials = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };
const clients = () => ({
  ec2: new EC2Client({ region: 'us-east-1', credentials }),
  autoScaling: new AutoScalingClient({ region: 'us-east-1', credentials }),
});

/** Blue live in staging on the simulated cloud; its fleet, and fleets adapters as a function builds them. */
async function withBlue() {
  const setup = await awsWorldWithBlue(dynamo);
  cloud = setup.cloud;
  const fleetId = setup.blue.request.deploymentId;
  const own = clients();
  const fleets = new AutoScalingFleets(
    own,
    new AwsSettings(new SSMClient({ region: 'us-east-1', credentials })),
    new FleetDirectory(own.autoScaling),
  );
  return { ...setup, cloud: setup.cloud, fleets, ref: { fleetId, service: 'web', environment: 'staging' } };
}

describe('on the simulated cloud, with the exact errors AWS answers', () => {
  it('a group deleted meanwhile (ValidationError, whatever its wording) is destroyed: it is looked for again', async () => {
    const { cloud, fleets, ref } = await withBlue();
    // Two destroys race (a retried DestroyGreen and the janitor): the second delete finds no group.
    cloud.fail(
      'DeleteAutoScalingGroup',
      'ValidationError',
      1,
      1,
      `No group named bakeshift-web-staging exists`,
    );
    await Promise.all([fleets.destroy(ref), fleets.destroy(ref)]);
    expect(cloud.groups.size).toBe(0);
  });

  it('a ValidationError while the group still stands is a failure, even if it says "not found"', async () => {
    const { cloud, fleets, ref } = await withBlue();
    cloud.fail('DeleteAutoScalingGroup', 'ValidationError', 1, 0, 'Launch template version not found');
    await expect(fleets.destroy(ref)).rejects.toThrow(/Launch template version not found/);
    expect(cloud.groups.size).toBe(1);
  });

  it.each([
    ['destroy', 'InvalidLaunchTemplateName.NotFoundException', true],
    ['destroy', 'InvalidLaunchTemplateId.NotFound', false],
    ['janitor', 'InvalidLaunchTemplateName.NotFoundException', true],
    ['janitor', 'InvalidLaunchTemplateId.NotFound', false],
  ])(
    '%s: DescribeLaunchTemplateVersions answering %s is "no template": %s',
    async (who, error, tolerated) => {
      const { cloud, fleets, ref, world } = await withBlue();
      cloud.fail('DescribeLaunchTemplateVersions', error);
      const run =
        who === 'destroy'
          ? fleets.destroy(ref)
          : runAwsJanitor({ clients: clients(), ...world.ports() }, 'web', { dryRun: true });
      if (tolerated) await expect(run).resolves.not.toThrow();
      else await expect(run).rejects.toThrow(error);
    },
  );

  it.each([
    ['InvalidLaunchTemplateId.VersionNotFound', true],
    ['InvalidLaunchTemplateName.NotFoundException', true],
    ['InvalidLaunchTemplateId.NotFound', false],
  ])(
    'inspecting a fleet whose launch template answers %s: a change to report: %s',
    async (error, reported) => {
      const { cloud, fleets, ref } = await withBlue();
      cloud.fail('DescribeLaunchTemplateVersions', error);
      const changes = fleets.launchChanges(ref.fleetId);
      if (reported) expect((await changes).join()).toMatch(/not the version bakeshift made for this fleet/);
      else await expect(changes).rejects.toThrow(error);
    },
  );
});
