import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import FakeTimers from '@sinonjs/fake-timers';
import type { LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import { startFunctionUrlStandIn } from '../../support/operator-stand-ins.js';
import { motoShims } from '../shims/index.js';
import { EventDelivery } from './event-delivery.js';
import { lambdaInvokeLayer, type TestFunction } from './lambda-invoke-stand-in.js';
import { LambdaRuntime } from './lambda-runtime.js';
import { MotoFront } from './moto-front.js';
import { MotoMachines } from './moto-machines.js';
import type { MotoServer } from './moto-server.js';
import { type DeployedStack, deployStack, motoClientConfig, type Synthesized } from './stack-in-moto.js';
import { StepFunctionsStandIn } from './step-functions-stand-in.js';

/** What every SDK client in this process uses: the front, any credentials, us-east-1 (moto's account). */
function pointTheSdkAt(endpoint: string): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}

/**
 * One scenario's AWS: moto reset, the stack deployed into it, and in front of it the stand-ins for what moto
 * cannot run (Step Functions' executions on the local engine, Lambda's runtime, EventBridge's delivery, the
 * machines) and the shims for where moto differs from AWS's documentation.
 */
export class MotoWorld {
  private constructor(
    readonly moto: MotoServer,
    readonly front: MotoFront,
    readonly stack: DeployedStack,
    readonly runtime: LambdaRuntime,
    readonly stepFunctions: StepFunctionsStandIn,
    readonly events: EventDelivery,
    readonly machines: MotoMachines,
    readonly testFunctions: Map<string, TestFunction>,
    readonly decisionUrl: { url: string; stop: () => Promise<void> },
    private readonly clock: { uninstall: () => void },
  ) {}

  static async create(moto: MotoServer, synthesized: Synthesized): Promise<MotoWorld> {
    await moto.reset();
    // The shims first: the stack's own SDK-made resources (a bucket policy) go through them too.
    const front = new MotoFront(
      moto.endpoint,
      motoShims(moto.endpoint).map((shim) => shim.layer),
    );
    await front.start();
    let runtime: LambdaRuntime | undefined;
    const decisionHandler = async (event: LambdaFunctionURLEventWithIAMAuthorizer) =>
      (await runtime?.invoke('OperatorDecision', event)) as LambdaFunctionURLResult;
    const decision = await startFunctionUrlStandIn('OperatorDecision', decisionHandler);
    const urls = Object.fromEntries(
      Object.entries(synthesized.template.Resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Url')
        .map(([id]) => [
          id,
          id.startsWith('FunctionsOperatorDecision') ? decision.url : `http://127.0.0.1:9/not-served/${id}/`,
        ]),
    );
    const stack = await deployStack(front.endpoint, synthesized, urls);
    runtime = new LambdaRuntime(moto.endpoint, synthesized, stack);
    const config = motoClientConfig(moto.endpoint);
    const clients = { ec2: new EC2Client(config), autoScaling: new AutoScalingClient(config) };
    // Waits take no real time: the clock (Date only) jumps what each polling retry waits on AWS, so the
    // functions' deadlines (health, bake) are reached as they would be there.
    const clock = FakeTimers.install({ toFake: ['Date'], shouldAdvanceTime: true });
    const stepFunctions = new StepFunctionsStandIn(runtime, {
      callbackTimeoutMs: 60_000,
      retryIntervalMs: 20,
      advanceClock: (ms) => clock.setSystemTime(Date.now() + ms),
    });
    // Its reads go through the shims: it sees AWS as documented.
    const events = new EventDelivery(front.endpoint, runtime);
    const machines = new MotoMachines(clients, events);
    const testFunctions = new Map<string, TestFunction>();
    front.prepend(
      events.layer,
      stepFunctions.layer,
      lambdaInvokeLayer(runtime, testFunctions),
      machines.layer,
    );
    pointTheSdkAt(front.endpoint);
    return new MotoWorld(
      moto,
      front,
      stack,
      runtime,
      stepFunctions,
      events,
      machines,
      testFunctions,
      decision,
      clock,
    );
  }
  /** Waits until nothing runs: executions, event deliveries (and what they start), machines booting. */
  async settled(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      await this.stepFunctions.settled();
      await this.events.settled();
      await this.machines.settled();
      const busy = [...this.stepFunctions.executions.values()].some((e) => e.status === 'RUNNING');
      if (!busy) return;
    }
  }

  async close(): Promise<void> {
    await this.settled();
    this.clock.uninstall();
    await this.front.stop();
    await this.decisionUrl.stop();
  }
}
