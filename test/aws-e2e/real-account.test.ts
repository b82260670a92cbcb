import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import { BakeLedger } from '../../aws/baker/bake-ledger.js';
import { Ec2ImageBaker } from '../../aws/baker/ec2-image-baker.js';
import { AwsSettings } from '../../aws/commons/aws-settings.js';
import { AutoScalingFleets } from '../../aws/fleets/auto-scaling-fleets.js';
import { FleetDirectory } from '../../aws/fleets/fleet-directory.js';
import { AlbTraffic } from '../../aws/traffic/alb-traffic.js';
import { SlotHealthCheck } from '../../aws/traffic/slot-health-check.js';
import { TargetGroupHealth } from '../../aws/traffic/target-group-health.js';
import { deriveDeploymentId } from '../../core/deployment/deployment-id.js';
import { bakeIdOf } from '../../core/deployment/resource-names.js';
import { buildHelloArtifact, HELLO_SERVICE_CONFIG } from '../../examples/hello/build-artifact.js';
import { DynamoDbReleaseStore } from '../../shared-adapters/release-store/dynamodb-release-store.js';
import { FakeWorld } from '../support/fake-world.js';

/**
 * Opt-in, against a real account (run through `npm run test:aws-account`): the real state machine run by the local
 * engine, with the AWS adapters. Needs the SSM settings the CDK app writes (`/bakeshift/provider`,
 * `/bakeshift/services/hello/staging`) and the release table in BAKESHIFT_E2E_TABLE. Deploys hello 1.0.0 and 2.0.0,
 * then removes every fleet and image it made.
 */
const region = process.env.AWS_REGION ?? 'us-east-1';
const table = process.env.BAKESHIFT_E2E_TABLE ?? '';
const clients = {
  ec2: new EC2Client({ region }),
  s3: new S3Client({ region }),
  ssm: new SSMClient({ region }),
  autoScaling: new AutoScalingClient({ region }),
  elb: new ElasticLoadBalancingV2Client({ region }),
};
const dynamo = new DynamoDBClient({ region });
const settings = new AwsSettings(clients.ssm);
const directory = new FleetDirectory(clients.autoScaling);
let baker: Ec2ImageBaker | undefined;
const world = new FakeWorld({
  adapters: (w) => {
    baker = new Ec2ImageBaker(clients, settings, new BakeLedger(dynamo, table), w.tokens, w.clock);
    return {
      store: new DynamoDbReleaseStore(dynamo, table),
      baker,
      fleets: new AutoScalingFleets(clients, settings, directory, new SlotHealthCheck(clients.elb)),
      traffic: new AlbTraffic(clients, settings, directory),
      health: new TargetGroupHealth(clients.elb, directory),
    };
  },
  // Real waits: polls at the ASL's own intervals.
  timing: { retryIntervalMs: {}, waitMs: {} },
});
const deployed: string[] = [];

afterAll(async () => {
  for (const fleetId of deployed)
    await world.ports().fleets.destroy({ fleetId, service: 'hello', environment: 'staging' });
  for (const image of await world.ports().baker.listImages('hello'))
    await world.ports().baker.discardImage(image.imageId);
});

async function deploy(version: string) {
  const provider = await settings.provider();
  const file = await buildHelloArtifact(version, await mkdtemp(join(tmpdir(), 'bakeshift-e2e-')));
  const key = `hello/staging/${version}.tgz`;
  const put = await clients.s3.send(
    new PutObjectCommand({ Bucket: provider.artifactBucket, Key: key, Body: await readFile(file) }),
  );
  const artifact = {
    bucket: provider.artifactBucket,
    key,
    etag: (put.ETag ?? '').replaceAll('"', ''),
    ...(put.VersionId ? { versionId: put.VersionId } : {}),
  };
  const requestedAt = new Date().toISOString();
  const request = {
    deploymentId: deriveDeploymentId({
      service: 'hello',
      environment: 'staging',
      trigger: 'artifact',
      artifact,
      requestedAt,
    }),
    service: 'hello',
    environment: 'staging',
    trigger: 'artifact' as const,
    version,
    artifact,
    requestedBy: 'test:aws-account',
    requestedAt,
  };
  deployed.push(request.deploymentId);
  // No EventBridge rule here: advance the bake every 15 s as the event-driven function would.
  const poll = setInterval(
    () => void baker?.advance(bakeIdOf(request.deploymentId)).catch(() => undefined),
    15_000,
  );
  try {
    return await world.start(request).outcome;
  } finally {
    clearInterval(poll);
  }
}

describe('bakeshift on a real AWS account', () => {
  it('bakes AMIs, runs blue then green behind the ALB, and reaps blue', async () => {
    const config = JSON.parse(await readFile(HELLO_SERVICE_CONFIG, 'utf8'));
    config.bake = {
      baseImage: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      timeoutSeconds: 1800,
    };
    Object.assign(config.environments.staging.healthCheck, {
      intervalSeconds: 10,
      timeoutSeconds: 5,
      deadlineSeconds: 900,
    });
    world.configs.set('hello', config);

    expect(await deploy('1.0.0')).toMatchObject({ status: 'SUCCEEDED' });
    expect(await deploy('2.0.0')).toMatchObject({ status: 'SUCCEEDED' });
    const live = await world.ports().store.getLiveRelease('hello', 'staging');
    expect(live?.version).toBe('2.0.0');
    const health = await world
      .ports()
      .health.check({ service: 'hello', environment: 'staging', fleetId: live?.fleetId ?? '' });
    expect(health.healthy).toBeGreaterThanOrEqual(2);
  });
});
