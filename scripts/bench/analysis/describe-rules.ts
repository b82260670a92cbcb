import type { compareRules } from './compare-rules.js';

interface Detection {
  medianRequests: number | null;
  medianSeconds: number | null;
  missed: number;
  inconclusive: number;
  atFirstStep: number;
  atFirstStepMedianRequests: number | null;
}
interface RuleFigures {
  goodDeployments: number;
  falseRollbacks: number;
  inconclusive: number;
  detection: Record<string, Detection>;
}

/** One line per rule: false rollbacks, then each bad scenario's median requests and seconds to detection. */
export function describeRules(rules: ReturnType<typeof compareRules>): string[] {
  return Object.entries(rules as Record<string, RuleFigures>).map(([name, r]) => {
    const scenarios = Object.entries(r.detection)
      .map(
        ([scenario, d]) =>
          `${scenario} ${d.medianRequests ?? '∞'} req/${d.medianSeconds ?? '∞'} s (missed ${d.missed}, inconclusive ${d.inconclusive}; ${d.atFirstStep} at 10 %, median ${d.atFirstStepMedianRequests ?? '–'} req)`,
      )
      .join('; ');
    return `${name}: ${r.falseRollbacks} of ${r.goodDeployments} good rolled back (${r.inconclusive} of them inconclusive); ${scenarios}`;
  });
}
