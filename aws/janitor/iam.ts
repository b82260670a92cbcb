import { EC2_BAKER_IAM } from '../baker/iam.js';
import type { IamStatement } from '../commons/iam-statement.js';
import { AUTO_SCALING_FLEETS_IAM } from '../fleets/iam.js';

/** The janitor lists and removes what the baker and the fleets create: it needs what they need, nothing more. */
export const AWS_JANITOR_IAM: IamStatement[] = [...EC2_BAKER_IAM, ...AUTO_SCALING_FLEETS_IAM];
