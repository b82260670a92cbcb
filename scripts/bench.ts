process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Imported after the log level is set: Powertools reads it when the logger is created.
const { transitionsOfPlainDeployment, USD_PER_TRANSITION } = await import(
  '../test/support/measure-transitions.js'
);
const { runDemo } = await import('../local/demo/run-demo.js');
const { fleetApiCalls } = await import('../test/support/aws-world.js');
const { startLocalDynamoDb } = await import('../local/store/local-dynamodb.js');
const { measureFunctionBundles } = await import('./bench/measure-function-bundles.js');
const { runAwsOracles } = await import('../test/support/aws-oracles/run-aws-oracles.js');
const { measureLiveLatencyDuringBake } = await import('./bench/live-latency-during-bake.js');
const { measureConsole } = await import('./bench/console-paint.js');
const { measureAnalysis } = await import('./bench/analysis-figures.js');
const { describeRules } = await import('./bench/analysis/describe-rules.js');
const { measureDataPlane } = await import('./bench/data-plane-throughput.js');
const INIT_TARGET_MS = 150;

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) console.log(line);
};

log('bakeshift bench');

log('- state transitions of a plain all-at-once deployment replacing blue (no approval, 1-minute bake)…');
const stateTransitions = await transitionsOfPlainDeployment(1);
const longBake = await transitionsOfPlainDeployment(30);
const costUsd = stateTransitions * USD_PER_TRANSITION;
log(
  `  ${stateTransitions} transitions (a 30-minute bake: ${longBake}) = $${costUsd.toFixed(5)} per deployment`,
);

log("- AWS API calls of a deployment replacing blue, from green's launch on, on the simulated cloud…");
const dynamo = await startLocalDynamoDb();
const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
const apiCalls = {
  fleet2: total(await fleetApiCalls(dynamo, 2)),
  fleet200: total(await fleetApiCalls(dynamo, 200)),
};
log(`  fleet of 2: ${apiCalls.fleet2} calls; fleet of 200: ${apiCalls.fleet200} calls`);

log("- the AWS oracles: every function's calls against AWS's IAM authorization data and API models…");
const oracles = await runAwsOracles(dynamo);
const awsOracles = oracles.summary;
log(`  ${awsOracles}`);
await dynamo.close();

log(
  `- each Lambda function bundled as the CDK app does, and its import (cold init) time on Node ${process.versions.node} (median of 5 fresh processes; target ≤ ${INIT_TARGET_MS} ms)…`,
);
const functions = await measureFunctionBundles(log);
const slowest = functions.reduce((a, b) => (b.initMs > a.initMs ? b : a));
log(
  `  slowest: ${slowest.name} ${slowest.initMs} ms; over target: ${
    functions
      .filter((f) => f.initMs > INIT_TARGET_MS)
      .map((f) => f.name)
      .join(', ') || 'none'
  }`,
);

log(
  '- local mode under load (50 keep-alive connections): 1.0.0, then 2.0.0, then 4.0.0 which breaks (503 on every path) after the shift…',
);
const KEEP_WARM_SECONDS = 12;
const DRAIN_SECONDS = 2;
const demo = await runDemo({
  staging: { keepBlueWarmSeconds: KEEP_WARM_SECONDS, drainSeconds: DRAIN_SECONDS },
  connections: 50,
  log: () => undefined,
  plan: [
    { version: '1.0.0', expect: 'succeeded' },
    { version: '2.0.0', expect: 'succeeded' },
    { version: '4.0.0', expect: 'rolled_back' },
  ],
});
const [, cutoverRun, rollbackRun] = demo.deployments;
if (!cutoverRun || !rollbackRun) throw new Error('the local run did not complete');
// Deploy wall time minus what the app and the configuration take: bake (incl. the bake command), app start to
// healthy, and the configured holds (keep-warm, drain).
const phase = (name: string) => (cutoverRun.phases[name] ?? 0) * 1000;
const overheadMs = Math.round(
  cutoverRun.durationMs - phase('bake') - phase('health') - (KEEP_WARM_SECONDS + DRAIN_SECONDS) * 1000,
);
log(
  `  cutover 1.0.0 → 2.0.0: ${cutoverRun.requests} requests, ${cutoverRun.failedRequests} failed, ${demo.cutoverMs} ms to all-green`,
);
// 4.0.0's users see its failures from its break until traffic is back on 2.0.0: how long that took.
const [firstFailure] = rollbackRun.failuresSentBetween ?? [];
const failingForMs =
  firstFailure !== undefined && rollbackRun.shiftedBackAt !== undefined
    ? rollbackRun.shiftedBackAt - firstFailure
    : undefined;
