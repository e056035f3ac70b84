/**
 * Moments the console benchmark (bench/console.bench.ts) reads from the page to say where
 * start and save time goes. Only the latest of each name is kept: a shift of thousands of
 * clips must not pile up entries in the performance timeline.
 */
export type TimingMark = 'boot-answered' | 'first-page' | 'first-rows' | 'save' | 'recorded' | 'clip-shown'

export function markTiming(name: TimingMark): void {
  const full = `tinjau:${name}`
  performance.clearMarks(full)
  performance.mark(full)
}
