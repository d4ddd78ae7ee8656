/**
 * A small JSON-friendly HTTP client on Node's built-in fetch. Every request has a
 * timeout (a task must never hang on a dead server) and non-2xx answers throw.
 */
export interface HttpRequestOptions {
  headers?: Record<string, string>;
  /** Milliseconds before the request is aborted; defaults to the client's timeout. */
  timeoutMs?: number;
  /** Abort early, e.g. with the task's own signal. */
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response says it is JSON, otherwise the text. */
  data: T;
}

export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly data: unknown,
  ) {
    super(`${method} ${url} answered ${status}`);
    this.name = "HttpError";
  }
}

export interface HttpClient {
  request<T = unknown>(method: string, url: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  get<T = unknown>(url: string, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  post<T = unknown>(url: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  put<T = unknown>(url: string, body?: unknown, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
  delete<T = unknown>(url: string, options?: HttpRequestOptions): Promise<HttpResponse<T>>;
}

export function createHttpClient({ timeoutMs = 10_000, headers: baseHeaders = {} } = {}): HttpClient {
  async function request<T>(method: string, url: string, body?: unknown, options: HttpRequestOptions = {}) {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers: Record<string, string> = { accept: "application/json", ...baseHeaders, ...options.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      if (typeof body !== "string") headers["content-type"] ??= "application/json";
    }
    const response = await fetch(url, { method, headers, body: payload, signal });
    const text = await response.text();
    const isJson = /\bjson\b/i.test(response.headers.get("content-type") ?? "") && text !== "";
    const data = (isJson ? JSON.parse(text) : text) as T;
    if (!response.ok) throw new HttpError(method, url, response.status, data);
    return { status: response.status, headers: response.headers, data };
  }
  return {
    request,
    get: (url, options) => request("GET", url, undefined, options),
    post: (url, body, options) => request("POST", url, body, options),
    put: (url, body, options) => request("PUT", url, body, options),
    delete: (url, options) => request("DELETE", url, undefined, options),
  };
}
