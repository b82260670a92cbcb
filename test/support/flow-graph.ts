import type { AslDefinition } from '../../statemachines/deploy-definition.js';

/** States reachable from `start` along Next, Choices, Default and Catch. */
export function reachableFrom(definition: AslDefinition, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const state = definition.States[name];
    if (!state || seen.has(name)) continue;
    seen.add(name);
    const next = [
      state.Next,
      state.Default,
      ...(state.Choices ?? []).map((c) => c.Next),
      ...(state.Catch ?? []).map((c) => c.Next),
    ];
    for (const target of next) if (target) queue.push(target);
  }
  return seen;
}

/**
 * The deployment's phases as the definition draws them: compensation is everything reachable from its first
 * step; after the commit point is everything reachable from the commit step's successor, except compensation.
 */
export function flowRegions(definition: AslDefinition, compensationStart: string, commitStep: string) {
  const compensation = reachableFrom(definition, compensationStart);
  const commitNext = definition.States[commitStep]?.Next;
  if (!commitNext) throw new Error(`${commitStep} has no Next`);
  const afterCommit = new Set([...reachableFrom(definition, commitNext)].filter((s) => !compensation.has(s)));
  const beforeCommit = new Set(
    [...reachableFrom(definition, definition.StartAt)].filter(
      (s) => !compensation.has(s) && !afterCommit.has(s),
    ),
  );
  return { beforeCommit, afterCommit, compensation };
}
