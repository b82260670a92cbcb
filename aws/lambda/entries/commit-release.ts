import { systemClock } from '../../../core/ports/clock.js';
import { createCommitRelease } from '../../../functions/commit-release.js';
import { awsStore } from '../aws-ports.js';

export const handler = createCommitRelease({ store: awsStore(), clock: systemClock });
