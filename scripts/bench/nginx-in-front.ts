import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Bounds the wait for nginx to answer once started. */
const READY_WITHIN_MS = 10_000;

/** Whether nginx (Debian's package) is installed: the bench compares the local listener with it where it is. */
export const hasNginx = () =>
  run('nginx', ['-v']).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );

/**
 * nginx in front of the same instances as the local listener, as a person would put it there: one worker,
 * keep-alive connections to the instances, no access log. Everything it writes stays under `home`.
 */
export async function startNginx(
  home: string,
  port: number,
  instancePorts: number[],
): Promise<{ url: string; stop: () => Promise<void> }> {
  const prefix = join(home, 'nginx');
  await mkdir(join(prefix, 'temp'), { recursive: true });
  const temp = (name: string) => `${name}_temp_path ${join(prefix, 'temp', name)};`;
  const config = `worker_processes 1;
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  upstream instances {
    ${instancePorts.map((p) => `server 127.0.0.1:${p};`).join('\n    ')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://instances;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  await writeFile(join(prefix, 'nginx.conf'), config);
  const child = spawn(
    'nginx',
    ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', join(prefix, 'nginx.conf')],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}/`;
  await answering(url, child);
  return { url, stop: () => stopped(child) };
}

async function answering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode} as it started`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopped(child);
  throw new Error(`nginx did not answer at ${url} within ${READY_WITHIN_MS} ms`);
}

/** nginx's master ends its worker on SIGQUIT (graceful) and exits; killed if it has not within 5 s. */
async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGQUIT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
