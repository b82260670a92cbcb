import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AwsSettings } from '../../aws/commons/aws-settings.js';
import { FleetDirectory } from '../../aws/fleets/fleet-directory.js';
import { AlbTraffic } from '../../aws/traffic/alb-traffic.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsWorldWithBlue } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * DrainBlue retried after its Lambda died past DetachTrafficSources (found by the model-based test, ADR 37): the
 * fleet is no longer in its target group, yet its targets still drain, so the retry must not answer 0 seconds
 * (WaitForBlueDrain would not wait and ReapBlue would cut blue's in-flight requests).
 */
const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

describe('AlbTraffic.drain', () => {
  it('a retried drain of a fleet already detached still waits the deregistration delay', async () => {
    const setup = await awsWorldWithBlue(dynamo);
    cloud = setup.cloud;
    const live = await setup.world.store.getLiveRelease('web', 'staging');
    if (!live) throw new Error('no live release after the blue deployment');
    const clients = setup.clientsOf();
    const traffic = new AlbTraffic(
      clients,
      new AwsSettings(clients.ssm),
      new FleetDirectory(clients.autoScaling),
    );
    const listener = { service: 'web', environment: 'staging' };

    expect(await traffic.drain(listener, live.fleetId)).toEqual({ drainSeconds: 30 });
    expect(cloud.inputsOf('DetachTrafficSources')).toHaveLength(1);
    expect(await traffic.drain(listener, live.fleetId)).toEqual({ drainSeconds: 30 });
    expect(cloud.inputsOf('DetachTrafficSources')).toHaveLength(1);
  });

  it('a fleet that is gone has nothing to drain', async () => {
    const setup = await awsWorldWithBlue(dynamo);
    cloud = setup.cloud;
    const clients = setup.clientsOf();
    const traffic = new AlbTraffic(
      clients,
      new AwsSettings(clients.ssm),
      new FleetDirectory(clients.autoScaling),
    );
    expect(await traffic.drain({ service: 'web', environment: 'staging' }, 'web-staging-none')).toEqual({
      drainSeconds: 0,
    });
  });
});
