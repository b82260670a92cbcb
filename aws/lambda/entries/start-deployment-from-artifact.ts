import { createStartDeploymentFromArtifact } from '../../../functions/start-deployment-from-artifact.js';
import { awsStarter } from '../aws-ports.js';

export const handler = createStartDeploymentFromArtifact({ starter: awsStarter() });
