import {
  type Action,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  paginateDescribeRules,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FleetInUse } from '../../core/ports/traffic.js';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsSettings } from '../commons/aws-settings.js';
import type { FleetDirectory, FleetGroup } from '../fleets/fleet-directory.js';

/** A target group a listener forwards to with a weight above zero, and where. */
interface Forward {
  targetGroupArn: string;
  by: 'listener' | 'preview';
  where: string;
}

/**
 * What an environment's ALB still needs, read from the ALB itself (ADR 32): every rule of its listener and of
 * its preview listener (the default one and any other, every page), each forward with a weight above zero naming
 * the fleets attached to that target group or registered in it; and the fleets whose instances are `draining`
 * from either slot or a forwarded group. Any read that fails throws: the janitor then keeps every fleet.
 */
export async function fleetsInUseOnAlb(
  clients: { elb: ElasticLoadBalancingV2Client },
  settings: AwsSettings,
  directory: FleetDirectory,
  listener: { service: string; environment: string },
): Promise<FleetInUse[]> {
  const env = await settings.environment(listener.service, listener.environment);
  const fleets = await directory.ofEnvironment(listener.service, listener.environment);
  const forwards = [
    ...(await forwardsOf(clients.elb, env.listenerArn, 'listener')),
    ...(await forwardsOf(clients.elb, env.previewListenerArn, 'preview')),
  ];
  const groups = new Set([...env.targetGroupArns, ...forwards.map((f) => f.targetGroupArn)]);
  const targets = new Map<string, TargetHealthDescription[]>();
  for (const arn of groups) targets.set(arn, await targetsOf(clients.elb, arn));
  const fleetOfInstance = new Map(
    fleets.flatMap((f) => (f.group.Instances ?? []).map((i) => [i.InstanceId ?? '', f.fleetId] as const)),
  );
  const inUse: FleetInUse[] = [];
  for (const forward of forwards) {
    const registered = (targets.get(forward.targetGroupArn) ?? []).map((t) => t.Target?.Id ?? '');
    const routed = new Set([
      ...fleets.filter((f) => attachedTo(f, forward.targetGroupArn)).map((f) => f.fleetId),
      ...registered.flatMap((id) => fleetOfInstance.get(id) ?? []),
    ]);
    for (const fleetId of routed) inUse.push({ fleetId, by: forward.by, detail: forward.where });
  }
  for (const [arn, described] of targets) {
    for (const t of described) {
      const fleetId = fleetOfInstance.get(t.Target?.Id ?? '');
      if (fleetId && t.TargetHealth?.State === 'draining')
        inUse.push({ fleetId, by: 'draining', detail: `instance ${t.Target?.Id} is draining from ${arn}` });
    }
  }
  return inUse;
}

function attachedTo(fleet: FleetGroup, targetGroupArn: string): boolean {
  const { TargetGroupARNs = [], TrafficSources = [] } = fleet.group;
  return (
    TargetGroupARNs.includes(targetGroupArn) || TrafficSources.some((s) => s.Identifier === targetGroupArn)
  );
}

/** Every forward with a weight above zero, of every rule of the listener (DescribeRules, to the last page). */
async function forwardsOf(
  elb: ElasticLoadBalancingV2Client,
  listenerArn: string,
  by: Forward['by'],
): Promise<Forward[]> {
  const rules = await withAwsErrors('DescribeRules', () =>
    readAll(
      'DescribeRules',
      paginateDescribeRules({ client: elb }, { ListenerArn: listenerArn }),
      (page) => page.Rules,
    ),
  );
  return rules.flatMap((rule) =>
    (rule.Actions ?? []).flatMap((action) =>
      weightedGroups(action).map(({ arn, share }) => ({
        targetGroupArn: arn,
        by,
        where: `${listenerArn} (${rule.IsDefault ? 'default rule' : `rule ${rule.Priority}`}) forwards weight ${share} to ${arn}`,
      })),
    ),
  );
}

/** A forward action's target groups with a weight above zero, and each one's share (`weight/total`). */
function weightedGroups(action: Action): { arn: string; share: string }[] {
  if (action.Type !== 'forward') return [];
  const groups =
    action.ForwardConfig?.TargetGroups ??
    (action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : []);
  const total = groups.reduce((sum, g) => sum + (g.Weight ?? 1), 0);
  return groups.flatMap((g) =>
    g.TargetGroupArn && (g.Weight ?? 1) > 0
      ? [{ arn: g.TargetGroupArn, share: `${g.Weight ?? 1}/${total}` }]
      : [],
  );
}

/** The targets registered in a group, any state (DescribeTargetHealth answers them all: it does not page). */
async function targetsOf(elb: ElasticLoadBalancingV2Client, targetGroupArn: string) {
  const { TargetHealthDescriptions = [] } = await withAwsErrors('DescribeTargetHealth', () =>
    elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
  );
  return TargetHealthDescriptions;
}
