/**
 * `npm run demo`: runs the main job in local mode. Local mode (real processes, a real load balancer, DynamoDB's
 * API through dynalite) is the local-provider work; until it lands this says so and exits 0.
 */
console.log('bakeshift demo: local provider not built yet.');
console.log(
  'The deployment state machine, its handlers and the local engine are in place: `npm test` runs them,',
);
console.log('including the fault matrix that fails every step and checks that each failure is compensated.');
