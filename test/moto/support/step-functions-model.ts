import { COMMON_ERRORS } from '../../support/aws-oracles/api-oracle.js';
import { modeledErrorsOf, modelValidator, operationOf } from '../../support/aws-oracles/botocore-models.js';
import type { AwsAnswer } from './moto-front.js';

/**
 * Where the Step Functions stand-in's answers differ from AWS's model of them (botocore's, with aws-sdk v2's
 * validator, as the API oracle reads it): an answer's members, types, enums, lengths and patterns; an error's
 * name among those the operation can raise. Empty when every answer is one AWS could give.
 */
export function stepFunctionsAnswerProblems(answers: { action: string; answer: AwsAnswer }[]): string[] {
  const problems: string[] = [];
  for (const { action, answer } of answers) {
    const operation = operationOf('states', action);
    if (!operation) {
      problems.push(`${action}: no such operation in Step Functions' model`);
      continue;
    }
    const body = JSON.parse(answer.body.toString('utf8') || '{}') as Record<string, unknown>;
    if (answer.status !== 200) {
      const name = String(body.__type ?? '');
      const modeled = modeledErrorsOf('states', action) ?? [];
      if (!modeled.includes(name) && !COMMON_ERRORS.has(name))
        problems.push(`${action}: error ${name} is not one the model lists (${modeled.join(', ')})`);
      continue;
    }
    try {
      modelValidator().validate(operation.output ?? { type: 'structure', members: {} }, body, 'response');
    } catch (error) {
      problems.push(`${action}: ${(error as Error).message}`);
    }
  }
  return problems;
}
