import type { Hono } from 'hono';
import type { Operations } from '../../../core/operations/operations.js';
import { actionOutcome } from '../views/actions.js';

/**
 * What a person can change from the console, each through the Operations port as the CLI does (so with the
 * same authorization: the local API's owner, or the caller's IAM identity on AWS): approve or reject, roll
 * back, promote. Every answer replaces its buttons: what was started, or why nothing was.
 */
export function actionRoutes(app: Hono, operations: Operations, approverName: () => Promise<string>) {
  const attempt = async (run: () => Promise<{ text: string; deploymentId?: string }>) => {
    try {
      return actionOutcome(await run());
    } catch (error) {
      return actionOutcome({ refused: (error as Error).message });
    }
  };

  app.post('/deployments/:id/decision', async (c) => {
    const form = await c.req.parseBody();
    const deploymentId = c.req.param('id');
    return c.html(
      attempt(async () => {
        const { outcome } = await operations.decide({
          deploymentId,
          approve: form.approve === 'true',
          by: await approverName(),
        });
        return { text: `${outcome}:`, deploymentId };
      }),
    );
  });

  app.post('/rollbacks/:service/:environment', async (c) => {
    const { service, environment } = c.req.param();
    return c.html(
      attempt(async () => {
        const result = await operations.rollback({ service, environment, requestedBy: await approverName() });
        return result.kind === 'traffic-shift'
          ? { text: 'traffic is back on the previous version:', deploymentId: result.deploymentId }
          : { text: `rolling back to ${result.version}:`, deploymentId: result.deploymentId };
      }),
    );
  });

  app.post('/promotions/:service/:from/:to', async (c) => {
    const { service, from, to } = c.req.param();
    return c.html(
      attempt(async () => {
        const result = await operations.promote({ service, from, to, requestedBy: await approverName() });
        return { text: `promoting ${result.version} to ${to}:`, deploymentId: result.deploymentId };
      }),
    );
  });
}
