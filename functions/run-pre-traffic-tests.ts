import { PreTrafficTestFailed } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { WithGreen } from './commons/flow-state.js';

/**
 * Green is healthy and on the preview listener only: its pre-traffic tests run against the preview endpoint
 * before any approval or shift. The results go into the record; any failure fails the step, naming the test
 * and what it saw, and compensation removes green before a single request reached it.
 */
export const createRunPreTrafficTests = (ports: Pick<Ports, 'preTraffic' | 'store'>) =>
  defineTask(
    { name: 'RunPreTrafficTests', input: WithGreen, deploymentIdOf: (i) => i.deploymentId },
    async ({ plan, green }) => {
      const tests = plan.settings.preTraffic;
      if (!tests) return { passed: 0 };
      if (!green.previewUrl) throw new PreTrafficTestFailed('green has no preview endpoint to test');
      const results = await ports.preTraffic.run({ ...plan, previewUrl: green.previewUrl, tests });
      await ports.store.updateDeployment(plan.deploymentId, { preTrafficResults: results });
      const failed = results.filter((r) => !r.passed);
      if (failed.length)
        throw new PreTrafficTestFailed(failed.map((r) => `${r.name}: ${r.detail}`).join('; '));
      return { passed: results.length };
    },
  );
