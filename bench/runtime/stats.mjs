// Small statistics and the printed table.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const format = (value, digits) =>
  value === undefined || Number.isNaN(value)
    ? "—"
    : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Rows of { metric, core, raw, digits, higherIsBetter, coreRounds?, rawRounds? }.
 * "core/raw" is the plain ratio; "core cost" turns it into how much more the
 * runtime costs than raw BullMQ (positive = slower), whichever way the metric
 * points; "rounds" is the range of the per-round ratios, to show the noise.
 */
export function printTable(title, rows) {
  const header = ["metric", "core", "raw", "core/raw", "core cost", "rounds core/raw"];
  const lines = rows.map(({ metric, core, raw, digits = 0, higherIsBetter, coreRounds = [], rawRounds = [] }) => {
    const ratio = core / raw;
    const cost = higherIsBetter ? raw / core - 1 : ratio - 1;
    const hasBoth = core !== undefined && raw !== undefined;
    const perRound = coreRounds.map((value, round) => value / rawRounds[round]).filter(Number.isFinite);
    return [
      metric,
      format(core, digits),
      format(raw, digits),
      hasBoth ? ratio.toFixed(3) : "—",
      hasBoth ? `${cost >= 0 ? "+" : ""}${(cost * 100).toFixed(1)}%` : "—",
      perRound.length > 1 ? `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}` : "—",
    ];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...lines].map((line) => line[column].length)));
  const render = (line) =>
    line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  console.log(`\n${title}`);
  console.log(render(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of lines) console.log(render(line));
}
