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
  apply(plane: ModelControlPlane) {
    return plane.settle();
  }

  toString() {
    return 'let everything run to its end';
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

/** The commands, weighted by repetition: deployments and scheduling steps are the bulk of a history. */
export function commandArbitraries(options: { crash: boolean }): fc.Arbitrary<Command>[] {
  const deploy = fc
    .record({
      target,
      health: fc.constantFrom<VersionHealth>('healthy', 'healthy', 'healthy', 'broken', 'breaks-after-shift'),
      approve: fc.constantFrom(true, true, true, false),
    })
    .map(({ target: t, health, approve }) => new Deploy(t, health, approve));
  const step = fc.array(fc.nat(31), { minLength: 1, maxLength: 12 }).map((picks) => new Step(picks));
  return [
    deploy,
    deploy,
    deploy,
    step,
    step,
    step,
    step,
    fc.constant(null).map(() => new Settle()),
    fc.constant(null).map(() => new Settle()),
    faultArbitrary.map((f) => new ArmFault(f)),
    faultArbitrary.map((f) => new ArmFault(f)),
    fc.constant(null).map(() => new Janitor()),
    fc.constant(null).map(() => new Promote()),
    target.map((t) => new Rollback(t)),
    target.map((t) => new Congruence(t)),
    ...(options.crash ? [fc.constant(null).map(() => new Crash())] : []),
  ];
}
