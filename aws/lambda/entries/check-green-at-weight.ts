import { createCheckGreenAtWeight } from '../../../functions/check-green-at-weight.js';
import { awsHealth } from '../aws-ports.js';

export const handler = createCheckGreenAtWeight({ health: awsHealth() });
