import type { AslDefinition } from '../../statemachines/deploy-definition.js';

/** Keys the local engine ignores silently (JSONata and variables), running on with wrong data. */
const IGNORED_KEYS = new Set(['QueryLanguage', 'Arguments', 'Output', 'Assign', 'Condition', 'Items']);
const TYPE_TESTS = ['IsPresent', 'IsNull', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'];

/**
 * Constructs that aws-local-stepfunctions 3.0 mishandles (see shared notes: local-engine.md), each reported as
 * `state: field: why`. A definition with none runs locally as it would on AWS.
 */
export function localEngineHazards(definition: AslDefinition): string[] {
  const hazards: string[] = [];
  const visit = (where: string, value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(`${where}[${i}]`, item);
      });
      return;
    }
    if (typeof value === 'string' && value.includes('States.JsonMerge')) {
      hazards.push(`${where}: States.JsonMerge mutates its first argument locally`);
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (IGNORED_KEYS.has(key))
        hazards.push(`${where}: ${key}: JSONata/variables are ignored locally; use JSONPath`);
      if (TYPE_TESTS.includes(key) && child === false) {
        hazards.push(`${where}: ${key}: false is always false locally; wrap the true form in Not`);
      }
      visit(`${where}.${key}`, child);
    }
  };
  visit('(top level)', { ...definition, States: undefined });
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    if (state.ResultPath === '$') hazards.push(`${name}: ResultPath: "$" adds a key named "$" locally`);
    if ('HeartbeatSeconds' in state || 'HeartbeatSecondsPath' in state) {
      hazards.push(`${name}: HeartbeatSeconds is ignored locally`);
    }
    if (state.Type === 'Pass' && 'Result' in state && [false, 0, '', null].includes(state.Result as never)) {
      hazards.push(`${name}: Result: a Pass Result of false, 0, "" or null passes its input through locally`);
    }
    if (state.Type === 'Map' && ('ItemReader' in state || JSON.stringify(state).includes('DISTRIBUTED'))) {
      hazards.push(`${name}: distributed Map is ignored locally`);
    }
    if (state.Type !== 'Task') continue;
    if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      hazards.push(
        `${name}: TimeoutSeconds: missing (the local engine stops a Task after 60 s; AWS never does)`,
      );
    }
    if (state.TimeoutSecondsPath !== undefined && !state.Resource?.endsWith('.waitForTaskToken')) {
      hazards.push(
        `${name}: TimeoutSecondsPath: the local engine reads it after Parameters; only callback Tasks are wrapped`,
      );
    }
    if (state.Resource?.startsWith('arn:aws:states:::aws-sdk:')) {
      hazards.push(`${name}: Resource: SDK integrations run locally only through overrides`);
    }
  }
  return hazards;
}
