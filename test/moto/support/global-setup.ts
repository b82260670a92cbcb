import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { synthBakeshift } from '../../support/synth-bakeshift.js';
import { assertMotoServerInstalled, assertMotoVersionRead, MotoServer } from './moto-server.js';
import { REGION, zipAssets } from './stack-in-moto.js';

export const MOTO_SERVICES = new URL('../services', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cloud assembly `cdk synth` wrote for the moto suite's services (bundles included, and zipped). */
    cdkOut: string;
    /** The run's moto_server. */
    motoEndpoint: string;
  }
}

/**
 * Once per run: moto_server must be there (else the run fails at once, saying how to get it); it starts, then
 * the stack is synthesized (one synth, its assets zipped as `cdk deploy` uploads them). Both end with the run.
 * Not at the same time: CDK bundles synchronously, and moto's start is awaited by polling on this event loop.
 */
export default async function setup(project: TestProject) {
  assertMotoServerInstalled();
  assertMotoVersionRead();
  // While working on the suite alone: BAKESHIFT_MOTO_CDK_OUT names a synth to reuse (never set in CI).
  const reused = process.env.BAKESHIFT_MOTO_CDK_OUT;
  const started = Date.now();
  const moto = await MotoServer.start();
  const outdir = reused ?? (await synthBakeshift({ servicesDir: MOTO_SERVICES, region: REGION })).outdir;
  zipAssets(outdir);
  console.log(`moto suite: ${outdir} synthesized, ${moto.endpoint} up, in ${Date.now() - started} ms`);
  project.provide('cdkOut', outdir);
  project.provide('motoEndpoint', moto.endpoint);
  return async () => {
    await moto.stop();
    if (!reused) await rm(outdir, { recursive: true, force: true });
  };
}
