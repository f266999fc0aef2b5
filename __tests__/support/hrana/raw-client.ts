// A bare Hrana-over-HTTP client for protocol tests: it sends exactly the JSON
// it is given, so a test can show what the wire carries, and keeps the baton
// of one stream between calls.

export interface RawResponse {
  status: number;
  contentType: string | null;
  text: string;
  // Parsed JSON body, when the response is JSON.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RawOptions {
  token?: string;
  version?: 2 | 3;
}

export async function postPipeline(url: string, body: unknown, opts: RawOptions & { headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${url}/v${opts.version ?? 2}/pipeline`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  const contentType = res.headers.get("content-type");
  return { status: res.status, contentType, text, json: contentType === "application/json" ? JSON.parse(text) : undefined };
}

/** One stream: each `send` carries the baton the previous response gave. */
export class RawStream {
  baton: string | null = null;

  constructor(
    private readonly url: string,
    private readonly opts: RawOptions = {},
  ) {}

  /** The full response; the baton is kept only from a 200. */
  async post(requests: unknown[]): Promise<RawResponse> {
    const res = await postPipeline(this.url, { baton: this.baton, requests }, this.opts);
    if (res.status === 200) this.baton = res.json.baton;
    return res;
  }

  /** The results of a pipeline that must succeed at the HTTP level. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async send(requests: unknown[]): Promise<any[]> {
    const res = await this.post(requests);
    if (res.status !== 200) throw new Error(`pipeline answered ${res.status}: ${res.text}`);
    return res.json.results;
  }

  /** Executes one statement and returns its result, failing on a stream error. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async execute(sql: string, args: unknown[] = []): Promise<any> {
    const [result] = await this.send([{ type: "execute", stmt: { sql, args } }]);
    if (result.type !== "ok") throw new Error(`execute failed: ${JSON.stringify(result.error)}`);
    return result.response.result;
  }

  async close(): Promise<void> {
    if (this.baton !== null) await this.send([{ type: "close" }]);
  }
}

/** Waits for a condition (never a fixed sleep), failing with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const int = (value: bigint | number) => ({ type: "integer", value: String(value) });
export const text = (value: string) => ({ type: "text", value });

/** Executes one statement on a stream of its own and closes it, as @libsql/client's `execute` does. */
export async function executeOnce(url: string, sql: string, opts: RawOptions = {}): Promise<void> {
  const res = await postPipeline(url, { requests: [{ type: "execute", stmt: { sql } }, { type: "close" }] }, opts);
  if (res.status !== 200 || res.json.results[0].type !== "ok") throw new Error(`${sql} failed: ${res.text}`);
}
