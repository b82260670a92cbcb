import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../functions/commons/logger.js';
import type { Ec2ImageBaker } from './ec2-image-baker.js';

type BakeEvent = Parameters<Ec2ImageBaker['bakeIdOfEvent']>[0];

/**
 * The target of the bake events' EventBridge rules (the builder's result object created, the builder stopped,
 * its AMI's state changed): moves that bake one step on, and resumes the waiting Bake Task when it has ended.
 * The Bake Task's own re-check at its timeout is the fallback if an event is lost.
 */
export const createAdvanceBakeOnEvent = (ports: { baker: Ec2ImageBaker }) =>
  middy<BakeEvent, { bakeId?: string; step?: string }>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const bakeId = await ports.baker.bakeIdOfEvent(event);
      if (!bakeId) return {};
      const entry = await ports.baker.advance(bakeId);
      logger.info('bake advanced', { bakeId, step: entry?.step, event: event['detail-type'] });
      return { bakeId, ...(entry ? { step: entry.step } : {}) };
    });
