/**
 * Padding, not threads, sets the speed of a BERT encoder: every row of a session run is padded to the
 * longest row in it. Sorting a window of rows by token count and cutting it into runs bounded by a
 * token budget (rows x longest row) keeps the padded work close to the real work.
 */
export function planMicroBatches(tokenCounts: ArrayLike<number>, maxBatchTokens: number): number[][] {
  const order = Array.from({ length: tokenCounts.length }, (_, index) => index);
  order.sort((a, b) => tokenCounts[a]! - tokenCounts[b]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const index of order) {
    // Sorted ascending, so the row being added is the longest of the run it would join.
    const paddedIfAdded = (current.length + 1) * tokenCounts[index]!;
    if (current.length > 0 && paddedIfAdded > maxBatchTokens) {
      batches.push(current);
      current = [];
    }
    current.push(index);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
