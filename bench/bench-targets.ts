/**
 * The targets of the engine issues, checked for every dtype and batch size measured: issue 3 (end to end
 * against the plain ceiling at the same batch size, scaling from 1 to 2 workers, 8 workers against the
 * best), issue 8 (padding waste, end to end against the sorted ceiling, 8 workers within 5%) and issue
 * 26 (the steady state against the sorted ceiling). Against the sorted ceiling, each round's run is
 * compared with that round's ceiling and the median of the rounds taken.
 */
import type { EngineConfigResult, TargetCheck } from './bench-result.js';

export function checkTargets(engine: EngineConfigResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const groups = new Map<string, EngineConfigResult[]>();
  for (const e of engine) groups.set(`${e.dtype}/${e.batchSize}`, [...(groups.get(`${e.dtype}/${e.batchSize}`) ?? []), e]);
  for (const group of groups.values()) {
    const { dtype, batchSize } = group[0]!;
    const best = group.reduce((a, b) => (b.rowsPerSecond.median > a.rowsPerSecond.median ? b : a));
    const at = (workers: number) => group.find((e) => e.workers === workers);
    const add = (issue: number, target: string, value: number, threshold: string, holds: boolean) =>
      checks.push({ issue, target, dtype, batchSize, value, threshold, holds });
    if (best.vsPlainCeiling !== null) {
      add(
        3,
        `best (${best.workers} workers) / plain ceiling at batch ${batchSize}`,
        best.vsPlainCeiling,
        '>= 0.9',
        best.vsPlainCeiling >= 0.9,
      );
    }
    if (at(1) && at(2)) {
      const ratio = at(2)!.rowsPerSecond.median / at(1)!.rowsPerSecond.median;
      add(3, 'workers 2 / workers 1', ratio, '>= 1.8', ratio >= 1.8);
    }
    if (at(8)) {
      const ratio = at(8)!.rowsPerSecond.median / best.rowsPerSecond.median;
      add(3, `workers 8 / best (${best.workers} workers)`, ratio, '>= 0.9', ratio >= 0.9);
      add(8, `workers 8 / best (${best.workers} workers)`, ratio, '>= 0.95', ratio >= 0.95);
    }
    add(8, `padding waste (workers ${best.workers})`, best.paddingWaste, '<= 1.15', best.paddingWaste <= 1.15);
    const vsSorted = best.vsSortedCeiling.median;
    add(8, `best (${best.workers} workers) / sorted ceiling`, vsSorted, '>= 0.9', vsSorted >= 0.9);
    const steady = best.steadyVsSortedCeiling?.median;
    if (steady !== undefined) {
      add(26, `best (${best.workers} workers) steady / sorted ceiling`, steady, '>= 0.95', steady >= 0.95);
    }
  }
  return checks;
}
