import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BakeLedger } from '../../aws/baker/bake-ledger.js';
import { Ec2ImageBaker } from '../../aws/baker/ec2-image-baker.js';
import { claimedChecksum } from '../../aws/baker/presigning-s3-client.js';
import { AwsSettings } from '../../aws/commons/aws-settings.js';
import { awsBaker } from '../../aws/lambda/aws-ports.js';
import type { BakeRequest } from '../../core/ports/image-baker.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsClients, awsWorld } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * The builder's presigned URLs, read from the user data it is launched with: the report's PUT must claim no body
 * checksum, or S3 (and R2, SeaweedFS, the boot test's stand-in) refuses the report (aws-sdk-js-v3#6994).
 */

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => {
  cloud?.detach();
  vi.unstubAllEnvs();
});
afterAll(async () => dynamo.close());

const request: BakeRequest = {
  bakeId: 'bake-web-staging-0123456789abcdef',
  bakeKey: 'k'.repeat(64),
  deploymentId: 'web-staging-0123456789abcdef',
  service: 'web',
  version: '1.0.0',
  artifact: { bucket: 'artifacts', key: 'web/1.0.0.tgz', versionId: 'v1', etag: 'e' },
  baseImageId: 'ami-base',
  timeoutSeconds: 1800,
};

/** The report URL in the user data the builder was launched with. */
function reportUrlLaunched(sim: SimulatedCloud): URL {
  const userData = sim.inputsOf('RunInstances')[0]?.UserData ?? '';
  const url = /RESULT_URL='([^']+)'/.exec(Buffer.from(userData, 'base64').toString('utf8'))?.[1];
  if (!url) throw new Error('no builder was launched with a report URL');
  return new URL(url);
}

describe("the builder's report URL", () => {
  it('as the Lambda entries build the baker, claims no body checksum (only what SigV4 needs)', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    for (const [name, value] of Object.entries({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'simulated',
      AWS_SECRET_ACCESS_KEY: 'simulated',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      BAKESHIFT_RELEASE_TABLE: setup.table,
    }))
      vi.stubEnv(name, value);
    await awsBaker(setup.world.clock).startBake(request);
    const url = reportUrlLaunched(cloud);
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  });

  it('is never handed to a builder if it claims one (a baker given an S3 client with the default checksums)', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const clients = {
      ...awsClients(),
      s3: new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    };
    const baker = new Ec2ImageBaker(
      clients,
      new AwsSettings(clients.ssm),
      new BakeLedger(setup.dynamoClient, setup.table),
      setup.world.tokens,
      setup.world.clock,
    );
    await expect(baker.startBake(request)).rejects.toThrow(
      'the report URL claims a body checksum (x-amz-checksum-crc32): sign it with presigningS3Client',
    );
    expect(cloud.inputsOf('RunInstances')).toEqual([]);
  });

  it('claimedChecksum reads the claim from the query, not the GET’s x-amz-checksum-mode', () => {
    expect(
      claimedChecksum('https://b.s3.amazonaws.com/k?x-amz-checksum-crc32=AAAAAA%3D%3D&x-id=PutObject'),
    ).toBe('x-amz-checksum-crc32');
    expect(claimedChecksum('https://b.s3.amazonaws.com/k?x-amz-sdk-checksum-algorithm=CRC32')).toBe(
      'x-amz-sdk-checksum-algorithm',
    );
    expect(claimedChecksum('https://b.s3.amazonaws.com/k?x-amz-checksum-mode=ENABLED&x-id=GetObject')).toBe(
      undefined,
    );
  });
});
