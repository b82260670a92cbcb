import { type AutoScalingClient, DetachTrafficSourcesCommand } from '@aws-sdk/client-auto-scaling';
import {
  type Action,
  DescribeTargetGroupAttributesCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  paginateDescribeListeners,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TrafficSnapshot } from '../../core/deployment/deployment-record.js';
import type { FleetWeight } from '../../core/deployment/traffic-plan.js';
import { TrafficShiftFailed } from '../../core/errors.js';
import {
  type FleetInUse,
  type ListenerKey,
  MAX_WEIGHTED_FLEETS,
  type Traffic,
} from '../../core/ports/traffic.js';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsSettings } from '../commons/aws-settings.js';
import type { FleetDirectory } from '../fleets/fleet-directory.js';
import { fleetsInUseOnAlb } from './alb-routing.js';

/**
 * Traffic on an ALB: each service+environment has a listener whose default action forwards, by weight, to the
 * target-group slots its fleets are attached to. The exact action before a deployment is kept as the snapshot's
 * `native`, so a restore puts back precisely that action.
 */
export class AlbTraffic implements Traffic {
  constructor(
    private readonly clients: { elb: ElasticLoadBalancingV2Client; autoScaling: AutoScalingClient },
    private readonly settings: AwsSettings,
    private readonly directory: FleetDirectory,
  ) {}

  async current(listener: ListenerKey): Promise<TrafficSnapshot> {
    const env = await this.settings.environment(listener.service, listener.environment);
    const actions = await this.defaultActions(env.listenerArn);
    const fleetOfGroup = new Map(
      (await this.directory.ofEnvironment(listener.service, listener.environment)).flatMap((f) =>
        f.targetGroupArn ? [[f.targetGroupArn, f.fleetId] as const] : [],
      ),
    );
    const forward = actions.find((a) => a.Type === 'forward');
    const groups =
      forward?.ForwardConfig?.TargetGroups ??
      (forward?.TargetGroupArn ? [{ TargetGroupArn: forward.TargetGroupArn, Weight: 1 }] : []);
    const total = groups.reduce((sum, g) => sum + (g.Weight ?? 1), 0) || 1;
    const weights = groups.flatMap((g) => {
      const fleetId = g.TargetGroupArn ? fleetOfGroup.get(g.TargetGroupArn) : undefined;
      return fleetId && (g.Weight ?? 1) > 0
        ? [{ fleetId, percent: Math.round(((g.Weight ?? 1) * 100) / total) }]
        : [];
    });
    return { weights, native: JSON.stringify(actions) };
  }

  async shift(listener: ListenerKey, weights: FleetWeight[]): Promise<void> {
    if (weights.length > MAX_WEIGHTED_FLEETS)
      throw new TrafficShiftFailed(`at most ${MAX_WEIGHTED_FLEETS} target groups can share a listener`);
    const env = await this.settings.environment(listener.service, listener.environment);
    const targetGroups = await Promise.all(
      weights.map(async (w) => ({ TargetGroupArn: await this.targetGroupOf(w.fleetId), Weight: w.percent })),
    );
    await this.modify(env.listenerArn, [
      {
        Type: 'forward',
        ForwardConfig: { TargetGroups: targetGroups, TargetGroupStickinessConfig: { Enabled: false } },
      },
    ]);
  }

  async restore(listener: ListenerKey, snapshot: TrafficSnapshot): Promise<void> {
    const env = await this.settings.environment(listener.service, listener.environment);
    if (snapshot.native) {
      await this.modify(env.listenerArn, JSON.parse(snapshot.native) as Action[]);
      return;
    }
    await this.shift(listener, snapshot.weights);
  }

  async preview(listener: ListenerKey, fleetId: string) {
    const env = await this.settings.environment(listener.service, listener.environment);
    await this.modify(env.previewListenerArn, [
      { Type: 'forward', TargetGroupArn: await this.targetGroupOf(fleetId) },
    ]);
    return { url: env.previewUrl };
  }

  /** Detaches the fleet from its target group: its targets drain for the group's deregistration delay. */
  async drain(_listener: ListenerKey, fleetId: string) {
    const found = await this.directory.byFleet(fleetId);
    if (!found?.targetGroupArn) return { drainSeconds: 0 };
    const targetGroupArn = found.targetGroupArn;
    await withAwsErrors('DetachTrafficSources', () =>
      this.clients.autoScaling.send(
        new DetachTrafficSourcesCommand({
          AutoScalingGroupName: found.name,
          TrafficSources: [{ Identifier: targetGroupArn, Type: 'elbv2' }],
        }),
      ),
    );
    const { Attributes } = await withAwsErrors('DescribeTargetGroupAttributes', () =>
      this.clients.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn })),
    );
    const delay = Number(
      Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? '300',
    );
    return { drainSeconds: delay };
  }

  /** Both listeners' rules and the slots' draining targets, environment by environment (alb-routing.ts). */
  async fleetsInUse(service: string, environments: readonly string[]): Promise<FleetInUse[]> {
    const found: FleetInUse[] = [];
    for (const environment of environments)
      found.push(
        ...(await fleetsInUseOnAlb(this.clients, this.settings, this.directory, { service, environment })),
      );
    return found;
  }

  private async targetGroupOf(fleetId: string): Promise<string> {
    const found = await this.directory.byFleet(fleetId);
    if (!found?.targetGroupArn)
      throw new TrafficShiftFailed(`fleet ${fleetId} is not attached to a target group`);
    return found.targetGroupArn;
  }

  private async defaultActions(listenerArn: string): Promise<Action[]> {
    const [listener] = await withAwsErrors('DescribeListeners', () =>
      readAll(
        'DescribeListeners',
        paginateDescribeListeners({ client: this.clients.elb }, { ListenerArns: [listenerArn] }),
        (page) => page.Listeners,
      ),
    );
    return listener?.DefaultActions ?? [];
  }

  private async modify(listenerArn: string, DefaultActions: Action[]): Promise<void> {
    await withAwsErrors('ModifyListener', () =>
      this.clients.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions })),
    );
  }
}
