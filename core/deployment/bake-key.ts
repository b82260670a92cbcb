import { createHash } from 'node:crypto';
import type { ArtifactRef } from './deployment-request.js';

/**
 * An image is fully determined by the artifact's bytes, the base image and the bake recipe; the bake key is a
 * digest over the three, so an image with the same key can be reused instead of baked again. The artifact is
 * identified by its etag (a digest of its bytes), not its name: re-uploading the same bytes reuses the image.
 */
export function bakeKeyOf(input: { artifact: ArtifactRef; baseImageId: string; recipe: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([input.artifact.etag, input.baseImageId, input.recipe]))
    .digest('hex')
    .slice(0, 32);
}
