import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BakeEntry } from '../../aws/baker/bake-ledger.js';
import type { BakeRequest } from '../../core/ports/image-baker.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsWorld } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * Two bakes of one artifact at once (two deployments of the same artifact): both name their image after the
 * bake key, so the second finds the first's image by name. It may use it only once it is whole (ADR 35).
 */

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

const request = (deploymentId: string): BakeRequest => ({
  bakeId: `bake-${deploymentId}`,
  bakeKey: 'k'.repeat(64),
  deploymentId,
  service: 'web',
  version: '1.0.0',
  artifact: { bucket: 'artifacts', key: 'web/1.0.0.tgz', versionId: 'v1', etag: 'e' },
  baseImageId: 'ami-base',
  timeoutSeconds: 1800,
});

/** Advances a bake (as its events and its Task's re-check do) until `done` says so, within a bound. */
async function advanceUntil(
  advance: () => Promise<BakeEntry | undefined>,
  done: (entry: BakeEntry) => boolean,
): Promise<BakeEntry> {
  for (let round = 0; round < 200; round++) {
    const entry = await advance();
    if (entry && done(entry)) return entry;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the bake never got there');
}

/** The first bake is making its image (kept pending); the second bake's builder has reported. */
async function secondBakeMeetsAPendingImage() {
  const setup = await awsWorld(dynamo);
  cloud = setup.cloud;
  const { baker } = setup;
  const first = request('web-staging-0000000000000001');
  const second = request('web-prod-0000000000000002');
  await baker.startBake(first);
  await baker.startBake(second);
  cloud.imagesStayPending = true;
  const firstEntry = await advanceUntil(
    () => baker.advance(first.bakeId),
    (e) => e.imageId !== undefined,
  );
  const firstImage = firstEntry.imageId ?? '';
  const secondEntry = await advanceUntil(
    () => baker.advance(second.bakeId),
    (e) => e.step === 'imaging',
  );
  return { setup, baker, first, second, firstImage, secondEntry };
}

describe('a bake whose image name another bake is still making', () => {
  it('waits instead of adopting the half-made image, and cancelling it leaves that image alone', async () => {
    const { baker, second, firstImage, secondEntry } = await secondBakeMeetsAPendingImage();
    expect(cloud?.images.get(firstImage)?.state).toBe('pending');
    expect(secondEntry.imageId).toBeUndefined();
    for (let check = 0; check < 3; check++)
      expect((await baker.advance(second.bakeId))?.imageId).toBeUndefined();
    expect(cloud?.inputsOf('CreateImage')).toHaveLength(1);

    // Its deployment compensates: its builder goes, the other deployment's image stays.
    await baker.cancelBake(second.bakeId);
    expect(cloud?.images.get(firstImage)?.state).toBe('pending');
    expect(cloud?.calls.filter((c) => c.name === 'DeregisterImage')).toEqual([]);
  });

  it('adopts it once it is available, and succeeds with it', async () => {
    const { baker, second, firstImage, secondEntry } = await secondBakeMeetsAPendingImage();
    if (cloud) cloud.imagesStayPending = false;
    const done = await advanceUntil(
      () => baker.advance(second.bakeId),
      (e) => e.step !== 'imaging',
    );
    expect(done).toMatchObject({ step: 'succeeded', imageId: firstImage });
    expect(cloud?.images.get(firstImage)?.state).toBe('available');
    expect(['shutting-down', 'terminated']).toContain(
      cloud?.instances.get(secondEntry.builderInstanceId)?.state,
    );
  });

  it('fails at its deadline if the image is still being made, naming the deployment making it', async () => {
    const { setup, baker, first, second, firstImage, secondEntry } = await secondBakeMeetsAPendingImage();
    setup.world.clock.advance(second.timeoutSeconds + 1);
    const ended = await baker.advance(second.bakeId);
    expect(ended).toMatchObject({
      step: 'failed',
      reason: `deployment ${first.deploymentId} was still making image ${firstImage} of the same name at the bake deadline of 1800s`,
    });
    expect(cloud?.images.get(firstImage)?.state).toBe('pending');
    expect(['shutting-down', 'terminated']).toContain(
      cloud?.instances.get(secondEntry.builderInstanceId)?.state,
    );
  });
});
