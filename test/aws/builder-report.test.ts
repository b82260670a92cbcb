import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsWorld } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * The builder's report is written where the artifact's bake command ran as root: the baker reads it as untrusted
 * input. A report its script would not write fails the bake, naming what is wrong; nothing of it reaches the
 * image's tags or green's health check.
 */
const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

describe("the builder's report, read by the baker", () => {
  it.each([
    [
      'a health path without "/"',
      '{"status":"succeeded","healthPath":"health"}',
      'report: healthPath: must start with "/"',
    ],
    ['a health path that is no string', '{"status":"succeeded","healthPath":{"a":1}}', 'report: healthPath:'],
    ['an unknown status', '{"status":"pwned","healthPath":"/health"}', 'report: status:'],
    ['a body that is not JSON', '{"status":"succeeded","healthPath":"/he"alth"}', 'report: (root): not JSON'],
  ])('refuses %s: the bake fails, saying why, and no target group checks it', async (_, body, message) => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    cloud.builderReportBody = body;
    const { outcome } = await setup.world.deploy({ version: '1.0.0' });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause ?? '').toContain(message);
    expect(cloud.inputsOf('ModifyTargetGroup')).toEqual([]);
  });
});
