import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { functionUrlClient } from './function-url-client.js';

/**
 * The clients the operator's interface uses on AWS, with the operator's own credentials (the SDK's default
 * provider chain: environment, `AWS_PROFILE`, SSO, instance role) in the target's region.
 */
export function awsOperatorClients(region: string | undefined) {
  const options = region ? { region } : {};
  const s3 = new S3Client(options);
  return {
    region: async () => region ?? (await s3.config.region()),
    s3,
    sfn: new SFNClient(options),
    dynamo: new DynamoDBClient(options),
    ssm: new SSMClient(options),
    logs: new CloudWatchLogsClient(options),
    cloudWatch: new CloudWatchClient(options),
    lambda: new LambdaClient(options),
    autoScaling: new AutoScalingClient(options),
    elb: new ElasticLoadBalancingV2Client(options),
    signedPost: async (url: string, body: unknown) =>
      functionUrlClient(region ?? (await s3.config.region()))(url, body),
  };
}
export type AwsOperatorClients = ReturnType<typeof awsOperatorClients>;
