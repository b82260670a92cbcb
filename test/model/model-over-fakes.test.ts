import { describeModel } from './model-suite.js';

// The stateful fakes, as local mode's flow tests use them: fast, so the bulk of the histories (ADR 37).
describeModel('fakes', 1800);
