/**
 * Names of what a deployment creates, derived from its id alone: compensation and the janitor can always find
 * them, even when the step that created them crashed before reporting back.
 */
export const greenFleetIdOf = (deploymentId: string) => deploymentId;
export const bakeIdOf = (deploymentId: string) => `bake-${deploymentId}`;
