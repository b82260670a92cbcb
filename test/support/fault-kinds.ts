import type { InjectedFault } from './fake-world.js';

/** The ways the fault matrices make a Task fail, and the fault each injects into the state. */
export const FAULTS = {
  'fails before its work': (stateName: string): InjectedFault => ({ stateName, when: 'before' }),
  'fails after its work': (stateName: string): InjectedFault => ({ stateName, when: 'after' }),
  // Lambda's own transient error, once, after the work: the retry repeats work already done.
  'fails once after its work, transiently': (stateName: string): InjectedFault => ({
    stateName,
    when: 'after',
    times: 1,
    error: 'Lambda.ServiceException',
  }),
  // What Step Functions reports when a Task outlives its TimeoutSeconds; the Lambda may have done its work.
  'times out': (stateName: string): InjectedFault => ({ stateName, when: 'after', error: 'States.Timeout' }),
} as const;
export type FaultKind = keyof typeof FAULTS;
export const FAULT_KINDS = Object.keys(FAULTS) as FaultKind[];
export const TRANSIENT: FaultKind = 'fails once after its work, transiently';
