import { runRelayForgery } from './test/sim/scenarios/relay-forgery';
const t=performance.now();
console.log(JSON.stringify(runRelayForgery({ seed: 1, malicious: 0.2, minutes: 1, nodes: 100, injectPerMinute: 0, log: console.log })), (performance.now()-t)/1000);
