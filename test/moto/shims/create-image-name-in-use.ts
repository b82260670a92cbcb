import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { queryParams, xmlAnswer } from '../support/moto-front.js';
import { motoClientConfig } from '../support/stack-in-moto.js';
import type { MotoShim } from './index.js';

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * CreateImage with a name one of the account's AMIs already has: EC2 refuses it (InvalidAMIName.Duplicate), moto
 * makes a second AMI of that name. The baker counts on the refusal (two events racing to image one bake: the
 * second adopts the first's image), so the shim refuses as EC2 does. One CreateImage at a time: the check and
 * the creation are one step, as EC2's uniqueness is.
 */
export const createImageNameInUse = (motoEndpoint: string): MotoShim => {
  let creating: Promise<unknown> = Promise.resolve();
  return {
    operation: 'ec2:CreateImage (a name in use)',
    moto: {
      source:
        'moto/ec2/models/amis.py:218-250 (create_image stores a new Ami under a new id without looking at the names of the AMIs it has)',
      does: 'a second AMI of the same name is created',
    },
    aws: {
      reference: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html',
      says: 'InvalidAMIName.Duplicate: The specified AMI name is already in use by another AMI.',
    },
    layer: async (call, next) => {
      if (call.service !== 'ec2' || call.action !== 'CreateImage') return next(call);
      const name = queryParams(call).get('Name') ?? '';
      const turn = creating.then(async () => {
        const { Images = [] } = await new EC2Client(motoClientConfig(motoEndpoint)).send(
          new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }),
        );
        if (Images.length === 0) return next(call);
        return xmlAnswer(
          400,
          `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidAMIName.Duplicate</Code><Message>AMI name ${escapeXml(name)} is already in use by AMI ${Images[0]?.ImageId}</Message></Error></Errors><RequestID>moto-front</RequestID></Response>`,
        );
      });
      creating = turn.catch(() => undefined);
      return turn;
    },
  };
};
