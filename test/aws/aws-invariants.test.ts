import { describe, expect, it } from 'vitest';
import { expectNoOrphanSnapshots, expectNothingLeftBy } from '../support/aws-invariants.js';
import { SimulatedCloud } from '../support/simulated-cloud.js';

/** The AWS invariants the fault matrix and the flows rest on can fail: each reads what it claims to check. */
describe('the AWS invariants', () => {
  const tags = (deployment: string) => [
    { Key: 'managed-by', Value: 'bakeshift' },
    { Key: 'bakeshift:deployment', Value: deployment },
  ];

  it("see a snapshot an attempt left after its image went (a deregistered AMI's snapshots stay, billed)", () => {
    const cloud = new SimulatedCloud();
    cloud.snapshots.add('snap-left');
    cloud.snapshotTags.set('snap-left', tags('web-staging-attempt'));
    expect(() => expectNothingLeftBy(cloud, 'web-staging-attempt')).toThrow();
    expect(() => expectNoOrphanSnapshots(cloud)).toThrow();
  });

  it("see a tagged snapshot whose image is gone, whoever made it, and accept one that is an image's", () => {
    const cloud = new SimulatedCloud();
    cloud.addImage('ami-kept', tags('web-staging-live'));
    cloud.images.get('ami-kept')?.snapshotIds.push('snap-kept');
    cloud.snapshots.add('snap-kept');
    cloud.snapshotTags.set('snap-kept', tags('web-staging-live'));
    expect(() => expectNoOrphanSnapshots(cloud)).not.toThrow();
    cloud.images.delete('ami-kept');
    expect(() => expectNoOrphanSnapshots(cloud)).toThrow();
  });

  it('see an instance of the attempt still running, fleet or builder', () => {
    const cloud = new SimulatedCloud();
    cloud.instances.set('i-left', {
      id: 'i-left',
      state: 'running',
      imageId: 'ami-x',
      tags: tags('web-staging-attempt'),
      role: 'fleet',
      steps: 0,
      launchedAt: new Date(),
    });
    expect(() => expectNothingLeftBy(cloud, 'web-staging-attempt')).toThrow();
  });
});
