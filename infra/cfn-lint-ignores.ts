import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Why cfn-lint (`npm test`, test/infra/cfn-lint.test.ts) skips one of its checks on one resource: each reason is
 * written into the template next to the check it silences (`Metadata.cfn-lint.config.ignore_checks`, which
 * cfn-lint reads, and `Metadata.cfn-lint-reasons`, for the reader), so a skipped check never goes unexplained.
 */
export const CFN_LINT_REASONS = {
  W3005:
    "CDK makes a function or state machine depend on its role's construct, so it waits for the role's policy; the role's own entry is redundant with the Role GetAtt, harmless",
} as const;

export function ignoreCfnLintCheck(scope: IConstruct, check: keyof typeof CFN_LINT_REASONS): void {
  const resource = scope.node.defaultChild as CfnResource;
  const config = (resource.getMetadata('cfn-lint') as { config?: { ignore_checks?: string[] } }) ?? {};
  const checks = [...(config.config?.ignore_checks ?? []), check];
  resource.addMetadata('cfn-lint', { config: { ignore_checks: checks } });
  const reasons = (resource.getMetadata('cfn-lint-reasons') as Record<string, string>) ?? {};
  resource.addMetadata('cfn-lint-reasons', { ...reasons, [check]: CFN_LINT_REASONS[check] });
}
