import type { LambdaRuntime } from './lambda-runtime.js';
import type { AwsAnswer, FrontLayer } from './moto-front.js';

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

/** A function the test defines (e.g. an environment's pre-traffic test function), by its name in moto. */
export type TestFunction = (event: unknown) => Promise<unknown>;

/**
 * Lambda's Invoke, which moto answers only by running the function in Docker: for the stack's functions the
 * deployed bundle runs in this process (LambdaRuntime); for the test's own functions (created in moto with
 * CreateFunction) the test's handler runs. An error is answered as Lambda does: 200 with X-Amz-Function-Error.
 */
export function lambdaInvokeLayer(
  runtime: LambdaRuntime,
  testFunctions: Map<string, TestFunction>,
): FrontLayer {
  return async (call, next) => {
    const match = call.service === 'lambda' && call.method === 'POST' ? INVOKE.exec(call.url) : null;
    if (!match?.[1]) return next(call);
    const target = decodeURIComponent(match[1]);
    const name = runtime.nameOf(target);
    const own = testFunctions.get(target.split(':function:').at(-1) ?? target);
    if (!name && !own) return next(call);
    const event = JSON.parse(call.body.toString('utf8') || 'null') as unknown;
    try {
      const result = name ? await runtime.invoke(name, event) : await own?.(event);
      return answer(200, result ?? null, {});
    } catch (failure) {
      const error = failure as Error;
      return answer(
        200,
        { errorType: error.name, errorMessage: error.message },
        { 'x-amz-function-error': 'Unhandled' },
      );
    }
  };
}

const answer = (status: number, value: unknown, headers: Record<string, string>): AwsAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...headers },
  body: Buffer.from(JSON.stringify(value), 'utf8'),
});
