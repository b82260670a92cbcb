import { TERMINAL_STATUSES } from '../deployment/deployment-record.js';
import { Refused } from '../errors.js';
import type { ReleaseStore } from '../ports/release-store.js';

/** How far back a version is looked for: the environment's last deployments. */
const LOOKED_BACK = 100;

export interface VersionToDeploy {
  service: string;
  environment: string;
  version: string;
  /** The artifact's digest as its store names it (the local store's SHA-256, S3's ETag). */
  digest: string;
  /** Deploy other content under a version that exists (the operator says so). */
  forceNewVersion: boolean;
}

export type VersionCheck =
  | { outcome: 'new' }
  /** Exactly this artifact, under this version, serves now: nothing to deploy. */
  | { outcome: 'already-live'; deploymentId: string }
  /** Exactly this artifact, under this version, is being deployed now: follow that deployment. */
  | { outcome: 'in-flight'; deploymentId: string };

/**
 * A version names one artifact. The same version with the same content again is "already live" (or the
 * deployment in flight); with other content it is refused, naming the deployment that has it, unless the
 * operator forces it; the same content that ended otherwise (rolled back, replaced since) is refused too: its
 * deployment exists, and the way back to it is `rollback --to`.
 */
export async function checkVersion(store: ReleaseStore, request: VersionToDeploy): Promise<VersionCheck> {
  const { service, environment, version, digest } = request;
  const live = await store.getLiveRelease(service, environment);
  if (live?.version === version && live.artifact?.etag === digest)
    return { outcome: 'already-live', deploymentId: live.deploymentId };
  const earlier = (await store.listDeployments(service, environment, LOOKED_BACK)).filter(
    (record) => record.version === version && record.artifact,
  );
  const same = earlier.find((record) => record.artifact?.etag === digest);
  if (same && !TERMINAL_STATUSES.includes(same.status))
    return { outcome: 'in-flight', deploymentId: same.deploymentId };
  const where = `${service}/${environment}`;
  if (same)
    throw new Refused(
      `${where} ${version}: this artifact was deployed before (${same.deploymentId}, ${same.status.replace('_', ' ')}); ` +
        `go back to it with \`bakeshift rollback ${service} --env ${environment} --to ${version}\`, or deploy it as a new version (--version)`,
    );
  const other = earlier.find((record) => record.artifact?.etag !== digest);
  if (other && !request.forceNewVersion)
    throw new Refused(
      `${where} ${version}: this version was deployed before with other content (${other.deploymentId}, ${other.status.replace('_', ' ')}); ` +
        'give this artifact a new version (--version), or pass --force-new-version to deploy it under the same one',
    );
  return { outcome: 'new' };
}
