import * as z from 'zod';
import { ConfigInvalid } from '../errors.js';
import { DeploymentWindows } from '../windows/deployment-windows.js';
import { describeIssues } from './describe-issues.js';
import { whyNotCarried } from './environment-value.js';
import { SecretReferenceText } from './secret-reference.js';
import { TimeZone } from './time-zone.js';

/** Deployment triggers: how a deployment came to be. */
export const Trigger = z.enum(['artifact', 'rollback', 'promote', 'congruence', 'manual']);
export type Trigger = z.infer<typeof Trigger>;

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
/** The longest drainSeconds, as an ALB's deregistration delay allows (0-3600 s): bounds a deployment's drain. */
export const MAX_DRAIN_SECONDS = 3600;
const resourceName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,31}$/,
    'must be 1-32 characters: lower-case letters, digits and "-", starting with a letter',
  );
const environmentName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,15}$/,
    'must be 1-16 characters: lower-case letters, digits and "-", starting with a letter',
  );

const Capacity = z
  .object({
    min: z.number().int().min(0).max(1000),
    desired: z.number().int().min(1).max(1000),
    max: z.number().int().min(1).max(1000),
  })
  .strict()
  .refine((c) => c.min <= c.desired && c.desired <= c.max, {
    message: 'must satisfy min <= desired <= max',
  });
export type Capacity = z.infer<typeof Capacity>;

const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and "_"');
/** Names bakeshift sets itself, for each instance. */
const reservedNames = <T extends Record<string, unknown>>(schema: z.ZodType<T>) =>
  schema
    .refine((vars) => !('PORT' in vars), { message: 'PORT is set by bakeshift for each instance; remove it' })
    .refine((vars) => !('HOST' in vars), {
      message: 'HOST is set by bakeshift (where the app listens); remove it',
    });
/** What the instance's user data can carry (16 KB in all): larger values belong in `secrets`. */
const MAX_VARIABLES_BYTES = 8192;
const utf8 = new TextEncoder();

const Variables = reservedNames(
  z.record(
    variableName,
    z.string().superRefine((value, ctx) => {
      const why = whyNotCarried(value);
      if (why) ctx.addIssue({ code: 'custom', message: `the value ${why}` });
    }),
  ),
).refine(
  (vars) =>
    Object.entries(vars).reduce((sum, [k, v]) => sum + utf8.encode(`${k}=${v}`).length + 1, 0) <=
    MAX_VARIABLES_BYTES,
  {
    message: `names and values must be at most ${MAX_VARIABLES_BYTES} bytes in all (they travel in the instances' user data, 16 KB); put large values in secrets`,
  },
);

/** Environment variable name → where its value is read at each start of the app (never written to an image). */
const Secrets = reservedNames(z.record(variableName, SecretReferenceText));

/**
 * A Slack user id: U… or W… (Enterprise Grid), upper-case letters and digits. Slack decisions are matched by id
 * only: names and display names change and are not unique (Slack Connect), ids never change (ADR 35).
 */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{8,}$/;
const FIND_A_SLACK_USER_ID =
  'list Slack users by user id (U… or W…), which never changes and is unique: in Slack, open their profile, click ⋮ (More) and choose "Copy member ID"';

/** An approver: a local user, an IAM ARN or a Slack user id; a Slack name (`@alice`, `slack:alice`) is refused. */
const Approver = z
  .string()
  .min(1)
  .superRefine((approver, ctx) => {
    if (/^(@|slack:)/i.test(approver))
      ctx.addIssue({ code: 'custom', message: `"${approver}" is a Slack name; ${FIND_A_SLACK_USER_ID}` });
  });

/** Who may roll back with /bakeshift rollback: Slack user ids only. */
const SlackUserId = z.string().superRefine((user, ctx) => {
  if (!SLACK_USER_ID.test(user))
    ctx.addIssue({ code: 'custom', message: `"${user}" is not a Slack user id; ${FIND_A_SLACK_USER_ID}` });
});

const Approval = z.discriminatedUnion('required', [
  z
    .object({
      required: z.literal(false),
      /** Who decides a doubt later in the flow (`analysis.onInconclusive: approval`), with no gate before traffic. */
      approvers: z.array(Approver).min(1, 'name at least one approver').optional(),
      timeoutSeconds: seconds(60, 259_200).default(3600),
    })
    .strict(),
  z
    .object({
      required: z.literal(true),
      /** Local users, IAM ARNs and Slack user ids: whoever decides must be one of them, as authenticated. */
      approvers: z.array(Approver).min(1, 'name at least one approver'),
      /** 1 minute to 3 days: an approval nobody answers must end in a defined outcome. */
      timeoutSeconds: seconds(60, 259_200).default(3600),
      /** Triggers that skip the gate, e.g. nightly congruence runs of an unchanged release. */
      exemptTriggers: z.array(Trigger).default([]),
    })
    .strict(),
]);

const TrafficStep = z
  .object({ percent: z.number().int().min(1).max(100), holdSeconds: seconds(0, 3600) })
  .strict();
