// Test file order for mutation runs: a mutant is killed by the first failing test, and
// Stryker bails there, so the files most likely to fail, then the cheapest, go first.
// Vitest's own order (longest first) suits parallel workers, not a bail-on-first-failure
// run in one worker, where it made every killed mutant wait for the slowest suites.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export default class CheapFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const cost = (spec: TestSpecification): { failed: boolean; duration: number } => {
      const key = `${spec.project.name}:${spec.moduleId.slice(this.ctx.config.root.length + 1)}`;
      const results = cache.getFileTestResults(key);
      // Without a recorded run, the file's size stands in for its duration.
      const size = cache.getFileStats(key)?.size ?? Number.MAX_SAFE_INTEGER;
      return { failed: results?.failed ?? false, duration: results?.duration ?? size };
    };
    const costs = new Map(files.map((spec) => [spec, cost(spec)]));
    return [...files].sort((a, b) => {
      const ca = costs.get(a)!;
      const cb = costs.get(b)!;
      if (ca.failed !== cb.failed) return ca.failed ? -1 : 1;
      return ca.duration - cb.duration;
    });
  }
}
