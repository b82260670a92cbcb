import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import FakeTimers from '@sinonjs/fake-timers';
import type { LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import { startFunctionUrlStandIn } from '../../support/operator-stand-ins.js';
import { motoShims } from '../shims/index.js';
import { EventDelivery, StackRules } from './event-delivery.js';
import { lambdaInvokeLayer, type TestFunction } from './lambda-invoke-stand-in.js';
import { LambdaRuntime } from './lambda-runtime.js';
import { MotoFront } from './moto-front.js';
import { MotoMachines } from './moto-machines.js';
import { resetMoto } from './moto-server.js';
import { type Baseline, baselineOf, type ResetClients, resetToBaseline } from './scenario-reset.js';
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

function clientsOf(endpoint: string): ResetClients {
  const config = motoClientConfig(endpoint);
  return {
    ec2: new EC2Client(config),
    autoScaling: new AutoScalingClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    dynamo: new DynamoDBClient(config),
    s3: new S3Client(config),
    cloudWatch: new CloudWatchClient(config),
  };
}

/**
 * The stack deployed into moto, once for the run: moto reset, the synthesized stack deployed with its
 * CloudFormation, every function imported (warm, as Lambda keeps a container), and in front of moto the shims
 * for where it differs from AWS's documentation. Each scenario gets its own MotoWorld on it.
 */
export class MotoStack {
  private current: MotoWorld | undefined;

  private constructor(
    readonly front: MotoFront,
    readonly stack: DeployedStack,
    readonly runtime: LambdaRuntime,
    readonly rules: StackRules,
    readonly decisionUrl: { url: string; stop: () => Promise<void> },
    private readonly baseline: Baseline,
    private readonly clock: { setSystemTime: (now: number) => void },
    readonly motoEndpoint: string,
  ) {}

  static async deploy(motoEndpoint: string, synthesized: Synthesized): Promise<MotoStack> {
    await resetMoto(motoEndpoint);
    // The shims first: the stack's own SDK-made resources (a bucket policy) go through them too.
    const front = new MotoFront(
      motoEndpoint,
      motoShims(motoEndpoint).map((shim) => shim.layer),
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
    const started = Date.now();
    const stack = await deployStack(front.endpoint, synthesized, urls);
    const deployedAt = Date.now();
    runtime = new LambdaRuntime(motoEndpoint, synthesized, stack);
    // Every import before anything else runs: the CLI's runs change the process's environment.
    await runtime.warm();
    console.log(
      `moto suite: the stack deployed into moto in ${deployedAt - started} ms, its functions imported in ${Date.now() - deployedAt} ms`,
    );
    const rules = await StackRules.read(front.endpoint);
    const baseline = await baselineOf(clientsOf(front.endpoint), stack);
    // Waits take no real time: the clock (Date only) jumps what each polling retry waits on AWS, so the
    // functions' deadlines (health, bake) are reached as they would be there.
    const clock = FakeTimers.install({ now: Date.now(), toFake: ['Date'], shouldAdvanceTime: true });
    pointTheSdkAt(front.endpoint);
    return new MotoStack(front, stack, runtime, rules, decision, baseline, clock, motoEndpoint);
  }

  /**
   * A scenario's world: moto back to the stack alone (what earlier scenarios made removed), and new stand-ins
   * for what moto cannot run (Step Functions' executions on the local engine, EventBridge's delivery, the
   * machines, the test's own functions).
   */
  async scenario(): Promise<MotoWorld> {
    // What a failed scenario left running ends first (an execution waiting for approval: its timeout).
    await this.current?.settled();
    await resetToBaseline(clientsOf(this.front.endpoint), this.baseline);
    const clients = clientsOf(this.motoEndpoint);
    const stepFunctions = new StepFunctionsStandIn(this.runtime, {
      callbackTimeoutMs: 60_000,
      retryIntervalMs: 20,
      advanceClock: (ms) => this.clock.setSystemTime(Date.now() + ms),
    });
    // Its reads go through the shims: it sees AWS as documented.
    const events = new EventDelivery(this.front.endpoint, this.runtime, this.rules);
    const machines = new MotoMachines(clients, events);
    const testFunctions = new Map<string, TestFunction>();
    this.front.standIns(
      events.layer,
      stepFunctions.layer,
      lambdaInvokeLayer(this.runtime, testFunctions),
      machines.layer,
    );
    this.current = new MotoWorld(this, stepFunctions, events, machines, testFunctions);
    return this.current;
  }
}

/** One scenario's AWS: the deployed stack (moto reset to it) and the scenario's stand-ins. */
export class MotoWorld {
  readonly front: MotoFront;
  readonly stack: DeployedStack;
  readonly runtime: LambdaRuntime;

  constructor(
    readonly deployed: MotoStack,
    readonly stepFunctions: StepFunctionsStandIn,
    readonly events: EventDelivery,
    readonly machines: MotoMachines,
    readonly testFunctions: Map<string, TestFunction>,
  ) {
    this.front = deployed.front;
    this.stack = deployed.stack;
    this.runtime = deployed.runtime;
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
    throw new Error('the world did not settle: executions still running after 20 rounds');
  }
}