const Traffic = z.discriminatedUnion('strategy', [
  z.object({ strategy: z.literal('all-at-once') }).strict(),
  z
    .object({ strategy: z.literal('weighted'), steps: z.array(TrafficStep).min(1).max(10) })
    .strict()
    .superRefine((traffic, ctx) => {
      traffic.steps.forEach((step, i) => {
        const previous = traffic.steps[i - 1];
        if (previous && step.percent <= previous.percent) {
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'percent'],
            message: `must be greater than the previous step's ${previous.percent}`,
          });
        }
      });
      if (traffic.steps.at(-1)?.percent !== 100) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps'],
          message: 'the last step must send 100 percent to green',
        });
      }
    }),
]);

const HealthCheck = z
  .object({
    /** Overrides the artifact manifest's healthPath. */
    path: z.string().startsWith('/', 'must start with "/"').optional(),
    intervalSeconds: seconds(1, 300).default(10),
    timeoutSeconds: seconds(1, 120).default(5),
    healthyThreshold: z.number().int().min(1).max(10).default(2),
    unhealthyThreshold: z.number().int().min(1).max(10).default(2),
    /** How long green may take to report its full desired count healthy. */
    deadlineSeconds: seconds(10, 3600).default(600),
  })
  .strict()
  .refine((h) => h.timeoutSeconds < h.intervalSeconds, {
    message: 'timeoutSeconds must be less than intervalSeconds',
    path: ['timeoutSeconds'],
  });

/** EventBridge Scheduler's cron form: cron(minutes hours day-of-month month day-of-week year). */
const CronExpression = z
  .string()
  .regex(/^cron\(\S+( \S+){5}\)$/, 'must be cron(minutes hours day-of-month month day-of-week year)')
  .refine(
    (cron) => {
      const fields = cron.slice(5, -1).split(' ');
      return fields[2] === '?' || fields[4] === '?';
    },
    { message: 'day-of-month or day-of-week must be "?"' },
  );

/**
 * Judgement beyond the health check (ADR 40, core/analysis/): while a weighted step holds and while blue is
 * kept warm, green's errors and slow requests are compared with blue's by anytime-valid sequential tests, as
 * often as the load balancer's metrics allow, and CloudWatch alarms on AWS. A good version is rolled back with
 * probability at most `alpha` per deployment, however many looks are taken.
 */
export const Analysis = z
  .object({
    enabled: z.boolean().default(true),
    /** The false-rollback bound per deployment (1 %), split equally between the error and latency tests. */
    alpha: z.number().min(0.0001).max(0.2).default(0.01),
    /** The smallest error-rate increase worth a rollback, as a fraction: 0.005 is +0.5 points. */
    minErrorIncrease: z.number().min(0).max(1).default(0.005),
    /** The smallest p99 increase worth a rollback, in ms. */
    minLatencyIncreaseMs: z.number().int().min(0).max(60_000).default(20),
    /** Green's latency in its first seconds of traffic is not compared (a cold start is slower); its errors are. */
    warmUpSeconds: seconds(0, 600).default(30),
    /** A hold that ends without enough evidence is extended by up to this long before it is inconclusive. */
    extendInconclusiveSeconds: seconds(0, 3600).default(300),
    /**
     * What an inconclusive verdict does after its extension: roll back, or ask the environment's approvers with
     * the evidence (approved goes on, rejected or unanswered rolls back). Never a pass on its own.
     */
    onInconclusive: z
      .enum(['rollback', 'approval'], { error: 'must be "rollback" or "approval"' })
      .default('rollback'),
    /** CloudWatch alarms (AWS only): one in ALARM during a window rolls back, as CodeDeploy's alarms do. */
    alarms: z.array(z.string().min(1).max(255)).max(10).default([]),
  })
  .strict();
export type AnalysisConfig = z.infer<typeof Analysis>;

/** One HTTP check of green's preview endpoint before it takes traffic. */
const HttpCheck = z
  .object({
    name: z.string().min(1).max(100),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    path: z.string().startsWith('/', 'must start with "/"'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().max(65_536).optional(),
    expectStatus: z.number().int().min(100).max(599).default(200),
    bodyContains: z.string().min(1).optional(),
    /** A field of the JSON body (dot-separated path) and the value it must equal. */
    jsonField: z
      .object({ path: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean(), z.null()]) })
      .strict()
      .optional(),
    maxLatencyMs: z.number().int().min(1).max(60_000).optional(),
  })
  .strict();

/**
 * Tests of green's preview endpoint after it is healthy and before any approval or shift (CodeDeploy's
 * BeforeAllowTraffic hook): HTTP checks and a command locally; on AWS a Lambda function you name, invoked with
 * the same (the preview listener is reachable only inside the VPC). Any failure compensates.
 */
