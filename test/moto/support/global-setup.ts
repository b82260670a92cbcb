import type { TestProject } from 'vitest/node';
import { synthBakeshift } from '../../support/synth-bakeshift.js';
import { assertMotoServerInstalled } from './moto-server.js';
import { REGION } from './stack-in-moto.js';

export const MOTO_SERVICES = new URL('../services', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cloud assembly `cdk synth` wrote for the moto suite's services (bundles included). */
    cdkOut: string;
  }
}

/** Once per run: moto_server must be there (else the run fails at once, saying how to get it); one synth. */
export default async function setup(project: TestProject) {
  assertMotoServerInstalled();
  // While working on the suite alone: BAKESHIFT_MOTO_CDK_OUT names a synth to reuse (never set in CI).
  const reused = process.env.BAKESHIFT_MOTO_CDK_OUT;
  const outdir = reused ?? (await synthBakeshift({ servicesDir: MOTO_SERVICES, region: REGION })).outdir;
  console.log(`moto suite: the cloud assembly is ${outdir}`);
  project.provide('cdkOut', outdir);
}
