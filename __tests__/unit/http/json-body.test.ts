import { z } from "zod";
import { ApiError } from "@/lib/http/api-error";
import { MAX_BODY_BYTES, parseJsonBody } from "@/lib/http/json-body";

const schema = z.object({ a: z.number() }).strict();
const req = (body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://x/", { method: "POST", body, headers, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("parseJsonBody", () => {
  it("returns the parsed, validated value", async () => {
    await expect(parseJsonBody(req('{"a":1}'), schema)).resolves.toEqual({ a: 1 });
  });

  it("refuses malformed JSON, invalid UTF-8, a wrong shape and a wrong content type with distinct codes", async () => {
    expect(await failure(parseJsonBody(req("{a:1}"), schema))).toMatchObject({ status: 400, code: "invalid_json" });
    expect(await failure(parseJsonBody(req(new Uint8Array([0x7b, 0xff, 0x7d])), schema))).toMatchObject({ status: 400, code: "invalid_json" });
    expect(await failure(parseJsonBody(req('{"a":"1"}'), schema))).toMatchObject({ status: 400, code: "invalid_input", message: "a: Invalid input: expected number, received string" });
    expect(await failure(parseJsonBody(req('{"a":1}', { "content-type": "text/plain" }), schema))).toMatchObject({ status: 415 });
    expect(await failure(parseJsonBody(req(""), schema))).toMatchObject({ status: 400, code: "invalid_json" });
  });

  it("refuses a body over the cap whether or not it declares its length", async () => {
    const big = `{"a":1,"pad":"${"x".repeat(MAX_BODY_BYTES)}"}`;
    expect(await failure(parseJsonBody(req(big), schema))).toMatchObject({ status: 413, code: "payload_too_large" });
    const chunks = [new TextEncoder().encode(big.slice(0, 10_000)), new TextEncoder().encode(big.slice(10_000))];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect(await failure(parseJsonBody(req(stream), schema))).toMatchObject({ status: 413 });
  });

  it("accepts a body of exactly the cap", async () => {
    const pad = MAX_BODY_BYTES - '{"a":1,"p":""}'.length;
    await expect(parseJsonBody(req(`{"a":1,"p":"${"x".repeat(pad)}"}`), z.object({ a: z.number(), p: z.string() }))).resolves.toMatchObject({ a: 1 });
  });
});