export const PreTraffic = z
  .object({
    /** The whole run's bound; below the Task's own timeout (900 s). */
    timeoutSeconds: seconds(1, 840).default(60),
    checks: z.array(HttpCheck).max(50).default([]),
    /** Locally: run with PREVIEW_URL and the deployment's identity in its environment; exit 0 passes. */
    command: z.string().min(1).max(4096).optional(),
    /**
     * On AWS: a Lambda function invoked with the preview URL, the identity and the checks; its name starts with
     * `bakeshift-pretraffic-`, which is all bakeshift may invoke (as CodeDeploy's hooks are `CodeDeployHook_*`).
     */
    function: z
      .string()
      .regex(
        /^bakeshift-pretraffic-[A-Za-z0-9_-]{1,43}$/,
        'must be a function name starting with bakeshift-pretraffic-',
      )
      .optional(),
  })
  .strict()
  .refine((p) => p.checks.length > 0 || p.command || p.function, {
    message: 'name at least one check, a command or a function',
  });
export type PreTrafficConfig = z.infer<typeof PreTraffic>;

const Environment = z
  .object({
    capacity: Capacity,
    variables: Variables.default({}),
    secrets: Secrets.default({}),
    approval: Approval.prefault({ required: false }),
    traffic: Traffic.default({ strategy: 'all-at-once' }),
    healthCheck: HealthCheck.prefault({}),
    analysis: Analysis.prefault({}),
    preTraffic: PreTraffic.optional(),
    /** How long blue stays warm after the shift, for a rollback that is only a traffic switch. */
    keepBlueWarmSeconds: seconds(0, 3600).default(300),
    /** The load balancer's deregistration delay: in-flight requests to blue finish within it. */
    drainSeconds: seconds(0, MAX_DRAIN_SECONDS).default(60),
    /** Where this environment's deployments are announced and approved (a Slack channel id or #name). */
    slack: z
      .object({
        channel: z.string().min(1),
        /** Slack user ids of the people who may roll back with /bakeshift rollback. */
        rollbackAllowlist: z.array(SlackUserId).default([]),
      })
      .strict()
      .optional(),
    /** When deployments may start (days, times, a time zone); outside, they wait or are refused. */
    windows: DeploymentWindows.optional(),
    congruence: z
      .object({
        schedule: CronExpression,
        timeZone: TimeZone.default('UTC'),
        /** With an unchanged bake key, still replace every instance (fresh machines). */
        replaceWhenUnchanged: z.boolean().default(true),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((env, ctx) => {
    if (env.analysis.onInconclusive === 'approval' && !env.approval.approvers)
      ctx.addIssue({
        code: 'custom',
        path: ['analysis', 'onInconclusive'],
        message: 'is "approval": name who decides in approval.approvers',
      });
    for (const name of Object.keys(env.secrets).filter((name) => Object.hasOwn(env.variables, name)))
      ctx.addIssue({
        code: 'custom',
        path: ['secrets', name],
        message: `${name} is also among the variables: name it in one place only`,
      });
  });
export type EnvironmentConfig = z.infer<typeof Environment>;

export const ServiceConfig = z
  .object({
    service: resourceName,
    environments: z
      .record(environmentName, Environment)
      .refine((envs) => Object.keys(envs).length > 0, { message: 'define at least one environment' }),
    bake: z
      .object({
        /** Locally a base directory name; on AWS an AMI id or an SSM parameter path. */
        baseImage: z.string().min(1),
        timeoutSeconds: seconds(60, 7200).default(1800),
        /**
         * Locally: names of the control plane's environment the bake command also gets, besides the proxy, CA,
         * npm and pip settings it always gets (local/baker/bake-environment.ts); `NAME_*` is a prefix.
         */
        passEnvironment: z
          .array(
            z
              .string()
              .regex(
                /^[A-Za-z_][A-Za-z0-9_]*\*?$/,
                'a variable name (letters, digits, "_"), or a prefix ending in "*"',
              )
              .refine((name) => !['PATH', 'HOME'].includes(name), 'PATH and HOME are set by bakeshift'),
          )
          .max(50)
          .default([]),
      })
      .strict(),
    retention: z
      .object({ images: z.number().int().min(2).max(100).default(5) })
      .strict()
      .prefault({}),
    /** How long a deployment waits for the service+environment lock before giving up. */
    lockWaitSeconds: seconds(0, 7200).default(1800),
  })
  .strict();
export type ServiceConfig = z.infer<typeof ServiceConfig>;

/** Validates raw configuration; `source` (a file name) prefixes every error line. */
export function parseServiceConfig(raw: unknown, source: string): ServiceConfig {
  const parsed = ServiceConfig.safeParse(raw);
  if (!parsed.success) throw new ConfigInvalid(describeIssues(source, parsed.error.issues, ServiceConfig));
  return parsed.data;
}

export function environmentOf(config: ServiceConfig, environment: string, source: string): EnvironmentConfig {
  const env = config.environments[environment];
  if (!env) {
    const known = Object.keys(config.environments).join(', ');
    throw new ConfigInvalid(
      `${source}: environments.${environment}: no such environment (defined: ${known})`,
    );
  }
  return env;
}
