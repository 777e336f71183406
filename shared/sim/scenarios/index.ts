/** Named simulator scenarios runnable as `npm run sim -- --scenario NAME --json`. */
import { churnScenario } from './churn';
import { partitionScenario } from './partition';
import { poisonScenario } from './poison';

export interface ScenarioContext {
  seed: number;
  /** Override the scenario's default size. */
  nodes: number | undefined;
  log: (line: string) => void;
  sampleHeap: () => void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<Record<string, unknown>>;

export const scenarios: Record<string, Scenario> = {
  churn: churnScenario,
  poison: poisonScenario,
  partition: partitionScenario,
};
