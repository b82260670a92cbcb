import type { AslDefinition, AslState } from '../../statemachines/deploy-definition.js';

/** A step the console draws: a Task or Wait state of the flow (Choices are decisions, ends are outcomes). */
export interface FlowNode {
  name: string;
  kind: 'task' | 'wait' | 'callback';
  /** Reached only when a Choice takes it (a bake, pre-traffic tests, an approval, a hold), or a doubt. */
  conditional: boolean;
  /** The drawn step a loop goes back to from here (the next traffic step), if any. */
  loopsBackTo?: string;
}

export interface FlowShape {
  /** The forward path, in the order a deployment passes through it. */
  forward: FlowNode[];
  /** The compensation path, entered from any forward step's Catch. */
  compensation: FlowNode[];
}

const DRAWN = new Set(['Task', 'Wait']);

/**
 * Errors that branch the forward flow rather than fail it: a verdict in doubt asks the approvers, then the flow
 * goes on (ADR 50).
 */
const FORWARD_SIGNALS = new Set(['AnalysisInDoubt']);
const branchesForward = (c: NonNullable<AslState['Catch']>[number]) =>
  c.ErrorEquals.every((error) => FORWARD_SIGNALS.has(error));

/**
 * Where a state may go next: `Next`, a Choice's branches and `Default`, a forward signal's Catch; other Catch
 * targets only when asked.
 */
function successors(state: AslState, withCatch: boolean): string[] {
  const next = [...(state.Choices ?? []).map((c) => c.Next), state.Default, state.Next];
  next.push(...(state.Catch ?? []).filter((c) => withCatch || branchesForward(c)).map((c) => c.Next));
  return next.filter((n): n is string => typeof n === 'string');
}

/** The states reachable from `starts` without Catch edges, and the edges among them that close a loop. */
function explore(definition: AslDefinition, starts: string[]) {
  const seen = new Set<string>();
  const onPath = new Set<string>();
  const loopEdges = new Set<string>();
  const visit = (name: string) => {
    seen.add(name);
    onPath.add(name);
    for (const next of successors(definition.States[name] ?? { Type: 'Fail' }, false)) {
      if (onPath.has(next)) loopEdges.add(`${name}>${next}`);
      else if (!seen.has(next)) visit(next);
    }
    onPath.delete(name);
  };
  for (const start of starts) if (!seen.has(start)) visit(start);
  return { seen, loopEdges };
}

/**
 * The states of `reachable` in flow order: a topological order of its edges without the loops' closing ones,
 * ties broken by the definition's own order (Kahn's algorithm).
 */
function flowOrder(definition: AslDefinition, reachable: Set<string>, loopEdges: Set<string>): string[] {
  const names = Object.keys(definition.States).filter((n) => reachable.has(n));
  const edges = (from: string) =>
    successors(definition.States[from] ?? { Type: 'Fail' }, false).filter(
      (to) => reachable.has(to) && !loopEdges.has(`${from}>${to}`),
    );
  const incoming = new Map(names.map((n) => [n, 0]));
  for (const from of names) for (const to of edges(from)) incoming.set(to, (incoming.get(to) ?? 0) + 1);
  const order: string[] = [];
  while (order.length < names.length) {
    const ready = names.find((n) => incoming.get(n) === 0 && !order.includes(n));
    if (!ready) throw new Error('the flow has a loop that is not closed by a back edge');
    order.push(ready);
    for (const to of edges(ready)) incoming.set(to, (incoming.get(to) ?? 0) - 1);
  }
  return order;
}

/**
 * The flow's shape for the console's graph, read from the state machine's definition itself (never a list kept
 * by hand): the forward path from StartAt in flow order, the compensation path reached through Catch, which
 * steps are conditional and where a loop goes back.
 */
export function flowShapeOf(definition: AslDefinition): FlowShape {
  const forward = explore(definition, [definition.StartAt]);
  const catchTargets = Object.values(definition.States)
    .flatMap((s) => (s.Catch ?? []).map((c) => c.Next))
    .filter((n) => !forward.seen.has(n));
  const compensation = explore(definition, catchTargets);
  const conditional = new Set(
    Object.values(definition.States).flatMap((s) => [
      ...(s.Choices ?? []).map((c) => c.Next),
      ...(s.Catch ?? []).filter(branchesForward).map((c) => c.Next),
    ]),
  );
  const loopEdges = [...forward.loopEdges].map((edge) => edge.split('>') as [string, string]);
  const node = (name: string): FlowNode[] => {
    const state = definition.States[name];
    if (!state || !DRAWN.has(state.Type)) return [];
    const callback = typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken');
    const kind = state.Type === 'Wait' ? 'wait' : callback ? 'callback' : 'task';
    const back = loopEdges.find(
      ([from, to]) => from === name && DRAWN.has(definition.States[to]?.Type ?? ''),
    );
    return [{ name, kind, conditional: conditional.has(name), ...(back ? { loopsBackTo: back[1] } : {}) }];
  };
  return {
    forward: flowOrder(definition, forward.seen, forward.loopEdges).flatMap(node),
    compensation: flowOrder(definition, compensation.seen, compensation.loopEdges).flatMap(node),
  };
}
