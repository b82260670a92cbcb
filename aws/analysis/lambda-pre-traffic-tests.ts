import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { PreTrafficResult } from '../../core/deployment/deployment-record.js';
import { ConfigInvalid } from '../../core/errors.js';
import type { PreTrafficRun, PreTrafficTests } from '../../core/ports/pre-traffic-tests.js';
import { withAwsErrors } from '../commons/aws-errors.js';

/** What the tests function answers: whether green passed, and optionally each test's result or its output. */
interface FunctionAnswer {
  passed?: unknown;
  results?: PreTrafficResult[];
  output?: unknown;
}

/**
 * Pre-traffic tests on AWS: the environment's function (in the VPC, where the preview listener is) invoked with
 * the preview URL, the deployment's identity and the checks, within the run's timeout (CodeDeploy's hook model).
 */
export class LambdaPreTrafficTests implements PreTrafficTests {
  constructor(private readonly lambda: LambdaClient) {}

  async run(run: PreTrafficRun): Promise<PreTrafficResult[]> {
    const name = run.tests.function;
    if (!name)
      throw new ConfigInvalid(
        `${run.service}/${run.environment}: preTraffic on AWS runs in a function (the preview listener is reachable only inside the VPC): name it in preTraffic.function`,
      );
    const { previewUrl, deploymentId, service, environment, version } = run;
    const payload = { previewUrl, deploymentId, service, environment, version, checks: run.tests.checks };
    const answer = await withAwsErrors(`Invoke ${name}`, () =>
      this.lambda.send(
        new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
        {
          abortSignal: AbortSignal.timeout(run.tests.timeoutSeconds * 1000),
        },
      ),
    ).catch((error: Error) => error);
    if (answer instanceof Error)
      return [
        {
          name,
          passed: false,
          detail:
            answer.name === 'AbortError' || answer.name === 'TimeoutError'
              ? `no answer within ${run.tests.timeoutSeconds} s (the pre-traffic timeout)`
              : `${answer.name}: ${answer.message}`,
        },
      ];
    const body = JSON.parse(new TextDecoder().decode(answer.Payload ?? new Uint8Array()) || 'null') as
      | (FunctionAnswer & { errorType?: string; errorMessage?: string })
      | null;
    if (answer.FunctionError || !body)
      return [
        {
          name,
          passed: false,
          detail: `${body?.errorType ?? 'FunctionError'}: ${body?.errorMessage ?? 'no result'}`,
        },
      ];
    if (Array.isArray(body.results) && body.results.length) return body.results;
    return [
      {
        name,
        passed: body.passed === true,
        detail: String(body.output ?? (body.passed === true ? 'passed' : 'failed')),
      },
    ];
  }
}
