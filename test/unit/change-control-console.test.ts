import { describe, expect, it } from 'vitest';
import { consoleApp } from '../../operator/console/console-app.js';
import { recordingOperations } from '../support/fakes/recording-operations.js';

const freeze = {
  service: '*',
  environment: 'prod',
  until: '2026-12-27T08:00:00.000Z',
  reason: 'holiday <sales>',
  by: 'carol',
  at: '2026-12-01T00:00:00.000Z',
};
const figures = {
  service: 'web',
  environment: 'prod',
  since: '2026-11-01T00:00:00.000Z',
  until: '2026-12-01T00:00:00.000Z',
  deployments: 12,
  deploymentsPerDay: 0.4,
  leadTimeSeconds: 1500,
  failedChanges: 3,
  changeFailureRate: 0.2,
  timeToRestoreSeconds: 600,
};

/** The console's app in process: logs in with its one-time link, then reads pages with the session cookie. */
async function loggedIn(answers: Parameters<typeof recordingOperations>[0]) {
  const { app, sessions } = consoleApp({
    operations: recordingOperations(answers).operations,
    target: 'local (test)',
    origin: 'http://127.0.0.1',
    approverName: async () => 'alice',
    pollMs: 1000,
  });
  const login = await app.request(`http://127.0.0.1${sessions.loginPath()}`);
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  return (path: string) => app.request(`http://127.0.0.1${path}`, { headers: { cookie } });
}

describe('the console’s change control (operator/console/views/change-control-view.ts)', () => {
  it('shows the freeze banner on every page while a freeze is in force, escaped, and none without', async () => {
    const get = await loggedIn({ freezes: { freezes: [freeze] }, history: [] });
    const page = await (await get('/history/web/prod')).text();
    expect(page).toContain('id="freeze-banner"');
    expect(page).toContain(
      'freeze of every service/prod until 2026-12-27T08:00:00.000Z, by carol: holiday &lt;sales&gt;',
    );
    const calm = await loggedIn({ freezes: { freezes: [] }, history: [] });
    expect(await (await calm('/history/web/prod')).text()).not.toContain('freeze-banner');
  });

  it('lists the freezes and the delivery figures per service and environment', async () => {
    const get = await loggedIn({ freezes: { freezes: [freeze] }, stats: { figures: [figures] } });
    const response = await get('/change-control');
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toMatch(/<ul id="freezes"><li>freeze of every service\/prod/);
    expect(page).toMatch(
      /<td>web<\/td><td>prod<\/td><td>12<\/td>\s*<td>0.40<\/td><td>25 min<\/td>\s*<td>20 % \(3\)<\/td><td>10 min<\/td>/,
    );
  });
});
