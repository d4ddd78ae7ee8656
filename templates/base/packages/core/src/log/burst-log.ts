/**
 * A log line that comes in bursts — one per request while the database is down, one per
 * task while a queue is — written (by `write`) as the first line of the burst at once and
 * then, at most every `intervalMs`, one line saying how many more came and the latest of
 * them. An outage stays visible from its first second to its last, without burying
 * everything else.
 */
export function createBurstLog(
  write: (line: string) => void,
  { intervalMs = 5_000 }: { intervalMs?: number } = {},
): (message: string) => void {
  let windowOpen = false;
  let held = 0;
  let latest = "";

  const closeWindow = () => {
    if (held === 0) {
      windowOpen = false;
      return;
    }
    write(`…and ${held} more like it in the last ${intervalMs / 1000} s (the latest: ${latest})`);
    held = 0;
    // Still coming: the next summary after another interval.
    setTimeout(closeWindow, intervalMs).unref();
  };

  return (message) => {
    if (windowOpen) {
      held++;
      latest = message;
      return;
    }
    write(message);
    windowOpen = true;
    setTimeout(closeWindow, intervalMs).unref();
  };
}
