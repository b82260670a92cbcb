import { readFileSync } from 'node:fs';

/** The deployment state machine, as Amazon States Language (JSONPath). */
export const DEPLOY_DEFINITION_PATH = new URL('./deploy.asl.json', import.meta.url);

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string } & Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  [field: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

export interface TaskState {
  stateName: string;
  /** The Lambda function, from its `${<Name>FunctionArn}` placeholder. */
  functionName: string;
  /** A `.waitForTaskToken` Task: resumed by a callback, not by the function's return value. */
  callback: boolean;
  timeoutSeconds: number | undefined;
  /** Read from the state's raw input (before Parameters), as Step Functions does. */
  timeoutSecondsPath: string | undefined;
}

export function loadDeployDefinition(): AslDefinition {
  return JSON.parse(readFileSync(DEPLOY_DEFINITION_PATH, 'utf8')) as AslDefinition;
}

const PLACEHOLDER = /^\$\{(\w+)FunctionArn\}$/;

/** Every Task state with the function it invokes; throws if a Task names no function placeholder. */
export function taskStatesOf(definition: AslDefinition): TaskState[] {
  return Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([stateName, state]) => {
      const reference = state.Resource?.startsWith('arn:aws:states:::lambda:invoke')
        ? state.Parameters?.FunctionName
        : state.Resource;
      const functionName = PLACEHOLDER.exec(reference ?? '')?.[1];
      if (!functionName)
        throw new Error(`state ${stateName}: Resource must name a \${<Name>FunctionArn} placeholder`);
      return {
        stateName,
        functionName,
        callback: state.Resource?.endsWith('.waitForTaskToken') ?? false,
        timeoutSeconds: state.TimeoutSeconds,
        timeoutSecondsPath: state.TimeoutSecondsPath,
      };
    });
}

/** Replaces each `${<Name>FunctionArn}` placeholder, as the CDK's definitionSubstitutions does. */
export function substituteFunctionArns(text: string, arnOf: (functionName: string) => string): string {
  return text.replace(/\$\{(\w+)FunctionArn\}/g, (_, name: string) => arnOf(name));
}
