import { describeModel } from './model-suite.js';

// The AWS adapters over the simulated cloud: each history takes about five times as long as over the fakes.
describeModel('aws', 200);
