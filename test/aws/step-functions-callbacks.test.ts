import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StepFunctionsCallbacks } from '../../aws/callbacks/step-functions-callbacks.js';

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

describe('Step Functions callbacks', () => {
  it('resumes a waiting Task with its output as JSON', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    await new StepFunctionsCallbacks(new SFNClient({ region: 'us-east-1' })).succeed('token-1', {
      imageId: 'ami-1',
      reused: false,
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"imageId":"ami-1","reused":false}',
    });
  });

  it('fails a waiting Task with the named error, within Step Functions’ length limits', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await new StepFunctionsCallbacks(new SFNClient({ region: 'us-east-1' })).fail(
      'token-2',
      'BakeFailed',
      'x'.repeat(40_000),
    );
    const input = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ taskToken: 'token-2', error: 'BakeFailed' });
    expect(input?.cause).toHaveLength(32_768);
  });
});