log(
  `  rollback after the shift (4.0.0 → back to 2.0.0): ${rollbackRun.requests} requests, ${rollbackRun.failedRequests} failed (${JSON.stringify(rollbackRun.failedBy)}), ${failingForMs ?? '–'} ms from its first failure to the shift back`,
);
log(`  requests the load balancer retried on another target (each a 502 on an ALB): ${demo.retriedRequests}`);
log(`  orchestration overhead of the 2.0.0 deployment: ${overheadMs} ms (of ${cutoverRun.durationMs} ms)`);

log(
  '- the live service under 50 connections (load from its own thread), idle and while a 256 MiB release is baked…',
);
const liveLatencyDuringBake = await measureLiveLatencyDuringBake();
log(
  `  p99 ${liveLatencyDuringBake.p99IdleMs} ms idle, ${liveLatencyDuringBake.p99BakingMs} ms while baking (max ${liveLatencyDuringBake.maxBakingMs} ms; bake ${liveLatencyDuringBake.bakeMs} ms)`,
);

log(
  '- the local data plane: one instance directly, the listener and nginx in front of two, alternately in one run (target: the listener ≥ 0.25 × direct), then the listener and nginx at one equal rate…',
);
const dataPlane = await measureDataPlane();
log(
  `  listener ${dataPlane.listenerRps} req/s (p99 ${dataPlane.listenerP99Ms} ms), one instance direct ${dataPlane.directRps} req/s (p99 ${dataPlane.directP99Ms} ms): ${dataPlane.ratio} × direct; load average ${dataPlane.loadAverage}; ${dataPlane.generator}`,
);
log(
  'unavailable' in dataPlane.nginx
    ? `  nginx: ${dataPlane.nginx.unavailable}`
    : `  nginx in front of the same two ${dataPlane.nginx.rps} req/s (p99 ${dataPlane.nginx.p99Ms} ms): the listener makes ${dataPlane.nginx.listenerShare} × nginx (target ≥ 0.5)`,
);
if (!('unavailable' in dataPlane.atEqualRate)) {
  const equal = dataPlane.atEqualRate;
  log(
    `  at one offered rate (${equal.offeredRps} req/s, half nginx's maximum): listener ${equal.listenerRps} req/s p99 ${equal.listenerP99Ms} ms, nginx ${equal.nginxRps} req/s p99 ${equal.nginxP99Ms} ms`,
  );
}

log('- the web console in headless Chromium: first meaningful paint, and a live update after an event…');
const webConsole = await measureConsole();
log(
  `  first meaningful paint ${webConsole.firstMeaningfulPaintMs} ms; live updates ${webConsole.liveUpdateMs.join(', ')} ms after their events`,
);

log(
  '- analysis under 50 connections: a version failing 5 % of requests, then 20 good ones (10 % for 5 s first)…',
);
const analysis = await measureAnalysis();
log(
  `  the bad version failed ${analysis.badVersionFailedRequests} requests, rolled back ${analysis.detectedAfterMs} ms after its shift began; ${analysis.falseRollbacks} of ${analysis.goodDeployments} good versions rolled back`,
);
log('  the three rules on the same simulated traffic (1,000 good deployments, 200 per bad scenario):');
for (const line of describeRules(analysis.rules)) log(`    ${line}`);

const figures = {
  stateTransitions,
  stateTransitionsLongBake: longBake,
  stepFunctionsUsdPerDeployment: Number(costUsd.toFixed(6)),
  cutover: { requests: cutoverRun.requests, failed: cutoverRun.failedRequests, ms: demo.cutoverMs },
  retriedRequests: demo.retriedRequests,
  rollback: {
    requests: rollbackRun.requests,
    failed: rollbackRun.failedRequests,
    failedBy: rollbackRun.failedBy,
    failingForMs,
  },
  overheadMs,
  apiCalls,
  awsOracles,
  functions,
  liveLatencyDuringBake,
  dataPlane,
  console: webConsole,
  analysis,
};
if (json) console.log(JSON.stringify(figures));
