import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which Lambda function an AWS call is made from, as the simulated cloud records it: each function has its own
 * role on AWS, so the IAM oracle must know whose role authorizes each call.
 */
const invoking = new AsyncLocalStorage<string>();

export function runAsFunction<T>(functionName: string, work: () => T): T {
  return invoking.run(functionName, work);
}

export function invokingFunction(): string | undefined {
  return invoking.getStore();
}
