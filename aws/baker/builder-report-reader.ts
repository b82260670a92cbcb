import { type EC2Client, GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsSettings } from '../commons/aws-settings.js';
import { type BuilderReport, parseBuilderReport } from './builder-report.js';

/** Where a bake's builder PUTs its report: the object whose creation is one of the bake's events. */
export function resultKey(prefix: string, bakeId: string): string {
  return `${prefix}${bakeId}.json`;
}

/** The builder's report, read where it wrote it: the result object in S3, or its console. */
export class BuilderReportReader {
  constructor(
    private readonly clients: { ec2: EC2Client; s3: S3Client },
    private readonly settings: AwsSettings,
  ) {}

  /** The report in S3, or undefined while there is none. */
  async fromResultObject(bakeId: string): Promise<BuilderReport | undefined> {
    const provider = await this.settings.provider();
    try {
      const { Body } = await withAwsErrors('GetObject (bake result)', () =>
        this.clients.s3.send(
          new GetObjectCommand({
            Bucket: provider.artifactBucket,
            Key: resultKey(provider.bakeResultsPrefix, bakeId),
          }),
        ),
      );
      return parseBuilderReport((await Body?.transformToString()) ?? '');
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /**
   * The report as the builder also wrote it to its console: the one that counts when the presigned PUT failed
   * (its URL dies with the temporary credentials that signed it). EC2 keeps a stopped instance's console.
   */
  async fromConsole(instanceId: string): Promise<BuilderReport | undefined> {
    const { Output } = await withAwsErrors('GetConsoleOutput', () =>
      this.clients.ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true })),
    );
    const text = Buffer.from(Output ?? '', 'base64').toString('utf8');
    const encoded = [...text.matchAll(/BAKESHIFT-REPORT ([A-Za-z0-9+/=]+)/g)].at(-1)?.[1];
    if (!encoded) return undefined;
    return parseBuilderReport(Buffer.from(encoded, 'base64').toString('utf8'));
  }
}
