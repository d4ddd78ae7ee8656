import type { ConsumerSettings } from "./types.js";

/**
 * BullMQ's Worker options for these settings, with only the ones given: BullMQ
 * spreads its options over its defaults, so an explicit `undefined` would erase one.
 */
export function consumerOptions({ concurrency, lockDuration, stalledInterval, maxStalledCount, autorun, name }: ConsumerSettings) {
  return {
    concurrency,
    ...(lockDuration !== undefined ? { lockDuration } : {}),
    ...(stalledInterval !== undefined ? { stalledInterval } : {}),
    ...(maxStalledCount !== undefined ? { maxStalledCount } : {}),
    ...(autorun !== undefined ? { autorun } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}
