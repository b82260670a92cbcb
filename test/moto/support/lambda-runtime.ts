import { createRequire } from 'node:module';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { localLambdaContext } from '../../../local/engine/lambda-context.js';
import { runAsFunction } from '../../support/invoking-function.js';
import type { DeployedStack, Synthesized } from './stack-in-moto.js';
import { motoClientConfig } from './stack-in-moto.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

interface DeployedFunction {
  /** The catalog's name (infra/lambda-catalog.ts), e.g. LaunchGreen. */
  name: string;
  /** The function's name in moto (its physical id). */
  functionName: string;
  bundle: string;
  timeoutSeconds: number;
}

/**
 * Node's own loader (require of an ES module, Node 22), outside vitest's module runner: a bundle is deployed code,
 * loaded as Lambda's runtime loads it, not test source to transform (vitest's transform of the twenty bundles
 * took minutes on this machine).
 */
const loadAsLambdaDoes = createRequire(import.meta.url);

/** Every variable a bundle may read at import: set for its import only, as Lambda sets a function's own. */
const FUNCTION_VARIABLES = /^(BAKESHIFT_|POWERTOOLS_SERVICE_NAME$)/;

/**
 * A stand-in for Lambda's runtime, which moto does not have (it runs functions only in Docker): each function of
 * the stack deployed into moto runs in this process from the bundle `cdk synth` built (its asset's index.mjs,
 * the bytes uploaded to moto), imported on its first invocation with the environment moto holds for it (a cold
 * start). One runtime for the run's one deployed stack: Node loads each bundle once.
 */
export class LambdaRuntime {
  private readonly functions = new Map<string, DeployedFunction>();
  private readonly handlers = new Map<string, Promise<Handler>>();
  private importing: Promise<unknown> = Promise.resolve();
  readonly invocations: { name: string; at: number }[] = [];

  constructor(
    private readonly motoEndpoint: string,
    synthesized: Synthesized,
    stack: DeployedStack,
  ) {
    for (const [logicalId, resource] of Object.entries(synthesized.template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const properties = resource.Properties as {
        Description: string;
        Timeout: number;
        Code: { S3Key: string };
      };
      const name = properties.Description.replace(/^bakeshift /, '');
      const functionName = stack.physicalIds[logicalId];
      if (!functionName) throw new Error(`moto created no function for ${logicalId}`);
      this.functions.set(name, {
        name,
        functionName,
        bundle: join(synthesized.outdir, `asset.${properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs'),
        timeoutSeconds: properties.Timeout,
      });
    }
  }

  /** The catalog's name of a function moto knows by `nameOrArn`, if it is one of the stack's. */
  nameOf(nameOrArn: string): string | undefined {
    const functionName = nameOrArn.split(':function:').at(-1)?.split(':')[0] ?? nameOrArn;
    for (const fn of this.functions.values())
      if (fn.functionName === functionName || fn.name === functionName) return fn.name;
    return undefined;
  }

  functionNameOf(name: string): string {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function ${name} in the stack`);
    return fn.functionName;
  }

  /**
   * Imports every function now, one at a time, each with its own environment (a cold start): nothing else in
   * this process changes the environment meanwhile (the operator's CLI runs with a person's credentials in it).
   */
  async warm(): Promise<void> {
    for (const fn of this.functions.values()) await this.handlerOf(fn);
  }

  /** Invokes a function of the stack by its catalog name, as Lambda would (JSON in, JSON out). */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function ${name} in the stack`);
    const handler = await this.handlerOf(fn);
    this.invocations.push({ name, at: Date.now() });
    const result = await runAsFunction(name, () =>
      handler(JSON.parse(JSON.stringify(event ?? null)), localLambdaContext(name, fn.timeoutSeconds)),
    );
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  }

  private handlerOf(fn: DeployedFunction): Promise<Handler> {
    let loading = this.handlers.get(fn.name);
    if (!loading) {
      // One import at a time: each runs with its own function's environment.
      loading = this.importing.then(() => this.coldStart(fn));
      this.importing = loading.catch(() => undefined);
      this.handlers.set(fn.name, loading);
    }
    return loading;
  }

  private async coldStart(fn: DeployedFunction): Promise<Handler> {
    const lambda = new LambdaClient(motoClientConfig(this.motoEndpoint));
    const { Environment } = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: fn.functionName }),
    );
    const variables = { ...Environment?.Variables };
    // The deployed functions log at INFO: the suite keeps its output to the test reports.
    delete variables.POWERTOOLS_LOG_LEVEL;
    delete variables.NODE_OPTIONS;
    const saved = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => FUNCTION_VARIABLES.test(k))
        .map((k) => [k, process.env[k]]),
    );
    for (const key of Object.keys(saved)) delete process.env[key];
    Object.assign(process.env, variables);
    try {
      const module = loadAsLambdaDoes(fn.bundle) as { handler?: Handler };
      if (typeof module.handler !== 'function') throw new Error(`${fn.bundle} exports no handler`);
      return module.handler;
    } finally {
      for (const key of Object.keys(variables)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }
}
