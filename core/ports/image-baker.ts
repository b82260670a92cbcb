import type { ArtifactRef } from '../deployment/deployment-request.js';

export interface Image {
  imageId: string;
  service: string;
  version: string;
  bakeKey: string;
  createdAt: string;
  /** The deployment whose bake produced it: compensation discards only its own images. */
  createdByDeployment: string;
  /** From the artifact's manifest. */
  healthPath: string;
}

export interface BakeRequest {
  /** Derived from the deployment, so a repeated start of the same bake finds the first one. */
  bakeId: string;
  deploymentId: string;
  service: string;
  version: string;
  bakeKey: string;
  artifact: ArtifactRef;
  baseImageId: string;
  timeoutSeconds: number;
  /** Locally, what the bake command gets of the control plane's environment besides the allowlist. */
  passEnvironment?: string[];
}

export type BakeStatus =
  | { state: 'baking'; startedAt: string }
  | { state: 'succeeded'; image: Image }
  | { state: 'failed'; reason: string }
  | { state: 'cancelled' }
  | { state: 'unknown' };

/** Turns an artifact into an immutable machine image (locally a read-only directory, on AWS an AMI). */
/** The images a baker made: reading and removing them, for the steps that never bake. */
export interface ImageCatalog {
  /** The recipe's name and version: part of the bake key, so a new recipe means a new image. */
  readonly recipe: string;
  /** Resolves a base image reference (e.g. an SSM parameter) to the concrete image id it names today. */
  resolveBaseImage(reference: string): Promise<string>;
  findImageByBakeKey(service: string, bakeKey: string): Promise<Image | undefined>;
  getImage(imageId: string): Promise<Image | undefined>;
  listImages(service: string): Promise<Image[]>;
  /** Idempotent. */
  discardImage(imageId: string): Promise<void>;
}

export interface ImageBaker extends ImageCatalog {
  /** Idempotent: starting a bake id that exists returns without starting another. */
  startBake(request: BakeRequest): Promise<void>;
  checkBake(bakeId: string): Promise<BakeStatus>;
  /**
   * Have the bake's outcome delivered to this task token when it ends, with deliverBakeOutcome; if it has
   * already ended, deliver it now. A newer token for the same bake replaces the older one.
   */
  notifyWhenDone(bakeId: string, taskToken: string): Promise<void>;
  /** Idempotent; stops the builder and leaves nothing behind. */
  cancelBake(bakeId: string): Promise<void>;
}
