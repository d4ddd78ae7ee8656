import { trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, type LevelWithSilent, pino } from "pino";
import pinoPretty from "pino-pretty";
import { isTracing } from "../telemetry/tracing.js";

export type { Logger };

export interface LogSettings {
  /** LOG_LEVEL: trace, debug, info (the default; warn under tests, NODE_ENV=test), warn, error, fatal or silent. */
  level: LevelWithSilent;
  /** LOG_FORMAT: json (one object a line, the default in production) or pretty (readable lines, the default otherwise). */
  format: "json" | "pretty";
}

const LEVELS: readonly LevelWithSilent[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const FORMATS: readonly LogSettings["format"][] = ["json", "pretty"];

function readLogSettings(env: NodeJS.ProcessEnv): { settings: LogSettings; problems: string[] } {
  // Under tests (vitest sets NODE_ENV=test) a line per request and per task buries the report.
  const level = (env.LOG_LEVEL?.trim().toLowerCase() || (env.NODE_ENV === "test" ? "warn" : "info")) as LevelWithSilent;
  const format = (env.LOG_FORMAT?.trim().toLowerCase() || (env.NODE_ENV === "production" ? "json" : "pretty")) as LogSettings["format"];
  const problems = [
    LEVELS.includes(level) ? undefined : `LOG_LEVEL must be one of ${LEVELS.join(", ")}, got "${env.LOG_LEVEL}".`,
    FORMATS.includes(format) ? undefined : `LOG_FORMAT must be json or pretty, got "${env.LOG_FORMAT}".`,
  ].filter((problem) => problem !== undefined);
  return { settings: { level, format }, problems };
}

/** What is wrong with LOG_LEVEL and LOG_FORMAT, one line each: for the startup check. */
export function logSettingProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  return readLogSettings(env).problems;
}

/**
 * The lines of development: `[tasks] welcome (…) failed: …`, the component and the
 * message (with an error's stack when there is one), the fields left to the JSON of
 * production. Synchronous, as JSON is: the last lines before an exit are not lost.
 */
function readableLines(): DestinationStream {
  return pinoPretty({
    sync: true,
    colorize: false,
    hideObject: true,
    ignore: "pid,hostname,time,level,component",
    messageFormat: (log, messageKey) => {
      const prefix = typeof log.component === "string" ? `[${log.component}] ` : "";
      const stack = (log.err as { stack?: unknown } | undefined)?.stack;
      return `${prefix}${String(log[messageKey])}${typeof stack === "string" ? `\n${stack}` : ""}`;
    },
  });
}

type LogFields = Record<string, unknown>;
const contextFields: (() => LogFields | undefined)[] = [];

/**
 * Adds what `source` returns to every line written while it returns something: how the
 * task runtime puts the running task's name, id and attempt on each line written inside
 * it, whichever logger writes it. Called once per line: keep it cheap.
 */
export function addLogContext(source: () => LogFields | undefined): void {
  contextFields.push(source);
}

/** The fields of where a line is written: its task (see addLogContext), and the active span with tracing on. */
function fieldsOfContext(): LogFields {
  const fields: LogFields = {};
  for (const source of contextFields) Object.assign(fields, source());
  const span = isTracing() ? trace.getActiveSpan()?.spanContext() : undefined;
  if (span) Object.assign(fields, { trace_id: span.traceId, span_id: span.spanId });
  return fields;
}

/**
 * A pino logger: JSON lines to stdout (time, level, component, message and fields), or
 * readable lines. With tracing on, a line written while a span is active carries its
 * `trace_id` and `span_id` (the names OpenTelemetry's log data model uses), so a log
 * backend joins it to the trace. `destination` is for tests.
 */
export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  return pino(
    {
      level: settings.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // "warn", not 40: what log backends and people read.
      formatters: { level: (label) => ({ level: label }) },
      mixin: fieldsOfContext,
    },
    destination ?? (settings.format === "json" ? pino.destination({ dest: 1, sync: true }) : readableLines()),
  );
}

let root: Logger | undefined;
const components = new Map<string, Logger>();

/**
 * The process's logger for one component ("app", "tasks", "mail"…), made on first use
 * from LOG_LEVEL and LOG_FORMAT — call it where you log, not at import, so that `.env`
 * is read first. Entry points check those variables at startup; here a bad value falls
 * back to the defaults rather than losing the line.
 */
export function logger(component: string): Logger {
  let child = components.get(component);
  if (!child) {
    root ??= createLogger(safeSettings());
    child = root.child({ component });
    components.set(component, child);
  }
  return child;
}

/**
 * Makes `next` the process's logger from now on (every component a child of it) and
 * returns the one it replaces (undefined: made from LOG_* on next use): for a pino
 * configured your way (redaction, a transport), or for tests that read what was logged.
 */
export function setRootLogger(next: Logger | undefined): Logger | undefined {
  const previous = root;
  root = next;
  components.clear();
  return previous;
}

function safeSettings(): LogSettings {
  const { settings, problems } = readLogSettings(process.env);
  return problems.length === 0 ? settings : readLogSettings({ NODE_ENV: process.env.NODE_ENV }).settings;
}
