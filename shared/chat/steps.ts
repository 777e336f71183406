/**
 * Named jobs that run at most once at a time: a job asked for while it runs runs once more right
 * after (however often it was asked). A job that throws is counted by `onError`, never thrown.
 */
export class Steps {
  private readonly state = new Map<string, 'running' | 'again'>();

  constructor(
    private readonly onError: () => void,
    private readonly stopped: () => boolean = () => false,
  ) {}

  async run(name: string, f: () => Promise<void>): Promise<void> {
    if (this.state.has(name)) return void this.state.set(name, 'again');
    this.state.set(name, 'running');
    try {
      await f();
    } catch {
      this.onError();
    }
    const again = this.state.get(name) === 'again';
    this.state.delete(name);
    if (again && !this.stopped()) await this.run(name, f);
  }
}
