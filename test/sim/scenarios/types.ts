/** What every named scenario gets, and returns. */
export interface ScenarioContext {
  seed: number;
  /** Override the scenario's default size. */
  nodes: number | undefined;
  /**
   * Scenario-specific sizes from the CLI (`--users`, `--flood`, `--scan-records`, `--scan-frames`,
   * `--find-minutes`, `--hours`). Undefined keeps the scenario's default; a scenario ignores those it has not.
   */
  users?: number | undefined;
  flood?: number | undefined;
  scanRecords?: number | undefined;
  scanFrames?: number | undefined;
  findMinutes?: number | undefined;
  /** Simulated hours (chat). */
  hours?: number | undefined;
  /** Disjoint lookup paths per put and get instead of the values layer (eclipse). */
  disjoint?: number | undefined;
  log: (line: string) => void;
  sampleHeap: () => void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<Record<string, unknown>>;
