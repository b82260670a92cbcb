import fc from 'fast-check';
import { AwsModelWorld, SharedDynamo } from './aws-model-world.js';
import { commandArbitrary, type Model } from './commands.js';
import { FakesModelWorld, type WorldHooks } from './fakes-world.js';
import { coverage, INVARIANTS } from './invariants.js';
import { ModelControlPlane, type Timing } from './model-control-plane.js';
import type { ModelWorld } from './model-world.js';

export type WorldKind = 'fakes' | 'aws';

/** The test file that runs each world (what a failure's reproduce line names). */
export const MODEL_TEST_FILES: Record<WorldKind, string> = {
  fakes: 'test/model/model-over-fakes.test.ts',
  aws: 'test/model/model-over-simulated-cloud.test.ts',
};

export interface ModelRunOptions {
  world: WorldKind;
  runs: number;
  seed: number;
  /** fast-check's replay path of a counterexample (with its seed), to run exactly that history. */
  path?: string;
  maxCommands?: number;
  /** Stops generating histories after this long (the soak's end); the histories run so far count. */
  timeLimitMs?: number;
  /** Called after every history. */
  onHistory?: (done: number) => void;
}

export type ModelRunResult =
  | { failed: false; histories: number; ms: number }
  | { failed: true; histories: number; ms: number; report: string };

/** The engine validates its definition when built (slow); one control plane serves this many histories. */
const HISTORIES_PER_ENGINE = 150;
/** Far from the machine's time, and a day apart per history: names derived from times never repeat. */
const EPOCH = Date.parse('2031-01-01T00:00:00.000Z');
const DAY_MS = 24 * 3600 * 1000;

const TIMING: Record<WorldKind, Timing> = {
  fakes: { quietMs: 100, settleMs: 20_000 },
  aws: { quietMs: 1_000, settleMs: 60_000 },
};

interface Harness {
  plane: ModelControlPlane;
  makeWorld: (history: number) => ModelWorld;
  close: () => Promise<void>;
}

async function harness(kind: WorldKind): Promise<Harness> {
  const shared = kind === 'aws' ? await SharedDynamo.start() : undefined;
  const h: Harness = {
    plane: new ModelControlPlane(TIMING[kind], { janitorAfterEachDeployment: kind === 'fakes' }),
    makeWorld: (history) => {
      const start = EPOCH + history * DAY_MS;
      const hooks: WorldHooks = {
        callbacks: h.plane.tokens,
        removing: (fleetId, how) => h.plane.monitor.removing(fleetId, how),
        gate: (what) => h.plane.scheduler.gate(what),
        during: (work) => h.plane.scheduler.during(work),
      };
      return shared ? new AwsModelWorld(hooks, shared, start) : new FakesModelWorld(hooks, start);
    },
    close: async () => shared?.close(),
  };
  return h;
}

/** Runs one history of commands over a fresh world; throws what it violated. */
async function runHistory(h: Harness, commands: Iterable<fc.AsyncCommand<Model, ModelControlPlane>>) {
  if (h.plane.histories >= HISTORIES_PER_ENGINE) {
    const { timing, options } = h.plane;
    h.plane = new ModelControlPlane(timing, options);
  }
  const plane = h.plane;
  plane.begin((history) => h.makeWorld(history));
  try {
    await fc.asyncModelRun(() => ({ model: { commands: 0 }, real: plane }), commands);
    await plane.finish();
    const { violations } = plane.monitor;
    if (violations.length > 0)
      throw new Error(violations.map((v) => `${INVARIANTS[v.invariant]}:\n  ${v.detail}`).join('\n'));
  } finally {
    await plane.end();
  }
}

/**
 * Generates `runs` histories (fast-check's commands), runs each over a new world and checks the invariants after
 * every command; a failing history is shrunk, run once more to trace it, and reported one command per line.
 */
export async function runModel(options: ModelRunOptions): Promise<ModelRunResult> {
  const started = performance.now();
  coverage.counts.clear();
  const h = await harness(options.world);
  let histories = 0;
  try {
    // On AWS nothing of the control plane crashes and restarts (Step Functions runs on; a Lambda dying mid-step
    // is a fault): a crash and `bakeshift up` are local mode's, whose instances die with it (ADR 37).
    const commands = fc.commands([commandArbitrary({ crash: options.world === 'fakes' })], {
      maxCommands: options.maxCommands ?? 30,
      size: 'max',
    });
    const property = fc.asyncProperty(commands, async (cmds) => {
      try {
        await runHistory(h, cmds);
      } finally {
        histories += 1;
        options.onHistory?.(histories);
      }
    });
    const result = await fc.check(property, {
      seed: options.seed,
      numRuns: options.runs,
      ...(options.path ? { path: options.path } : {}),
      ...(options.timeLimitMs
        ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
        : {}),
    });
    const ms = performance.now() - started;
    if (!result.failed) return { failed: false, histories, ms };
    const [counterexample] = result.counterexample ?? [];
    const report = await describeFailure(h, options, result, counterexample);
    return { failed: true, histories, ms, report };
  } finally {
    await h.close();
  }
}

/** Runs the shrunk history once more, tracing it, and says how to reproduce it. */
async function describeFailure(
  h: Harness,
  options: ModelRunOptions,
  result: fc.RunDetails<[Iterable<fc.AsyncCommand<Model, ModelControlPlane>>]>,
  counterexample: Iterable<fc.AsyncCommand<Model, ModelControlPlane>> | undefined,
): Promise<string> {
  let error =
    result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  let trace: string[] = [];
  if (counterexample) {
    try {
      await runHistory(h, counterexample);
      error = `${error}\n(the history passed when run once more: the failure depends on timing)`;
    } catch (replayed) {
      error = (replayed as Error).message;
    }
    trace = h.plane.trace;
  }
  const commands = trace.filter((line) => !line.startsWith(' ') && !line.startsWith('('));
  return [
    `The model-based test (${options.world}) found a history that breaks an invariant.`,
    `Reproduce: BAKESHIFT_MODEL_SEED=${result.seed} BAKESHIFT_MODEL_PATH=${result.counterexamplePath} npm run test:model -- ${MODEL_TEST_FILES[options.world]}`,
    `Shrunk history (${commands.length} commands, after ${result.numShrinks} shrinks):`,
    ...commands.map((line, n) => `  ${n + 1}. ${line}`),
    'What it broke:',
    ...error.split('\n').map((line) => `  ${line}`),
    'Trace of the shrunk history:',
    ...trace.map((line) => `  ${line}`),
  ].join('\n');
}
