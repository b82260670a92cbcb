import type { MotoShim } from './index.js';

/**
 * A bucket's EventBridge notifications: moto keeps them (and its own S3 notifications use them) but leaves them
 * out of GetBucketNotificationConfiguration. The front remembers which buckets turned them on and says so.
 */
export const bucketNotificationEventBridge = (): MotoShim => {
  const enabled = new Set<string>();
  return {
    operation: 's3:GetBucketNotificationConfiguration',
    moto: {
      source:
        'moto/s3/responses.py:1358-1369 (get_bucket_notification answers Topic, Queue and LambdaFunction configurations only; the EventBridge one kept at moto/s3/models.py:1047 is never answered)',
      does: 'a bucket with EventBridge notifications on answers an empty NotificationConfiguration',
    },
    aws: {
      reference:
        'https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html',
      says: 'EventBridgeConfiguration: Enables delivery of events to Amazon EventBridge.',
    },
    layer: async (call, next) => {
      const url = new URL(call.url, 'http://front');
      if (call.service !== 's3' || !url.searchParams.has('notification')) return next(call);
      const bucket = url.pathname.slice(1).split('/')[0] ?? '';
      const answer = await next(call);
      if (answer.status !== 200) return answer;
      if (call.method === 'PUT') {
        if (call.body.toString('utf8').includes('EventBridgeConfiguration')) enabled.add(bucket);
        else enabled.delete(bucket);
        return answer;
      }
      if (call.method !== 'GET' || !enabled.has(bucket)) return answer;
      const xml = answer.body.toString('utf8');
      const withEvents = xml.includes('</NotificationConfiguration>')
        ? xml.replace(
            '</NotificationConfiguration>',
            '<EventBridgeConfiguration/></NotificationConfiguration>',
          )
        : xml.replace(
            /<NotificationConfiguration([^>]*)\/>/,
            '<NotificationConfiguration$1><EventBridgeConfiguration/></NotificationConfiguration>',
          );
      return { ...answer, body: Buffer.from(withEvents, 'utf8') };
    },
  };
};
