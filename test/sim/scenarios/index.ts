/** Named simulator scenarios runnable as `npm run sim -- --scenario NAME --json`. */
import { chatScenario } from './chat';
import { churnScenario } from './churn';
import { connectionsScenario } from './connections';
import { eclipseScenario } from './eclipse';
import { bandwidthScenario, unreachableScenario } from './links';
import { partitionScenario } from './partition';
import { poisonScenario } from './poison';
import { presenceScenario } from './presence';
import { relayForgeryScenario } from './relay-forgery';
import { replicationScenario } from './replication';

export type { Scenario, ScenarioContext } from './types';
import type { Scenario } from './types';

export const scenarios: Record<string, Scenario> = {
  churn: churnScenario,
  poison: poisonScenario,
  partition: partitionScenario,
  bandwidth: bandwidthScenario,
  'unreachable-pairs': unreachableScenario,
  replication: replicationScenario,
  connections: connectionsScenario,
  presence: presenceScenario,
  chat: chatScenario,
  eclipse: eclipseScenario,
  'relay-forgery': relayForgeryScenario,
};
