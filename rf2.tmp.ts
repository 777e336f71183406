import { runRelayForgery } from './test/sim/scenarios/relay-forgery';
for (const seed of [2, 3]) console.log(JSON.stringify({ seed, ...runRelayForgery({ seed, malicious: 0.2 }) }));
