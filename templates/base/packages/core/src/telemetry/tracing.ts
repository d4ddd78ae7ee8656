import { DiagLogLevel, diag } from "@opentelemetry/api";
import { redactUrl } from "../config/redact-url.js";
import { createBurstLog } from "../log/burst-log.js";
import { logger } from "../log/logger.js";
import { atShutdown } from "../process/shutdown.js";

/** Where this process exports traces, or that it does not: for its startup lines (`isTracing()` tells whether). */
export interface Tracing {
  describe(): string;
}

let enabled = false;

/** Whether `startTracing` turned tracing on in this process: code on hot paths skips span work when not. */
export function isTracing(): boolean {
  return enabled;
}

/**
 * Where spans go, from OpenTelemetry's standard variables (the signal's own endpoint as it
 * is, the general one with /v1/traces); undefined when tracing is off.
 */
function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim() === "true" || env.OTEL_TRACES_EXPORTER?.trim() === "none") return undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/**
 * Turns on OpenTelemetry tracing for this process when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: spans are batched and exported with
 * OTLP over HTTP (the exporter reads the other OTEL_EXPORTER_OTLP_* variables: headers,
 * timeout), as `OTEL_SERVICE_NAME` or else `serviceName`. Off otherwise, and then the SDK
 * is not even loaded. Buffered spans are flushed when the process shuts down gracefully.
 */
export async function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return { describe: () => "off (set OTEL_EXPORTER_OTLP_ENDPOINT to export traces)" };
  const [{ BatchSpanProcessor, NodeTracerProvider }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const name = env.OTEL_SERVICE_NAME?.trim() || serviceName;
  // The SDK reports a failed export (the collector down) as an error dump on its diagnostic
  // logger, once per batch: one line a burst instead, saying where and why. Spans of that
  // batch are dropped; requests and tasks are not affected.
  const logExportFailure = createBurstLog((line) => logger("tracing").warn(line));
  diag.setLogger(
    {
      error: (message) => logExportFailure(`could not export spans to ${redactUrl(endpoint)}: ${reasonOf(message)}`),
      warn: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.ERROR,
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": name }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))],
  });
  // The global tracer, context manager (AsyncLocalStorage) and W3C trace-context propagator.
  provider.register();
  enabled = true;
  atShutdown(() => provider.shutdown());
  return { describe: () => `OTLP to ${redactUrl(endpoint)} as "${name}"` };
}

/** The reason in one of the SDK's diagnostic messages: a serialized error (JSON with a message), or the text itself. */
function reasonOf(message: string): string {
  try {
    const parsed = JSON.parse(message) as { message?: unknown; code?: unknown };
    if (typeof parsed.message === "string" && parsed.message) return parsed.message.split("\n")[0]!;
  } catch {
    // not JSON
  }
  return message.split("\n")[0]!;
}
