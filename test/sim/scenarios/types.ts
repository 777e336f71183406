/** What every named scenario gets, and returns. */
export interface ScenarioContext {
  seed: number;
  /** Override the scenario's default size. */
  nodes: number | undefined;
  log: (line: string) => void;
  sampleHeap: () => void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<Record<string, unknown>>;
