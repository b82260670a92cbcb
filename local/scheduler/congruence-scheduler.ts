import { Cron } from 'croner';
import { toFiveFieldCron } from '../../core/config/eventbridge-cron.js';
import { summarizeDrift } from '../../core/congruence/drift-report.js';
import { startCongruenceRun } from '../../core/congruence/start-congruence-run.js';
import type { DeploymentStarter } from '../../core/ports/deployment-starter.js';
import type { Ports } from '../../core/ports/index.js';

export interface ScheduledRun {
  service: string;
  environment: string;
  schedule: string;
  timeZone: string;
  nextRun: string | undefined;
}

/**
 * The local stand-in for EventBridge Scheduler: each environment's congruence schedule (cron and time zone from
 * its configuration) starts a `congruence` deployment that rebuilds the live release from its artifact on the
 * current base and replaces every instance through the normal blue/green flow.
 */
export class CongruenceScheduler {
  private readonly jobs: { run: ScheduledRun; job: Cron }[] = [];

  constructor(
    private readonly deps: Pick<Ports, 'store' | 'baker' | 'fleets' | 'health' | 'notifier' | 'clock'> & {
      configs: Ports['configs'] & { services(): Promise<string[]> };
      starter: DeploymentStarter;
    },
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async start(): Promise<ScheduledRun[]> {
    for (const service of await this.deps.configs.services()) {
      // A service whose configuration cannot be read has no schedule (status and `up` say why).
      const loaded = await this.deps.configs.load(service).catch(() => undefined);
      if (!loaded) continue;
      const { config } = loaded;
      for (const [environment, env] of Object.entries(config.environments)) {
        if (!env.congruence) continue;
        const { schedule, timeZone } = env.congruence;
        const job = new Cron(toFiveFieldCron(schedule), { timezone: timeZone, protect: true }, () => {
          void this.runNow(service, environment).catch((error: Error) =>
            this.log(`congruence ${service}/${environment}: ${error.message}`),
          );
        });
        this.jobs.push({
          run: { service, environment, schedule, timeZone, nextRun: job.nextRun()?.toISOString() },
          job,
        });
      }
    }
    return this.scheduled();
  }

  scheduled(): ScheduledRun[] {
    return this.jobs.map(({ run, job }) => ({ ...run, nextRun: job.nextRun()?.toISOString() }));
  }

  /** Starts a congruence run of what is live now; undefined when none was started (and why is logged). */
  async runNow(service: string, environment: string): Promise<string | undefined> {
    const run = await startCongruenceRun(this.deps, { service, environment });
    const drift = run.drift ? `; ${summarizeDrift(run.drift)}` : '';
    if (!run.started) {
      this.log(`congruence ${service}/${environment}: ${run.reason}${drift}`);
      return undefined;
    }
    this.log(`congruence ${service}/${environment}: rebuilding (${run.deploymentId})${drift}`);
    if (!run.announced) this.log(`congruence ${service}/${environment}: the drift report was not announced`);
    return run.deploymentId;
  }

  stop(): void {
    for (const { job } of this.jobs.splice(0)) job.stop();
  }
}
