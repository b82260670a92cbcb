import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFound, Refused } from '../../core/errors.js';
import {
  checkFreezes,
  freezesInForce,
  liftFreeze,
  overrideFreeze,
  setFreeze,
} from '../../core/freezes/freeze-operations.js';
import { checkFreezeScope } from '../../core/freezes/freeze-scope.js';
import { decideDeployment } from '../../core/operations/decide-deployment.js';
import { deploymentOutlook } from '../../core/operations/deployment-outlook.js';
import type { OperationInput } from '../../core/operations/operation-inputs.js';
import type { OperationResults, Operations } from '../../core/operations/operations.js';
import { readDeploymentMetrics } from '../../core/operations/read-deployment-metrics.js';
import { readStatus } from '../../core/operations/read-status.js';
import { startPromotion } from '../../core/operations/start-promotion.js';
import { startRollback } from '../../core/operations/start-rollback.js';
import { readStats, statsPeriod } from '../../core/stats/read-stats.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import { waitSecondsOf } from '../../statemachines/wait-seconds.js';
import type { ControlPlane } from './control-plane.js';

/** The last lines of a JSON-lines file, parsed; none when it does not exist yet. */
async function jsonLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const definition = loadDeployDefinition();

/** A Wait state's entry with how long it waits (a hold's countdown), as the AWS history reader gives it too. */
function withWaitSeconds<
  E extends { type: string; timestamp: number; state?: { name: string; type: string; input?: unknown } },
>(event: E): E {
  if (event.type !== 'StateEntered' || event.state?.type !== 'Wait') return event;
  const state = definition.States[event.state.name];
  return { ...event, waitSeconds: waitSecondsOf(state, event.state.input, event.timestamp) };
}

/** The operator's operations on the local control plane: the core's use cases over its adapters. */
export class LocalOperations implements Operations {
  constructor(private readonly cp: ControlPlane) {}

  status(): Promise<OperationResults['status']> {
    const { cp } = this;
    return readStatus({
      configs: cp.configs,
      store: cp.store,
      serving: {
        endpoints: async (service, environment) =>
          cp.listeners().find((l) => l.service === service && l.environment === environment),
        instanceCount: async (fleetId) => cp.fleets.processIds(fleetId).length,
        traffic: async (service, environment) =>
          (await cp.ports.traffic.current({ service, environment })).weights,
        congruenceSchedules: () => cp.scheduler.scheduled(),
      },
    });
  }

  /** Refused during a freeze before anything is stored (PrepareDeployment refuses it again, for other paths). */
  async deploy(input: OperationInput<'deploy'>): Promise<OperationResults['deploy']> {
    await checkFreezes(this.cp.store, { ...input, trigger: 'artifact' }, this.cp.ports.clock.now());
    return this.cp.deploy(input);
  }

  async deployment({ deploymentId }: OperationInput<'deployment'>): Promise<OperationResults['deployment']> {
    // Right after a start, the execution exists before PrepareDeployment has written the record.
    const record = (await this.cp.store.getDeployment(deploymentId)) ?? null;
    const execution = this.cp.execution(deploymentId);
    if (!record && !execution) throw new NotFound(`no deployment ${deploymentId}`);
    return {
      record,
      status: execution?.status ?? 'UNKNOWN',
      events: (execution?.events ?? []).map(withWaitSeconds) as OperationResults['deployment']['events'],
      ...(await deploymentOutlook(this.cp, record)),
    };
  }

  /** Read from the data plane's own per-second counts. */
  metrics(input: OperationInput<'metrics'>): Promise<OperationResults['metrics']> {
    return readDeploymentMetrics(this.cp.ports, input, { minPeriodSeconds: 1, maxPoints: 120 });
  }

  history({ service, environment, limit }: OperationInput<'history'>): Promise<OperationResults['history']> {
    return this.cp.store.listDeployments(service, environment, limit);
  }

  /** The service's central log, filtered: a deployment's green fleet, an instance, a stream, a start time. */
  async logs(input: OperationInput<'logs'>): Promise<OperationResults['logs']> {
    const record = input.deploymentId ? await this.cp.store.getDeployment(input.deploymentId) : undefined;
    if (input.deploymentId && !record) throw new NotFound(`no deployment ${input.deploymentId}`);
    const service = record?.service ?? input.service ?? '';
    const wanted = (line: Record<string, unknown>) =>
      (record ? line.fleetId === record.greenFleetId : line.environment === input.environment) &&
      (!input.instanceId || line.instanceId === input.instanceId) &&
      (!input.stream || line.stream === input.stream) &&
      (!input.since || String(line.time) >= input.since);
    const all = await jsonLines(this.cp.centralLog.fileOf(service));
    return all.filter(wanted).slice(-input.lines) as OperationResults['logs'];
  }

  async events({ after }: OperationInput<'events'>): Promise<OperationResults['events']> {
    const all = await jsonLines(join(this.cp.options.home, 'events.jsonl'));
    return { events: all.slice(after), next: all.length };
  }

  decide(input: OperationInput<'decide'>): Promise<OperationResults['decide']> {
    return decideDeployment(this.cp.ports, input);
  }

  promote(input: OperationInput<'promote'>): Promise<OperationResults['promote']> {
    return startPromotion({ ...this.cp.ports, starter: this.cp.starter }, input);
  }

  rollback(input: OperationInput<'rollback'>): Promise<OperationResults['rollback']> {
    return startRollback({ ...this.cp.ports, starter: this.cp.starter }, input);
  }

  async congruence({ service, environment }: OperationInput<'congruence'>) {
    const deploymentId = await this.cp.scheduler.runNow(service, environment);
    if (!deploymentId) throw new Refused(`${service}/${environment} has no live release to rebuild`);
    return { deploymentId };
  }

  janitor({ dryRun }: OperationInput<'janitor'>): Promise<OperationResults['janitor']> {
    return this.cp.janitor({ dryRun });
  }

  async freeze(input: OperationInput<'freeze'>): Promise<OperationResults['freeze']> {
    await checkFreezeScope(this.cp.configs, input);
    return setFreeze(this.cp.ports, input);
  }

  unfreeze(input: OperationInput<'unfreeze'>): Promise<OperationResults['unfreeze']> {
    return liftFreeze(this.cp.ports, input);
  }

  async freezes(): Promise<OperationResults['freezes']> {
    return { freezes: await freezesInForce(this.cp.ports) };
  }

  overrideFreeze(input: OperationInput<'overrideFreeze'>): Promise<OperationResults['overrideFreeze']> {
    return overrideFreeze(this.cp.ports, { ...input, via: input.via ?? 'local' });
  }

  async stats(input: OperationInput<'stats'>): Promise<OperationResults['stats']> {
    const period = statsPeriod(input.since, this.cp.ports.clock.now());
    return { figures: await readStats(this.cp, { service: input.service, ...period }) };
  }
}
