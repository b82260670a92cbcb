import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type ConsoleOptions, consoleApp } from './console-app.js';

/**
 * Serves the console on 127.0.0.1 only. Resolves with its address and the one-time login URL to open (the
 * only way in: see console-session.ts).
 */
export async function startConsole(
  options: Omit<ConsoleOptions, 'origin'> & { port: number },
): Promise<{ url: string; loginUrl: string; close: () => Promise<void> }> {
  let app: ReturnType<typeof consoleApp> | undefined;
  const server = serve({
    fetch: (request, env) => (app ? app.app.fetch(request, env) : new Response('starting', { status: 503 })),
    hostname: '127.0.0.1',
    port: options.port,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  app = consoleApp({ ...options, origin: url });
  return {
    url,
    loginUrl: `${url}${app.sessions.loginPath()}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
