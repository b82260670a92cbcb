import { spawn } from 'node:child_process';
import { type CheckedResponse, type HttpCheck, judgeCheck } from '../../core/analysis/http-check.js';
import type { PreTrafficResult } from '../../core/deployment/deployment-record.js';
import { ConfigInvalid } from '../../core/errors.js';
import type { PreTrafficRun, PreTrafficTests } from '../../core/ports/pre-traffic-tests.js';

/** How much of a command's output a result keeps (its end: where the failure usually is). */
const OUTPUT_TAIL = 2000;

async function request(previewUrl: string, check: HttpCheck, deadline: number): Promise<CheckedResponse> {
  const started = performance.now();
  const response = await fetch(new URL(check.path, previewUrl), {
    method: check.method,
    headers: check.headers,
    ...(check.body !== undefined ? { body: check.body } : {}),
    signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
  });
  const body = await response.text();
  return { status: response.status, body, latencyMs: performance.now() - started };
}

/**
 * The command, in a shell of its own process group, with the preview URL and the deployment's identity; at the
 * deadline the whole group is killed (a shell's children too), and the test fails.
 */
function runCommand(command: string, run: PreTrafficRun, deadline: number): Promise<PreTrafficResult> {
  const env = {
    ...process.env,
    PREVIEW_URL: run.previewUrl,
    BAKESHIFT_DEPLOYMENT_ID: run.deploymentId,
    BAKESHIFT_SERVICE: run.service,
    BAKESHIFT_ENVIRONMENT: run.environment,
    BAKESHIFT_VERSION: run.version,
  };
  const timeout = Math.max(1, deadline - Date.now());
  const child = spawn('/bin/sh', ['-c', command], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, timeout);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const how = killed
        ? `killed after ${Math.round(timeout / 1000)} s (the pre-traffic timeout)`
        : `exited with ${code ?? signal}`;
      const text = output.trim();
      resolve({ name: 'command', passed: !killed && code === 0, detail: text ? `${how}: ${text}` : how });
    });
  });
}

/**
 * Pre-traffic tests on this machine: each HTTP check against green's preview listener, then the command, all
 * within the run's timeout (what is still running then fails). A `function` is AWS's and is refused here.
 */
export class LocalPreTrafficTests implements PreTrafficTests {
  async run(run: PreTrafficRun): Promise<PreTrafficResult[]> {
    if (run.tests.function && !run.tests.checks.length && !run.tests.command)
      throw new ConfigInvalid('preTraffic.function runs on AWS only: locally give checks or a command');
    const deadline = Date.now() + run.tests.timeoutSeconds * 1000;
    const results: PreTrafficResult[] = [];
    for (const check of run.tests.checks) {
      const result = await request(run.previewUrl, check, deadline).then(
        (response) => judgeCheck(check, response),
        (error: Error) => ({
          name: check.name,
          passed: false,
          detail: `${check.method} ${check.path}: ${error.message}`,
        }),
      );
      results.push(result);
    }
    if (run.tests.command) results.push(await runCommand(run.tests.command, run, deadline));
    return results;
  }
}
