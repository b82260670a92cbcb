import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteSnapshotCommand, DeregisterImageCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { withAwsErrors } from '../../aws/commons/aws-errors.js';
import { StepFunctionsStarter } from '../../aws/starter/step-functions-starter.js';
import type { BakeRequest } from '../../core/ports/image-baker.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsArns, awsWorld, BASE_AMI_PARAMETER } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * What AWS documents and a simulation written from memory gets wrong, each simulated (simulated-cloud.ts names
 * the page) and survived by the adapters. Each test failed before its fix (defects 4-9 of the conformance issue).
 */

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

const credentials = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };

describe('EC2 eventual consistency', () => {
  it('a builder or image not yet visible to Describe right after its creation is pending, not gone', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    cloud.visibilityDelay = 3;
    const { outcome } = await setup.world.deploy({ version: '1.0.0' });
    expect(outcome.cause ?? '').toBe('');
    expect(outcome.status).toBe('SUCCEEDED');
    expect(cloud.calls.some((c) => c.error === 'InvalidInstanceID.NotFound')).toBe(true);
    expect(cloud.calls.some((c) => c.error === 'InvalidAMIID.NotFound')).toBe(true);
  });

  it('a bake compensated right after CreateImage discards the image and its snapshot Describe does not see yet', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    // No events: the bake moves only when advanced here, so compensation comes right after CreateImage.
    cloud.dropEvents = true;
    const bakeId = 'bake-web-staging-0123456789abcdef';
    await setup.baker.startBake({
      bakeId,
      bakeKey: 'k'.repeat(64),
      deploymentId: 'web-staging-0123456789abcdef',
      service: 'web',
      version: '1.0.0',
      artifact: { bucket: 'artifacts', key: 'web/1.0.0.tgz', versionId: 'v1', etag: 'e' },
      baseImageId: 'ami-base',
      timeoutSeconds: 1800,
    });
    cloud.visibilityDelay = 3;
    for (let i = 0; i < 200 && cloud.inputsOf('CreateImage').length === 0; i++) {
      await setup.baker.advance(bakeId);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(cloud.inputsOf('CreateImage')).toHaveLength(1);
    // DiscardBake, retried as its Retry allows while EC2 does not show the image yet.
    let attempts = 0;
    for (let done = false; !done && attempts < 7; attempts++)
      done = await setup.baker.cancelBake(bakeId).then(
        () => true,
        (error: Error) => {
          expect(error.name).toBe('TransientFailure');
          return false;
        },
      );
    expect(attempts).toBeGreaterThan(1);
    expect([...cloud.images.keys()]).toEqual(['ami-base']);
    expect([...cloud.snapshots]).toEqual([]);
  });
});

describe('client tokens', () => {
  const request = (bakeId: string): BakeRequest => ({
    bakeId,
    bakeKey: 'k'.repeat(64),
    deploymentId: bakeId.replace(/^bake-/, ''),
    service: 'web',
    version: '1.0.0',
    artifact: { bucket: 'artifacts', key: 'web/1.0.0.tgz', versionId: 'v1', etag: 'e' },
    baseImageId: 'ami-base',
    timeoutSeconds: 1800,
  });

  it('stay within 64 characters for a long deployment id', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const bakeId = `bake-${'a-very-long-service-name-for-the-payments-platform'}-production-0123456789abcdef`;
    await setup.baker.startBake(request(bakeId));
    expect(cloud.inputsOf('RunInstances')[0].ClientToken.length).toBeLessThanOrEqual(64);
  });

  it('a retried start, with URLs signed anew, adopts the builder the first attempt launched', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const bake = request('bake-web-staging-0123456789abcdef');
    await setup.baker.startBake(bake);
    // The first attempt stopped after RunInstances, before its ledger entry was written.
    await dynamo.client.send(
      new DeleteItemCommand({
        TableName: setup.table,
        Key: { pk: { S: `BAKE#${bake.bakeId}` }, sk: { S: 'LEDGER' } },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a new signing second: other user data
    await setup.baker.startBake(bake);
    expect(cloud.calls.filter((c) => c.name === 'RunInstances').map((c) => c.error)).toEqual([
      undefined,
      'IdempotentParameterMismatch',
    ]);
    expect(cloud.liveInstances('builder')).toHaveLength(1);
  });
});

describe('presigned URLs die with the credentials that signed them', () => {
  it('a builder whose report upload failed is read from its console output', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    cloud.presignedUrlsExpired = true;
    const { outcome } = await setup.world.deploy({ version: '1.0.0' });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(cloud.inputsOf('GetConsoleOutput').length).toBeGreaterThan(0);
  });

  it('a failed bake is reported the same way, with its log tail in the cause', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    cloud.presignedUrlsExpired = true;
    cloud.builder = 'fail';
    const { outcome } = await setup.world.deploy({ version: '1.0.0' });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause).toContain('npm ERR! code E404');
    expect(cloud.liveInstances('builder')).toEqual([]);
  });
});

