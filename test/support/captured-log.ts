import { createLogger, setRootLogger } from "@repo/core";
import { onTestFinished } from "vitest";

/** One line of the process log, as its JSON has it. */
export interface LogRecord {
  level: string;
  component?: string;
  msg: string;
  [field: string]: unknown;
}

/**
 * What this process logs from now until the test ends (the real pino, writing JSON to
 * memory): each record, and each as the readable line of development, `[tasks] …`.
 */
export function captureLog(): { records: LogRecord[]; lines: string[] } {
  const records: LogRecord[] = [];
  const lines: string[] = [];
  const destination = {
    write(json: string) {
      const record = JSON.parse(json) as LogRecord;
      records.push(record);
      lines.push(record.component ? `[${record.component}] ${record.msg}` : record.msg);
    },
  };
  const previous = setRootLogger(createLogger({ level: "debug", format: "json" }, destination));
  onTestFinished(() => void setRootLogger(previous));
  return { records, lines };
}
