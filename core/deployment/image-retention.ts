import type { Image } from '../ports/image-baker.js';

/**
 * Images to discard: those beyond the `retain` newest, except any that is protected (live in some environment,
 * used by a deployment in flight, or needed for a rollback).
 */
export function imagesToPrune(
  images: readonly Image[],
  retain: number,
  protectedIds: ReadonlySet<string>,
): Image[] {
  const newestFirst = [...images].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return newestFirst.slice(retain).filter((image) => !protectedIds.has(image.imageId));
}
