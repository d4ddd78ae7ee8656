import { createServer, type Server } from "node:http";
import { gunzipSync } from "node:zlib";

/** A span as an OTLP/HTTP JSON export carries it, with the service that sent it. */
export interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number; message?: string };
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: (Omit<ReceivedSpan, "service" | "attributes"> & { attributes?: OtlpAttribute[] })[] }[];
  }[];
}
type OtlpAttribute = { key: string; value: Record<string, unknown> };

/** An attribute's value: OTLP wraps each in its type (stringValue, intValue — a string in JSON when 64-bit —, …). */
function unwrap(value: Record<string, unknown>): unknown {
  const [[type, inner] = []] = Object.entries(value);
  return type === "intValue" ? Number(inner) : inner;
}
const attributesOf = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map(({ key, value }) => [key, unwrap(value)]));

/**
 * A local OpenTelemetry collector for tests: answers OTLP/HTTP trace exports
 * (`POST /v1/traces`, JSON, as `@opentelemetry/exporter-trace-otlp-http` sends them)
 * and keeps every span, from every process that exports to it.
 */
export class OtlpReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Every span received so far. */
    readonly spans: readonly ReceivedSpan[],
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const spans: ReceivedSpan[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.method !== "POST" || request.url !== "/v1/traces") {
          response.writeHead(404).end();
          return;
        }
        const body = Buffer.concat(chunks);
        const text = (request.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString();
        for (const { resource, scopeSpans = [] } of (JSON.parse(text) as ExportRequest).resourceSpans ?? []) {
          const service = String(attributesOf(resource?.attributes)["service.name"]);
          for (const span of scopeSpans.flatMap((scope) => scope.spans ?? [])) {
            spans.push({ ...span, service, attributes: attributesOf(span.attributes) });
          }
        }
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("the OTLP receiver has no port");
    return new OtlpReceiver(server, `http://127.0.0.1:${address.port}`, spans);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
