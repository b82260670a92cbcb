import { Cron } from 'croner';
import { toFiveFieldCron } from '../../core/config/eventbridge-cron.js';
import { bakeKeyOf } from '../../core/deployment/bake-key.js';
import { deriveDeploymentId } from '../../core/deployment/deployment-id.js';
import type { Clock } from '../../core/ports/clock.js';
import type { DeploymentStarter } from '../../core/ports/deployment-starter.js';
import type { ImageBaker } from '../../core/ports/image-baker.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';

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
    private readonly deps: {
      configs: ServiceConfigs & { services(): Promise<string[]> };
      store: ReleaseStore;
      starter: DeploymentStarter;
      baker: ImageBaker;
      clock: Clock;
    },
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async start(): Promise<ScheduledRun[]> {
    for (const service of await this.deps.configs.services()) {
      const { config } = await this.deps.configs.load(service);
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

  /** Starts a congruence run of what is live now; nothing to do when nothing is live. */
  async runNow(service: string, environment: string): Promise<string | undefined> {
    const live = await this.deps.store.getLiveRelease(service, environment);
    if (!live?.artifact) {
      this.log(`congruence ${service}/${environment}: nothing live with an artifact to rebuild`);
      return undefined;
    }
    const { config } = await this.deps.configs.load(service);
    if (config.environments[environment]?.congruence?.replaceWhenUnchanged === false) {
      const baseImageId = await this.deps.baker.resolveBaseImage(config.bake.baseImage);
      const bakeKey = bakeKeyOf({ artifact: live.artifact, baseImageId, recipe: this.deps.baker.recipe });
      if ((await this.deps.baker.getImage(live.imageId))?.bakeKey === bakeKey) {
        this.log(
          `congruence ${service}/${environment}: unchanged (same artifact, base and recipe); not replacing`,
        );
        return undefined;
      }
    }
    const requestedAt = this.deps.clock.now().toISOString();
    const deploymentId = deriveDeploymentId({
      service,
      environment,
      trigger: 'congruence',
      artifact: live.artifact,
      requestedAt,
    });
    await this.deps.starter.start({
      deploymentId,
      service,
      environment,
      trigger: 'congruence',
      version: live.version,
      artifact: live.artifact,
      requestedBy: 'schedule',
      requestedAt,
    });
    this.log(`congruence ${service}/${environment}: rebuilding ${live.version} (${deploymentId})`);
    return deploymentId;
  }

  stop(): void {
    for (const { job } of this.jobs.splice(0)) job.stop();
  }
}
