import { describe, expect, it } from 'vitest';
import type { StepEvent } from '../../core/operations/operations.js';
import { flowProgress } from '../../operator/console/flow-progress.js';
import { flowShapeOf } from '../../operator/console/flow-shape.js';
import { type AslDefinition, loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import { waitSecondsOf } from '../../statemachines/wait-seconds.js';

const definition = loadDeployDefinition();
const shape = flowShapeOf(definition);
const names = (nodes: { name: string }[]) => nodes.map((n) => n.name);

let clock = 1_000_000;
/** A second later than the last event. */
const tick = () => {
  clock += 1000;
  return clock;
};
const entered = (name: string, type = 'Task', extra: Partial<StepEvent> = {}): StepEvent => ({
  type: 'StateEntered',
  timestamp: tick(),
  state: { name, type },
  ...extra,
});
const exited = (name: string, type = 'Task'): StepEvent => ({
  type: 'StateExited',
  timestamp: tick(),
  state: { name, type },
});
const ran = (...steps: string[]) => steps.flatMap((name) => [entered(name), exited(name)]);
const retried = (name: string, error: string): StepEvent => ({
  type: 'StateRetried',
  timestamp: tick(),
  state: { name, type: 'Task' },
  Error: error,
});
/** The environment's holds, as the deployment's outlook gives them. */
const holds = {
  trafficSteps: [
    { percent: 10, holdSeconds: 300 },
    { percent: 50, holdSeconds: 120 },
    { percent: 100, holdSeconds: 0 },
  ],
  keepBlueWarmSeconds: 900,
};

describe("the console's flow graph, read from deploy.asl.json (operator/console/flow-shape.ts)", () => {
  it('draws every Task and Wait state once: the forward path in the order it runs, then compensation', () => {
    const drawn = Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Task' || s.Type === 'Wait')
      .map(([name]) => name);
    expect([...names(shape.forward), ...names(shape.compensation)].sort()).toEqual([...drawn].sort());
    expect(names(shape.forward).slice(0, 5)).toEqual([
      'PrepareDeployment',
      'WaitForWindow',
      'BakeImage',
      'LaunchGreen',
      'AwaitGreenHealthy',
    ]);
    expect(names(shape.forward).indexOf('ShiftTraffic')).toBeLessThan(
      names(shape.forward).indexOf('CommitRelease'),
    );
    expect(names(shape.compensation)[0]).toBe('RecordFailure');
    expect(names(shape.compensation)).toContain('DestroyGreen');
  });

  it('marks what a Choice may skip, what waits for a callback, and where the traffic loop goes back', () => {
    const node = (name: string) => [...shape.forward, ...shape.compensation].find((n) => n.name === name);
    expect(node('BakeImage')).toMatchObject({ conditional: true, kind: 'callback' });
    expect(node('RequestApproval')).toMatchObject({ conditional: true, kind: 'callback' });
    expect(node('WaitForBlueDrain')).toMatchObject({ kind: 'wait' });
    expect(node('WaitForWindow')).toMatchObject({ conditional: true, kind: 'wait' });
    expect(node('LaunchGreen')).toMatchObject({ conditional: false, kind: 'task' });
    expect(node('CheckGreenAtWeight')?.loopsBackTo).toBe('ShiftTraffic');
  });

  it('follows the definition, not a list: a state added to the flow is drawn where it runs', () => {
    const changed = structuredClone(definition) as AslDefinition;
    changed.States.LaunchGreen = { ...changed.States.LaunchGreen, Type: 'Task', Next: 'WarmCaches' };
    changed.States.WarmCaches = {
      Type: 'Task',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL substitution, as in deploy.asl.json
      Resource: '${WarmCachesFunctionArn}',
      Next: 'AwaitGreenHealthy',
    };
    const forward = names(flowShapeOf(changed).forward);
    expect(forward.slice(3, 6)).toEqual(['LaunchGreen', 'WarmCaches', 'AwaitGreenHealthy']);
  });
});

describe("each step's state from the step events (operator/console/flow-progress.ts)", () => {
  it('done, running and pending while a deployment runs; the running step is current', () => {
    const progress = flowProgress(shape, [...ran('PrepareDeployment'), entered('LaunchGreen')], holds);
    expect(progress.get('PrepareDeployment')).toMatchObject({ state: 'done', current: false, runs: 1 });
    expect(progress.get('BakeImage')?.state).toBe('skipped');
    expect(progress.get('LaunchGreen')).toMatchObject({ state: 'running', current: true });
    expect(progress.get('CommitRelease')?.state).toBe('pending');
  });

  it('a weighted step is held while CheckGreenAtWeight judges green (StillJudging), counted down to its end', () => {
    const shift = exited('ShiftTraffic');
    const atFirstStep = [
      ...ran('PrepareDeployment', 'LaunchGreen', 'AwaitGreenHealthy'),
      entered('ShiftTraffic'),
      shift,
      entered('CheckGreenAtWeight'),
      retried('CheckGreenAtWeight', 'StillJudging'),
    ];
    const first = flowProgress(shape, atFirstStep, holds);
    expect(first.get('CheckGreenAtWeight')).toMatchObject({ state: 'judging', current: true, runs: 1 });
    expect(first.get('CheckGreenAtWeight')?.waitsUntil).toBe(shift.timestamp + 300_000);
    // The second step's own hold, from the end of the second shift.
    const secondShift = exited('ShiftTraffic');
    const second = flowProgress(
      shape,
      [
        ...atFirstStep,
        exited('CheckGreenAtWeight'),
        entered('ShiftTraffic'),
        secondShift,
        entered('CheckGreenAtWeight'),
      ],
      holds,
    );
    expect(second.get('CheckGreenAtWeight')).toMatchObject({ state: 'judging', current: true, runs: 2 });
    expect(second.get('CheckGreenAtWeight')?.waitsUntil).toBe(secondShift.timestamp + 120_000);
    expect(second.get('ShiftTraffic')).toMatchObject({ state: 'done', runs: 2 });
    // Without the outlook's lengths the hold is still shown, without a countdown.
    expect(flowProgress(shape, atFirstStep, {}).get('CheckGreenAtWeight')).toMatchObject({
      state: 'judging',
    });
    expect(flowProgress(shape, atFirstStep, {}).get('CheckGreenAtWeight')?.waitsUntil).toBeUndefined();
  });

  it("blue's warm window is judged on WatchGreen (StillWarm); a Wait is waited with its length; an approval waits", () => {
    const lastShift = exited('ShiftTraffic');
    const warm = flowProgress(
      shape,
      [
        ...ran('PrepareDeployment', 'LaunchGreen', 'AwaitGreenHealthy'),
        entered('ShiftTraffic'),
        lastShift,
        entered('WatchGreen'),
        retried('WatchGreen', 'StillWarm'),
      ],
      holds,
    );
    expect(warm.get('WatchGreen')).toMatchObject({ state: 'judging', current: true });
    expect(warm.get('WatchGreen')?.waitsUntil).toBe(lastShift.timestamp + 900_000);
    const drain = entered('WaitForBlueDrain', 'Wait', { waitSeconds: 8 });
    const draining = flowProgress(
      shape,
      [...ran('PrepareDeployment', 'CommitRelease', 'DrainBlue'), drain],
      holds,
    );
    expect(draining.get('WaitForBlueDrain')).toMatchObject({ state: 'waiting', current: true });
    expect(draining.get('WaitForBlueDrain')?.waitsUntil).toBe(drain.timestamp + 8000);
    const approval = flowProgress(shape, [...ran('PrepareDeployment'), entered('RequestApproval')], holds);
    expect(approval.get('RequestApproval')).toMatchObject({ state: 'waiting', current: true });
  });

  it('after a failure: the failed step, what it undid as compensated, compensation done, the rest skipped', () => {
    const progress = flowProgress(
      shape,
      [
        ...ran('PrepareDeployment', 'LaunchGreen'),
        entered('AwaitGreenHealthy'),
        {
          type: 'StateFailed',
          timestamp: tick(),
          state: { name: 'AwaitGreenHealthy', type: 'Task' },
          Error: 'GreenUnhealthy',
          Cause: '0/2 healthy',
        },
        ...ran('RecordFailure', 'RestoreTraffic', 'DestroyGreen'),
        { type: 'ExecutionFailed', timestamp: tick() },
      ],
      holds,
    );
    expect(progress.get('AwaitGreenHealthy')).toMatchObject({
      state: 'failed',
      error: 'GreenUnhealthy: 0/2 healthy',
    });
    expect(progress.get('LaunchGreen')?.state).toBe('compensated');
    expect(progress.get('DestroyGreen')?.state).toBe('done');
    expect(progress.get('ShiftTraffic')?.state).toBe('skipped');
    expect([...progress.values()].some((p) => p.current)).toBe(false);
  });
});

describe("a Wait state's length (statemachines/wait-seconds.ts)", () => {
  it("reads SecondsPath in the state's input, as JSON text (AWS's history) or as a value (the local engine)", () => {
    const drain = definition.States.WaitForBlueDrain;
    expect(waitSecondsOf(drain, { drain: { drainSeconds: 30 } })).toBe(30);
    expect(waitSecondsOf(drain, JSON.stringify({ drain: { drainSeconds: 12 } }))).toBe(12);
    expect(waitSecondsOf(drain, { drain: {} })).toBeUndefined();
    expect(waitSecondsOf(definition.States.LaunchGreen, {})).toBeUndefined();
    expect(waitSecondsOf({ Type: 'Wait', Seconds: 5 }, {})).toBe(5);
    const windowWait = definition.States.WaitForWindow;
    const enteredAt = Date.parse('2026-12-04T07:30:00Z');
    const input = { plan: { waitForWindow: { until: '2026-12-04T08:00:00.000Z' } } };
    expect(waitSecondsOf(windowWait, input, enteredAt)).toBe(1800);
    expect(waitSecondsOf(windowWait, JSON.stringify(input), enteredAt)).toBe(1800);
    expect(waitSecondsOf(windowWait, input)).toBeUndefined();
  });
});
