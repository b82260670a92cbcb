/**
 * The analysis rules side by side on simulated traffic, alone (the same figures as `npm run bench`'s
 * analysis.rules, without its local runs): `npm run bench:analysis [-- --json]`.
 */
import { compareRules } from './bench/analysis/compare-rules.js';
import { describeRules } from './bench/analysis/describe-rules.js';

const rules = compareRules();
if (process.argv.includes('--json')) console.log(JSON.stringify({ analysis: { rules } }));
else for (const line of describeRules(rules)) console.log(line);
