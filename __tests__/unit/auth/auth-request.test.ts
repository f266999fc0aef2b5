import { NextRequest } from "next/server";
import { canonicalAuthPost, checkAuthGet } from "@/lib/auth/auth-request";

// Only the app's own form reaches next-auth (issue 10): the decoy-nickname
// and path-spelling attacks depend on next-auth reading a request differently
// from whoever counted it.

const FORM = "application/x-www-form-urlencoded";
const post = (body: string, opts: { contentType?: string; query?: string } = {}) =>
  new NextRequest(`http://127.0.0.1:3000/api/auth/callback/credentials${opts.query ?? ""}`, { method: "POST", headers: { "content-type": opts.contentType ?? FORM }, body });
const login = "nickname=alice&password=correct+horse&csrfToken=t&json=true&callbackUrl=%2Fchat";

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return { status: (error as { status: number }).status, code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error("expected a refusal");
};

describe("canonicalAuthPost", () => {
  it("passes the login form on, body intact", async () => {
    const checked = await canonicalAuthPost(post(login), ["callback", "credentials"]);
    expect(await checked.text()).toBe(login);
    expect(checked.method).toBe("POST");
  });

  it.each([
    ["a repeated nickname (the decoy)", "nickname=decoy&nickname=alice&password=x&csrfToken=t", "nickname: must be sent once"],
    ["a repeated password", "nickname=alice&password=a&password=b&csrfToken=t", "password: must be sent once"],
    ["a repeated token", "nickname=alice&password=a&csrfToken=t&csrfToken=t", "csrfToken: must be sent once"],
    ["an unknown field", `${login}&redirect=false`, 'body: unknown field "redirect"'],
    ["a missing password", "nickname=alice&csrfToken=t", "password: is required"],
  ])("refuses %s with 400", async (_what, body, message) => {
    expect(await refusal(canonicalAuthPost(post(body), ["callback", "credentials"]))).toEqual({ status: 400, code: "invalid_input", message });
  });

  it("refuses JSON (next-auth would parse it, and crash on a broken one) with 415, and fields in the URL with 400", async () => {
    expect((await refusal(canonicalAuthPost(post('{"nickname":', { contentType: "application/json" }), ["callback", "credentials"]))).status).toBe(415);
    expect((await refusal(canonicalAuthPost(post(login, { query: "?nickname=bob" }), ["callback", "credentials"]))).status).toBe(400);
    expect((await refusal(canonicalAuthPost(post("x".repeat(17 * 1024)), ["callback", "credentials"]))).status).toBe(413);
  });

  it("knows only the credentials callback and sign-out", async () => {
    for (const segments of [["callback", "github"], ["callback", "credentials", "x"], ["session"], ["_log"], ["signin", "credentials"], undefined]) {
      expect((await refusal(canonicalAuthPost(post(login), segments))).status).toBe(404);
    }
    const signout = new NextRequest("http://127.0.0.1:3000/api/auth/signout", { method: "POST", headers: { "content-type": FORM }, body: "csrfToken=t&callbackUrl=%2Flogin&json=true" });
    expect(await (await canonicalAuthPost(signout, ["signout"])).text()).toBe("csrfToken=t&callbackUrl=%2Flogin&json=true");
  });
});

describe("checkAuthGet", () => {
  it("allows next-auth's read-only endpoints and nothing else", () => {
    for (const action of ["csrf", "session", "providers", "signin", "signout", "error"]) expect(() => checkAuthGet([action])).not.toThrow();
    for (const segments of [["callback", "credentials"], ["verify-request"], ["csrf", "x"], []]) expect(() => checkAuthGet(segments)).toThrow(expect.objectContaining({ status: 404 }));
  });
});

describe("safeRedirect (next-auth's redirect callback)", () => {
  const { safeRedirect } = require("@/lib/auth/options") as typeof import("@/lib/auth/options");
  const base = "http://127.0.0.1:3000";
  it("keeps the app's own paths and URLs, and sends anything else home instead of throwing", () => {
    expect(safeRedirect("/chat", base)).toBe(`${base}/chat`);
    expect(safeRedirect(`${base}/settings`, base)).toBe(`${base}/settings`);
    for (const url of [" ", "a b", "https://evil.example/chat", "//evil.example/x", "javascript:alert(1)", ""]) expect(safeRedirect(url, base)).toBe(base);
  });
});
