import type { DatastoreLog } from "../../../templates/queue/packages/core/src/tasks/datastore/index.js";

/** An datastore log that keeps every line, so tests can read what an operator would see. */
export interface RecordingLog extends DatastoreLog {
  readonly errors: string[];
  readonly warnings: string[];
  readonly infos: string[];
}

export function recordingLog(): RecordingLog {
  const errors: string[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    errors,
    warnings,
    infos,
    error: (line) => errors.push(line),
    warn: (line) => warnings.push(line),
    info: (line) => infos.push(line),
  };
}
