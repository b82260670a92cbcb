import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { BakeshiftError } from '../../../core/errors.js';
import type { TaskHandler } from '../../../functions/commons/define-task.js';
import { LocalEngine } from '../../../local/engine/local-engine.js';
import type { LocalExecution } from '../../../local/engine/local-execution.js';
import { LocalTaskTokens } from '../../../local/engine/local-task-tokens.js';
import { loadDeployDefinition, taskStatesOf } from '../../../statemachines/deploy-definition.js';
import { pollingRetrierOf, waitBeforeRetry } from '../../../statemachines/retry-schedule.js';
import { stepFunctionsHistoryOf } from '../../support/step-functions-history.js';
import type { LambdaRuntime } from './lambda-runtime.js';
import { type AwsAnswer, type AwsCall, type FrontLayer, jsonAnswer, jsonBody } from './moto-front.js';
import { ACCOUNT, REGION } from './stack-in-moto.js';

const STATE_MACHINE = 'bakeshift-deploy';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${STATE_MACHINE}`;
const executionArn = (name: string) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:execution:${STATE_MACHINE}:${name}`;

const error = (status: number, type: string, message: string): AwsAnswer =>
  jsonAnswer(status, { __type: type, message });

const epochSeconds = (value: Date | undefined) => (value ? value.getTime() / 1000 : undefined);

/**
 * A stand-in for Step Functions' executions, which moto cannot run (its Lambda tasks need Docker): the stack's
 * state machine (created in moto by CloudFormation) runs statemachines/deploy.asl.json on the local engine, each
 * Task invoking its function's deployed bundle (LambdaRuntime). Behind the same endpoint as moto, it answers the
 * execution API for that state machine (StartExecution, DescribeExecution, GetExecutionHistory) and the task
 * token API (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat); moto answers everything else.
 */
export class StepFunctionsStandIn {
  readonly tokens = new LocalTaskTokens();
  readonly engine: LocalEngine;
  readonly executions = new Map<string, LocalExecution>();

  /** States whose function fails before its work (as a Lambda that crashes), for as long as they are here. */
  readonly failing = new Set<string>();
  /** Every answer given in Step Functions' name, for the API model's check. */
  readonly answers: { action: string; answer: AwsAnswer }[] = [];

  /** The last Task each execution invoked, and how many times in a row: its retry count. */
  private readonly lastCall = new Map<string, { stateName: string; attempt: number }>();

  constructor(
    runtime: LambdaRuntime,
    options: {
      callbackTimeoutMs: number;
      retryIntervalMs: number;
      /** Moves the process's clock on by what a polling retry waits on AWS (its real wait is retryIntervalMs). */
      advanceClock: (ms: number) => void;
    },
  ) {
    const definition = loadDeployDefinition();
    const tasks = taskStatesOf(definition);
    const functions = Object.fromEntries(
      tasks.map((task) => [
        task.functionName,
        ((event: unknown) => runtime.invoke(task.functionName, event)) as TaskHandler<unknown>,
      ]),
    );
    this.engine = new LocalEngine({
      definition,
      functions,
      tokens: this.tokens,
      interceptTask: async (call, invoke) => {
        const previous = this.lastCall.get(call.executionName);
        const attempt = previous?.stateName === call.stateName ? previous.attempt + 1 : 0;
        this.lastCall.set(call.executionName, { stateName: call.stateName, attempt });
        const retrier = pollingRetrierOf(definition, call.stateName);
        if (retrier && attempt > 0) options.advanceClock(waitBeforeRetry(retrier, attempt) * 1000);
        if (this.failing.has(call.stateName))
          throw new BakeshiftError('InjectedFault', `${call.stateName}'s function failed (the test's fault)`);
        return invoke();
      },
      timing: {
        // Waits stand for minutes on AWS: here they take no time; polling retries take a little.
        waitMs: Object.fromEntries(
          Object.entries(definition.States)
            .filter(([, s]) => s.Type === 'Wait')
            .map(([name]) => [name, 0]),
        ),
        retryIntervalMs: Object.fromEntries(tasks.map((t) => [t.stateName, options.retryIntervalMs])),
        callbackTimeoutMs: options.callbackTimeoutMs,
      },
    });
  }

