import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * The S3 client the baker signs its builder's URLs with. Since SDK 3.729 the default checksums
 * (requestChecksumCalculation WHEN_SUPPORTED) sign the CRC32 of the body known at signing time into a presigned
 * PUT: with no body yet, the empty body's (`x-amz-checksum-crc32=AAAAAA==`), so the URL claims a body the
 * builder's report is not, and stores that check it refuse the upload (aws-sdk-js-v3#6994). PutObject requires no
 * checksum: WHEN_REQUIRED signs none.
 */
export function presigningS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ ...config, requestChecksumCalculation: 'WHEN_REQUIRED' });
}

/** The body checksum a presigned URL claims (`x-amz-checksum-<algorithm>`), if any: the builder has no body yet. */
export function claimedChecksum(url: string): string | undefined {
  return [...new URL(url).searchParams.keys()].find(
    (name) => /^x-amz-(sdk-)?checksum-/i.test(name) && name.toLowerCase() !== 'x-amz-checksum-mode',
  );
}
