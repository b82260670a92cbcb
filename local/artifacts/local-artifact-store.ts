import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../../core/deployment/deployment-request.js';

/**
 * Where local mode keeps uploaded artifacts: content-addressed files under `<home>/artifacts`, named like S3
 * objects (bucket, key, version id, etag) so the same event shape and handlers serve locally and on AWS.
 */
export class LocalArtifactStore {
  static readonly BUCKET = 'bakeshift-local-artifacts';

  constructor(private readonly directory: string) {}

  /** The digest a file is stored by: its etag (SHA-256 of its bytes). */
  static async digestOf(file: string): Promise<string> {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  }

  /** Stores a .tgz under `key`; its etag and version id are the digest of its bytes. */
  async put(file: string, key: string): Promise<ArtifactRef> {
    const digest = await LocalArtifactStore.digestOf(file);
    await mkdir(this.directory, { recursive: true });
    const temporary = join(this.directory, `.${digest}.${process.pid}.upload`);
    await copyFile(file, temporary);
    await rename(temporary, this.pathOf({ etag: digest }));
    return { bucket: LocalArtifactStore.BUCKET, key, versionId: digest.slice(0, 32), etag: digest };
  }

  pathOf(artifact: Pick<ArtifactRef, 'etag'>): string {
    return join(this.directory, `${artifact.etag}.tgz`);
  }
}
