import { isDeepStrictEqual } from 'node:util';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import { BakeshiftError } from '../../core/errors.js';
import type { TaskHandler } from '../../functions/commons/define-task.js';
import {
  type AslDefinition,
  substituteFunctionArns,
  type TaskState,
  taskStatesOf,
} from '../../statemachines/deploy-definition.js';
import type { TaskStateName } from '../../statemachines/state-names.js';
import { assertSupportedNode } from './assert-supported-node.js';
import { localLambdaContext } from './lambda-context.js';
import { LocalExecution } from './local-execution.js';
import type { LocalTaskTokens } from './local-task-tokens.js';

/** As in Step Functions: a name already used, with other input or after the first run ended. */
export class ExecutionAlreadyExists extends BakeshiftError {
  constructor(name: string) {
    super('ExecutionAlreadyExists', `execution ${name} already exists`);
  }
}

/** The engine's default for a Task without TimeoutSeconds (AWS has none): the ASL sets it on every Task. */
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;
/** The engine's own timer for a Task whose timeout this class enforces (see engineDefinition). */
const BACKSTOP_TIMEOUT_SECONDS = 8 * 24 * 3600;
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export interface TaskCall {
  executionName: string;
  stateName: string;
  functionName: string;
  /** The Task's input, as the handler receives it (before the engine's JSON round trip). */
  input?: unknown;
}

export interface LocalEngineOptions {
  definition: AslDefinition;
  /** Handlers by function name (the `${<Name>FunctionArn}` placeholders). */
  functions: Record<string, TaskHandler<unknown>>;
  tokens: LocalTaskTokens;
  /** Wraps every Task invocation: a seam for tracing, and for injecting faults in tests. */
  interceptTask?: (call: TaskCall, invoke: () => Promise<unknown>) => Promise<unknown>;
  /** Shortened timings, for tests and the local demo. */
  timing?: {
    waitMs?: Record<string, number>;
    retryIntervalMs?: Partial<Record<TaskStateName, number | number[]>>;
    /** A callback Task's wait ends (States.Timeout) after this long instead of its TimeoutSeconds. */
    callbackTimeoutMs?: number;
  };
}

/**
 * Runs statemachines/deploy.asl.json on this machine with aws-local-stepfunctions, each Task invoking its
 * handler in process (Lambda's JSON in and out), callback Tasks resumed through LocalTaskTokens.
 * Execution names are unique, as in Step Functions: the same deployment id never runs twice.
 */
export class LocalEngine {
  private readonly machine: StateMachine;
  private readonly tasks: TaskState[];
  private readonly executions = new Map<string, LocalExecution>();

  constructor(private readonly options: LocalEngineOptions) {
    assertSupportedNode();
    this.tasks = taskStatesOf(options.definition);
    const missing = this.tasks.filter((t) => !options.functions[t.functionName]).map((t) => t.functionName);
    if (missing.length > 0)
      throw new Error(`no handler for function(s): ${[...new Set(missing)].join(', ')}`);
    this.machine = new StateMachine(
      engineDefinition(options.definition) as unknown as StateMachineDefinition,
      {
        validationOptions: { checkArn: true, checkPaths: true },
      },
    );
  }

  start(name: string, input: Record<string, unknown>): LocalExecution {
    if (!EXECUTION_NAME.test(name)) {
      throw new BakeshiftError('InvalidName', `execution name "${name}" must be 1-80 of A-Z a-z 0-9 _ -`);
    }
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.status === 'RUNNING' && isDeepStrictEqual(existing.input, input)) return existing;
      throw new ExecutionAlreadyExists(name);
    }
    const json = input as Parameters<StateMachine['run']>[0];
    const run = this.machine.run(json, {
      overrides: {
        taskResourceLocalHandlers: this.handlersFor(name),
        ...(this.options.timing?.waitMs ? { waitTimeOverrides: this.options.timing.waitMs } : {}),
        ...(this.options.timing?.retryIntervalMs
          ? { retryIntervalOverrides: this.options.timing.retryIntervalMs }
          : {}),
      },
      // Only `$$.Task.Token` is read from the context; each wait replaces it with a token of its own.
      context: { Execution: { Name: name, Input: json }, Task: { Token: 'issued-per-wait' } },
    });
    const execution = new LocalExecution(name, input, run, () => this.options.tokens.cancelAll(name));
    this.executions.set(name, execution);
    return execution;
  }

  get(name: string): LocalExecution | undefined {
    return this.executions.get(name);
  }

  private handlersFor(executionName: string) {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const task of this.tasks) {
      const handler = this.options.functions[task.functionName] as TaskHandler<unknown>;
      const timeoutSeconds = task.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
      const call: TaskCall = { executionName, stateName: task.stateName, functionName: task.functionName };
      const intercept = this.options.interceptTask;
      const invoke = async (event: unknown) => {
        const run = async () =>
          roundTrip(await handler(roundTrip(event), localLambdaContext(task.functionName, timeoutSeconds)));
        return intercept ? intercept({ ...call, input: event }, run) : run();
      };
      handlers[task.stateName] = task.callback
        ? async (input) => {
            const { Payload } = input as { Payload: { state?: unknown } & Record<string, unknown> };
            const timeoutMs =
              this.options.timing?.callbackTimeoutMs ??
              timeoutSecondsOf(task, Payload.state, timeoutSeconds) * 1000;
            const { token, answer } = this.options.tokens.issue(executionName, timeoutMs);
            try {
              await invoke({ ...Payload, taskToken: token });
            } catch (error) {
              this.options.tokens.discard(token);
              throw error;
            }
            return (await answer) as never;
          }
        : async (input) => (await invoke(input)) as never;
    }
    return handlers;
  }
}

/** Tasks are resolved by state name, never by ARN; the engine's validator still wants ARN-shaped resources. */
const localFunctionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:bakeshift-${name}`;

/**
 * aws-local-stepfunctions reads TimeoutSecondsPath from the input *after* Parameters; Step Functions reads it
 * from the state's input. The engine gets a copy in which such a Task has a distant static timeout, and this
 * class enforces the real one, read from the raw state that callback Tasks pass as `Payload.state`.
 */
function engineDefinition(definition: AslDefinition): AslDefinition {
  const withArns = substituteFunctionArns(JSON.stringify(definition), localFunctionArn);
  const copy = JSON.parse(withArns) as AslDefinition;
  for (const [name, state] of Object.entries(copy.States)) {
    if (state.Type !== 'Task' || !state.TimeoutSecondsPath) continue;
    if (!state.Resource?.endsWith('.waitForTaskToken')) {
      throw new Error(
        `state ${name}: TimeoutSecondsPath is supported locally only on .waitForTaskToken Tasks`,
      );
    }
    delete state.TimeoutSecondsPath;
    state.TimeoutSeconds = BACKSTOP_TIMEOUT_SECONDS;
  }
  return copy;
}

function timeoutSecondsOf(task: TaskState, rawState: unknown, fallback: number): number {
  if (!task.timeoutSecondsPath) return fallback;
  const [value] = JSONPath({
    path: task.timeoutSecondsPath,
    json: rawState as object,
    wrap: true,
  }) as unknown[];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BakeshiftError(
      'States.Runtime',
      `${task.stateName}: ${task.timeoutSecondsPath} is not a positive integer`,
    );
  }
  return value;
}

/** What crosses a Lambda boundary is JSON: no shared references, Dates become strings. */
const roundTrip = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));
