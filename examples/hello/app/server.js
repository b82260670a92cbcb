// A small service for bakeshift's demo: answers with its version, reads its configuration from the
// environment at start (PORT, GREETING), and shuts down gracefully on SIGTERM.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const release = JSON.parse(readFileSync(new URL('./release.json', import.meta.url), 'utf8'));
const startedAt = Date.now();
const greeting = process.env.GREETING ?? 'hello';

function healthy() {
  if (release.healthNeverPasses) return false;
  const failAfter = release.healthFailsAfterSeconds;
  return failAfter === undefined || Date.now() - startedAt < failAfter * 1000;
}

const server = createServer((req, res) => {
  // Every answer says which version gave it, so a load test can tell whose failures it saw.
  res.setHeader('x-hello-version', release.version);
  // A broken version is broken for its users too, not only for its health check: 503 on every path.
  if (!healthy()) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('unhealthy\n');
    return;
  }
  // A request that takes a while: in-flight work a shutdown must let finish.
  const slow = /^\/slow\?ms=(\d+)$/.exec(req.url ?? '');
  if (slow) {
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('done\n'), Number(slow[1]));
    return;
  }
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const body = JSON.stringify({
    version: release.version,
    greeting,
    instance: process.env.BAKESHIFT_INSTANCE_ID,
  });
  // Versions that pass their health check but not their users: 5.0.0 fails some requests, 6.0.0 is slow.
  const answer = () => {
    if (Math.random() < (release.errorRate ?? 0))
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
  if (release.delayMs) setTimeout(answer, release.delayMs);
  else answer();
});
// Longer than the load balancer's upstream idle timeout, so the balancer closes idle connections first.
server.keepAliveTimeout = 30_000;
// HOST and PORT are given by bakeshift: 127.0.0.1 locally, 0.0.0.0 on AWS (the ALB reaches the instance).
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`hello ${release.version} listening on ${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT}`);
});
process.on('SIGTERM', () => {
  console.log('SIGTERM: finishing in-flight requests');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