  /** Starts an execution as StartExecution does (the tests' own starts go through here too). */
  start(name: string, input: Record<string, unknown>): LocalExecution {
    const execution = this.engine.start(name, input);
    this.executions.set(name, execution);
    return execution;
  }

  /** Waits for every execution started so far (and any started meanwhile) to end. */
  async settled(): Promise<void> {
    for (let seen = -1; seen !== this.executions.size; ) {
      seen = this.executions.size;
      await Promise.all([...this.executions.values()].map((e) => e.outcome));
    }
  }

  readonly layer: FrontLayer = async (call, next) => {
    if (call.service !== 'states') return next(call);
    const answer = await this.answer(call);
    if (answer !== undefined) this.answers.push({ action: call.action ?? '', answer });
    return answer ?? next(call);
  };

  /** The answer for the stack's state machine and its executions; undefined for what moto answers. */
  private async answer(call: AwsCall): Promise<AwsAnswer | undefined> {
    switch (call.action) {
      case 'StartExecution':
        return this.startExecution(call);
      case 'DescribeExecution':
        return this.describeExecution(call);
      case 'GetExecutionHistory':
        return this.history(call);
      case 'SendTaskSuccess':
      case 'SendTaskFailure':
      case 'SendTaskHeartbeat':
        return this.answerTask(call);
      default:
        return undefined;
    }
  }

  private async startExecution(call: AwsCall): Promise<AwsAnswer | undefined> {
    const { stateMachineArn, name, input } = jsonBody<{
      stateMachineArn: string;
      name?: string;
      input?: string;
    }>(call);
    if (stateMachineArn !== STATE_MACHINE_ARN) return undefined;
    if (!name) return error(400, 'InvalidName', 'bakeshift names every execution');
    try {
      const execution = this.start(name, JSON.parse(input ?? '{}'));
      return jsonAnswer(200, { executionArn: executionArn(execution.name), startDate: Date.now() / 1000 });
    } catch (failure) {
      const named = failure as BakeshiftError;
      return error(400, named.name, named.message);
    }
  }

  private execution(call: AwsCall): LocalExecution | undefined {
    const { executionArn: arn } = jsonBody<{ executionArn: string }>(call);
    return arn.startsWith(executionArn(''))
      ? this.executions.get(arn.slice(executionArn('').length))
      : undefined;
  }

  private async describeExecution(call: AwsCall): Promise<AwsAnswer | undefined> {
    const { executionArn: arn } = jsonBody<{ executionArn: string }>(call);
    if (!arn.startsWith(executionArn(''))) return undefined;
    const execution = this.execution(call);
    if (!execution) return error(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const outcome = execution.status === 'RUNNING' ? undefined : await execution.outcome;
    const started = execution.events[0]?.timestamp ?? Date.now();
    return jsonAnswer(200, {
      executionArn: arn,
      stateMachineArn: STATE_MACHINE_ARN,
      name: execution.name,
      status: execution.status === 'ABORTED' ? 'ABORTED' : execution.status,
      startDate: started / 1000,
      input: JSON.stringify(execution.input),
      ...(outcome?.output !== undefined ? { output: JSON.stringify(outcome.output) } : {}),
      ...(outcome?.error ? { error: outcome.error, cause: outcome.cause } : {}),
    });
  }

  private async history(call: AwsCall): Promise<AwsAnswer | undefined> {
    const { executionArn: arn } = jsonBody<{ executionArn: string }>(call);
    if (!arn.startsWith(executionArn(''))) return undefined;
    const execution = this.execution(call);
    if (!execution) return error(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const events = stepFunctionsHistoryOf(execution.events).map((event: HistoryEvent) => ({
      ...event,
      timestamp: epochSeconds(event.timestamp),
    }));
    return jsonAnswer(200, { events });
  }

  private async answerTask(call: AwsCall): Promise<AwsAnswer> {
    const body = jsonBody<{ taskToken: string; output?: string; error?: string; cause?: string }>(call);
    try {
      if (call.action === 'SendTaskSuccess')
        await this.tokens.succeed(body.taskToken, JSON.parse(body.output ?? '{}'));
      if (call.action === 'SendTaskFailure')
        await this.tokens.fail(body.taskToken, body.error ?? 'TaskFailed', body.cause ?? '');
      return jsonAnswer(200, {});
    } catch (failure) {
      if (failure instanceof BakeshiftError) return error(400, failure.name, failure.message);
      throw failure;
    }
  }
}
