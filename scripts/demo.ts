/**
 * `npm run demo` (`-- --json` for one JSON object on the last line): the main job in local mode. Starts a
 * control plane, deploys hello v1, then under steady load (50 keep-alive connections) v2 by blue/green, then the
 * broken v3, which rolls back by itself while v2 keeps serving. Exits non-zero if a request failed or an outcome
 * is not the expected one; leaves no process behind, also on Ctrl-C.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { runDemo } = await import('../local/demo/run-demo.js');

const json = process.argv.includes('--json');
const say = (line: string) => {
  if (!json) console.log(line);
};
const plan = [
  { version: '1.0.0', expect: 'succeeded' },
  { version: '2.0.0', expect: 'succeeded' },
  { version: '3.0.0', expect: 'rolled_back' },
] as const;

// Ctrl-C stops every instance before exiting (each instance also stops by itself when this process is gone).
type Stoppable = { stop(): Promise<void> };
let controlPlane: Stoppable | undefined;
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('interrupted: stopping instances…');
  const stopped = controlPlane?.stop() ?? Promise.resolve();
  const timeout = new Promise((resolve) => setTimeout(resolve, 10_000));
  void Promise.race([stopped, timeout]).finally(() => process.exit(130));
});

say('bakeshift demo: local mode (real processes, an HTTP load balancer, DynamoDB API via dynalite)');
const result = await runDemo({
  plan: plan.map((p) => ({ ...p })),
  connections: 50,
  log: say,
  onStarted: (started) => {
    controlPlane = started;
  },
});
const outcomesOk = plan.every((p, i) => result.deployments[i]?.outcome === p.expect);

say('');
say('summary');
for (const d of result.deployments) {
  const phases = Object.entries(d.phases)
    .map(([phase, s]) => `${phase} ${s.toFixed(1)}s`)
    .join(', ');
  say(
    `  ${d.version}: ${d.outcome} in ${(d.durationMs / 1000).toFixed(1)}s (${phases})${d.cause ? `\n          cause: ${d.cause}` : ''}`,
  );
}
say(
  `  requests sent under load: ${result.requests}, failed: ${result.failedRequests}; retried by the load balancer on another target (502s on an ALB): ${result.retriedRequests}`,
);
say(
  `  cutover 1.0.0 → 2.0.0: ${result.cutoverMs} ms from the load balancer’s switch until every new request was answered by 2.0.0`,
);
say(`  serving at the end: ${JSON.stringify(result.servedAtEnd)}`);
if (result.failedRequests > 0) say(`  failures: ${result.failureSamples.join('; ')}`);
say(
  outcomesOk && result.failedRequests === 0
    ? 'OK: zero failed requests, every outcome as expected'
    : 'FAILED',
);

if (json) {
  console.log(
    JSON.stringify({
      deployments: result.deployments.map(({ version, outcome, durationMs, phases, cause }) => ({
        version,
        outcome,
        durationMs,
        phases,
        cause,
      })),
      requests: result.requests,
      failedRequests: result.failedRequests,
      retriedRequests: result.retriedRequests,
      cutoverMs: result.cutoverMs,
      servedAtEnd: result.servedAtEnd,
    }),
  );
}
process.exitCode = outcomesOk && result.failedRequests === 0 ? 0 : 1;