describe("snapshots of a deregistered image stay 'in use' for a while", () => {
  it('so DeleteSnapshot right after DeregisterImage fails, and the adapters delete them with the image', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const ec2 = new EC2Client({ region: 'us-east-1', credentials });
    expect((await setup.world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    const image = [...cloud.images.values()].find((i) => i.id !== 'ami-base');
    await ec2.send(new DeregisterImageCommand({ ImageId: image?.id }));
    await expect(ec2.send(new DeleteSnapshotCommand({ SnapshotId: image?.snapshotIds[0] }))).rejects.toThrow(
      'in use',
    );
    const discard = setup.baker.discardImage.bind(setup.baker);
    cloud.addImage('ami-other');
    const other = cloud.images.get('ami-other');
    other?.snapshotIds.push('snap-other');
    cloud.snapshots.add('snap-other');
    await discard('ami-other');
    expect(cloud.snapshots.has('snap-other')).toBe(false);
  });
});

describe("the manifest's health path on AWS", () => {
  it("green's target group checks the path the image's manifest names, not the one fixed at synth", async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    cloud.builderHealthPath = '/ready';
    const { outcome } = await setup.world.deploy({ version: '1.0.0' });
    expect(outcome.cause ?? '').toBe('');
    expect(outcome.status).toBe('SUCCEEDED');
    const [slot] = cloud.inputsOf('ModifyTargetGroup');
    expect(slot).toMatchObject({ HealthCheckPath: '/ready' });
    expect(awsArns('staging').targetGroupArns).toContain(slot.TargetGroupArn);
  });
});

describe('StartExecution with the name of an open execution', () => {
  it('succeeds and starts nothing: a duplicate S3 event is not reported as a new deployment', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const starter = new StepFunctionsStarter(
      new SFNClient({ region: 'us-east-1', credentials }),
      'arn:aws:states:us-east-1:123456789012:stateMachine:bakeshift-deploy',
    );
    const request = setup.world.request({ version: '1.0.0' });
    expect(await starter.start(request)).toEqual({ started: true });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await starter.start(request)).toEqual({ started: false });
    await expect(starter.start({ ...request, requestedBy: 'someone else' })).resolves.toEqual({
      started: false,
    });
  });
});

describe('throttling', () => {
  it('bursts of RequestLimitExceeded / Throttling / ThrottlingException across the APIs are survived by bounded retries', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    // The mocks replace `send`, so the SDK's own retries (standard mode, 3 attempts) are not in play: these
    // are the throttles that outlast them, met by the state machine's bounded Retry (4 attempts, backoff 2).
    cloud.throttleBursts(15, 1);
    for (const version of ['1.0.0', '2.0.0']) {
      const { outcome } = await setup.world.deploy({ version });
      expect(outcome.cause ?? '').toBe('');
      expect(outcome.status).toBe('SUCCEEDED');
    }
    const throttled = new Set(cloud.calls.filter((c) => c.error).map((c) => c.error));
    expect([...throttled]).toEqual(
      expect.arrayContaining(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']),
    );
    expect(cloud.liveInstances('fleet')).toHaveLength(2);
    expect(BASE_AMI_PARAMETER).toContain('/aws/service/');
  });

  it("S3's SlowDown and DynamoDB's throughput errors are transient like the others", async () => {
    for (const name of ['SlowDown', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']) {
      const error = Object.assign(new Error('slow down'), { name });
      await expect(withAwsErrors('a call', () => Promise.reject(error))).rejects.toMatchObject({
        name: 'TransientFailure',
      });
    }
  });
});
