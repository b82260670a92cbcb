import { MotoServer } from './support/moto-server.js';
import { deployStack, readSynthesized } from './support/stack-in-moto.js';

const moto = await MotoServer.start();
try {
  const syn = readSynthesized('/tmp/bakeshift-cdk-cXjcYe');
  const urls = Object.fromEntries(
    Object.entries(syn.template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Url')
      .map(([id]) => [id, `http://127.0.0.1:1/${id}/`]),
  );
  let t = Date.now();
  const d = await deployStack(moto.endpoint, syn, urls);
  console.log('deploy ms', Date.now() - t);
  console.log(d.provisionedByMoto, d.createdByTest);
  console.log(
    Object.keys(d.outputs)
      .filter((k) => !k.startsWith('MotoResolve'))
      .map((k) => `${k}=${d.outputs[k]}`),
  );
  t = Date.now();
  await moto.reset();
  console.log('reset ms', Date.now() - t);
} catch (e) {
  console.error(e);
  console.error(moto.log());
}
await moto.stop();
