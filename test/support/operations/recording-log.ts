import type { EngineLog } from "../../../templates/queue/packages/core/src/tasks/engine.js";

/** An engine log that keeps every line, so tests can read what an operator would see. */
export interface RecordingLog extends EngineLog {
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
