import fc from 'fast-check';
import { loadDeployDefinition, taskStatesOf } from '../../statemachines/deploy-definition.js';
import { INVARIANTS } from './invariants.js';
import type { ArmedFault, ModelControlPlane } from './model-control-plane.js';
import { TARGETS, type Target, targetKey, type VersionHealth } from './model-world.js';

/** What the model keeps between commands: only what the histories' printout needs. */
export interface Model {
  commands: number;
}

type Command = fc.AsyncCommand<Model, ModelControlPlane>;

/** Every command runs, then every invariant is checked: a violation fails the history at that command. */
abstract class ModelCommand implements Command {
  check(): boolean {
    return true;
  }

  async run(model: Model, plane: ModelControlPlane): Promise<void> {
    model.commands += 1;
    plane.tick();
    plane.log(this.toString());
    await this.apply(plane);
    plane.afterCommand();
    const violations = plane.monitor.violations;
    if (violations.length > 0) {
      throw new Error(violations.map((v) => `${INVARIANTS[v.invariant]}:\n  ${v.detail}`).join('\n'));
    }
  }

  protected abstract apply(plane: ModelControlPlane): Promise<void>;
  abstract toString(): string;
}

class Deploy extends ModelCommand {
  constructor(
    readonly target: Target,
    readonly health: VersionHealth,
    readonly approve: boolean,
  ) {
    super();
  }

  apply(plane: ModelControlPlane) {
    return plane.deploy(this.target, this.health, this.approve);
  }

  toString() {
    const approval = this.target.environment === 'prod' && !this.approve ? ', approval rejected' : '';
    return `deploy a new ${targetKey(this.target)} version (${this.health}${approval})`;
  }
}

class Promote extends ModelCommand {
  apply(plane: ModelControlPlane) {
    return plane.promote();
  }

  toString() {
    return 'promote web staging → prod';
  }
}

class Rollback extends ModelCommand {
  constructor(readonly target: Target) {
    super();
  }

  apply(plane: ModelControlPlane) {
    return plane.rollback(this.target);
  }

  toString() {
    return `roll back ${targetKey(this.target)}`;
  }
}

class Congruence extends ModelCommand {
  constructor(readonly target: Target) {
    super();
  }

  apply(plane: ModelControlPlane) {
    return plane.congruence(this.target);
  }

  toString() {
    return `congruence run of ${targetKey(this.target)}`;
  }
}

class Janitor extends ModelCommand {
  async apply(plane: ModelControlPlane) {
    plane.startJanitor('command');
  }

  toString() {
    return 'start a janitor run';
  }
}

class ArmFault extends ModelCommand {
  constructor(readonly fault: ArmedFault) {
    super();
  }

  async apply(plane: ModelControlPlane) {
    plane.armFault(this.fault);
  }

  toString() {
    const { stateName, when, callsBeforeCut, persistence, error } = this.fault;
    const at = when === 'during' ? `cut off after ${callsBeforeCut} port calls` : `${when} its work`;
    return `arm a fault: ${stateName} fails ${at}, ${persistence === 'once' ? 'once' : 'for good'} (${error})`;
  }
}

class Step extends ModelCommand {
  constructor(readonly picks: readonly number[]) {
    super();
  }

  apply(plane: ModelControlPlane) {
    return plane.step(this.picks);
  }

  toString() {
    return `let ${this.picks.length} waiting port call(s) proceed [${this.picks.join(' ')}]`;
  }
}

class Settle extends ModelCommand {
  constructor(readonly seed: number) {
    super();
  }

  apply(plane: ModelControlPlane) {
    return plane.settle(this.seed);
  }

  toString() {
    return `let everything run to its end (interleaving ${this.seed})`;
  }
}

class Crash extends ModelCommand {
  apply(plane: ModelControlPlane) {
    return plane.crash();
  }

  toString() {
    return 'kill -9 the control plane, then restart it';
  }
}

const TASK_STATES = taskStatesOf(loadDeployDefinition()).map((t) => t.stateName);
const target = fc.constantFrom(...TARGETS);

/** The fault kinds: transient (Lambda's own error, retried), for good, or a Task timing out. */
export const faultArbitrary: fc.Arbitrary<ArmedFault> = fc.record({
  stateName: fc.constantFrom(...TASK_STATES),
  when: fc.constantFrom('before' as const, 'during' as const, 'after' as const),
  callsBeforeCut: fc.integer({ min: 0, max: 4 }),
  persistence: fc.constantFrom('once' as const, 'always' as const),
  error: fc.constantFrom(
    'Lambda.ServiceException' as const,
    'States.Timeout' as const,
    'InjectedFault' as const,
  ),
});

/** The commands, weighted: deployments and scheduling steps are the bulk of a history, crashes are rare. */
export function commandArbitrary(options: { crash: boolean }): fc.Arbitrary<Command> {
  const deploy = fc
    .record({
      target,
      health: fc.constantFrom<VersionHealth>('healthy', 'healthy', 'healthy', 'broken', 'breaks-after-shift'),
      approve: fc.constantFrom(true, true, true, false),
    })
    .map(({ target: t, health, approve }): Command => new Deploy(t, health, approve));
  const step = fc.array(fc.nat(31), { minLength: 1, maxLength: 12 }).map((picks): Command => new Step(picks));
  const one = (make: () => Command) => fc.constant(null).map(make);
  return fc.oneof(
    { arbitrary: deploy, weight: 6 },
    { arbitrary: step, weight: 8 },
    { arbitrary: fc.nat().map((seed): Command => new Settle(seed)), weight: 3 },
    { arbitrary: faultArbitrary.map((f): Command => new ArmFault(f)), weight: 4 },
    { arbitrary: one(() => new Janitor()), weight: 2 },
    { arbitrary: one(() => new Promote()), weight: 1 },
    { arbitrary: target.map((t): Command => new Rollback(t)), weight: 2 },
    { arbitrary: target.map((t): Command => new Congruence(t)), weight: 1 },
    ...(options.crash ? [{ arbitrary: one(() => new Crash()), weight: 1 }] : []),
  );
}
