import { readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  type AslDefinition,
  DEPLOY_DEFINITION_PATH,
  substituteFunctionArns,
  taskStatesOf,
} from '../../statemachines/deploy-definition.js';
import { localEngineHazards } from '../support/local-engine-hazards.js';

const folder = new URL('.', DEPLOY_DEFINITION_PATH);
const files = readdirSync(folder).filter((f) => f.endsWith('.asl.json'));
const load = (file: string) => readFileSync(new URL(file, folder), 'utf8');

describe('every state machine in statemachines/', () => {
  it('finds the deployment definition', () => {
    expect(files).toContain('deploy.asl.json');
  });

  for (const file of files) {
    it(`${file} passes asl-validator once placeholders are substituted as the CDK does`, () => {
      const text = substituteFunctionArns(
        load(file),
        (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
      );
      const result = aslValidator(JSON.parse(text), { checkArn: true, checkPaths: true });
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    });

    it(`${file} uses no construct the local engine mishandles`, () => {
      expect(localEngineHazards(JSON.parse(load(file)) as AslDefinition)).toEqual([]);
    });

    it(`${file}: every Task names a function placeholder and has a bounded time`, () => {
      const definition = JSON.parse(load(file)) as AslDefinition;
      const tasks = taskStatesOf(definition);
      expect(tasks.length).toBeGreaterThan(0);
      for (const task of tasks) {
        expect(task.timeoutSeconds ?? task.timeoutSecondsPath, task.stateName).toBeDefined();
        for (const retrier of definition.States[task.stateName]?.Retry ?? []) {
          expect(retrier.MaxAttempts, `${task.stateName} retries ${retrier.ErrorEquals}`).toBeLessThanOrEqual(
            130,
          );
        }
      }
    });
  }
});

describe('the local-engine hazard check', () => {
  const base = (state: Record<string, unknown>): AslDefinition => ({
    StartAt: 'S',
    States: { S: { Type: 'Task', Resource: 'arn:x', TimeoutSeconds: 5, End: true, ...state } },
  });

  it.each([
    ['a Task without TimeoutSeconds', { TimeoutSeconds: undefined }, 'TimeoutSeconds: missing'],
    ['ResultPath "$"', { ResultPath: '$' }, 'ResultPath'],
    ['JSONata Arguments', { Arguments: { a: '{% 1 %}' } }, 'Arguments'],
    ['HeartbeatSeconds', { HeartbeatSeconds: 10 }, 'HeartbeatSeconds'],
    [
      'TimeoutSecondsPath on a plain Task',
      { TimeoutSeconds: undefined, TimeoutSecondsPath: '$.t' },
      'TimeoutSecondsPath',
    ],
    ['States.JsonMerge', { Parameters: { 'm.$': 'States.JsonMerge($.a, $.b, false)' } }, 'JsonMerge'],
  ])('reports %s', (_, state, expected) => {
    const definition = base(state);
    if ('TimeoutSeconds' in state) delete definition.States.S?.TimeoutSeconds;
    expect(localEngineHazards(definition).join('\n')).toContain(expected);
  });

  it('reports IsPresent: false nested in a Choice', () => {
    const definition: AslDefinition = {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [{ And: [{ Variable: '$.a', IsPresent: false }], Next: 'E' }] as never,
          Default: 'E',
        },
        E: { Type: 'Succeed' },
      },
    };
    expect(localEngineHazards(definition)).toEqual([
      'C.Choices[0].And[0]: IsPresent: false is always false locally; wrap the true form in Not',
    ]);
  });

  it('reports a Pass whose Result is false', () => {
    const definition: AslDefinition = {
      StartAt: 'P',
      States: { P: { Type: 'Pass', Result: false, End: true } },
    };
    expect(localEngineHazards(definition)).toHaveLength(1);
  });

  it('reports JSONata at the top level', () => {
    const definition: AslDefinition = {
      StartAt: 'E',
      QueryLanguage: 'JSONata',
      States: { E: { Type: 'Succeed' } },
    };
    expect(localEngineHazards(definition).join()).toContain('QueryLanguage');
  });
});
