import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BakeRequest } from '../../core/ports/image-baker.js';
import type { AwsProviderSettings } from '../commons/aws-settings.js';
import { resultKey } from './builder-report-reader.js';
import { claimedChecksum } from './presigning-s3-client.js';

/**
 * The builder's two presigned URLs, valid for the bake and a margin: the artifact's GET and its report's PUT,
 * which must claim no body checksum (the report is not written yet: presigning-s3-client.ts).
 */
export async function builderUrls(s3: S3Client, request: BakeRequest, provider: AwsProviderSettings) {
  const expiresIn = Math.min(request.timeoutSeconds + 600, 7 * 24 * 3600);
  const artifactUrl = await getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: request.artifact.bucket,
      Key: request.artifact.key,
      VersionId: request.artifact.versionId,
    }),
    { expiresIn },
  );
  const resultUrl = await getSignedUrl(
    s3,
    new PutObjectCommand({
      Bucket: provider.artifactBucket,
      Key: resultKey(provider.bakeResultsPrefix, request.bakeId),
      ContentType: 'application/json',
    }),
    { expiresIn },
  );
  const claimed = claimedChecksum(resultUrl);
  if (claimed)
    throw new Error(
      `the report URL claims a body checksum (${claimed}): sign it with presigningS3Client (presigning-s3-client.ts)`,
    );
  return { artifactUrl, resultUrl };
}
