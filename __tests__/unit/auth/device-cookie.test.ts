import { DEVICE_COOKIE_MAX_AGE_SEC, deviceCookieHeader, deviceCookieName, issueDeviceCookie, verifyDeviceCookie } from "@/lib/auth/device-cookie";

const SECRET = "device-cookie-test-secret-0123456789abcdef";

describe("device cookies (OWASP)", () => {
  it("verifies a cookie it issued for that nickname, giving its nonce", () => {
    const cookie = issueDeviceCookie("alice", SECRET, false);
    expect(cookie.name).toBe("communisp-device-alice");
    const nonce = verifyDeviceCookie("alice", cookie.value, SECRET);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cookie.value.startsWith(`${nonce}.`)).toBe(true);
  });

  it("refuses another nickname's, another server's, a flipped byte, an expired or a future one, and garbage", () => {
    const now = Date.now();
    const cookie = issueDeviceCookie("alice", SECRET, false, now).value;
    expect(verifyDeviceCookie("bob", cookie, SECRET, now)).toBeNull();
    expect(verifyDeviceCookie("alice", cookie, "another-secret-another-secret-another-secret", now)).toBeNull();
    for (let i = 0; i < cookie.length; i++) {
      if (cookie[i] === ".") continue;
      const flipped = cookie.slice(0, i) + (cookie[i] === "A" ? "B" : "A") + cookie.slice(i + 1);
      expect(verifyDeviceCookie("alice", flipped, SECRET, now)).toBeNull();
    }
    expect(verifyDeviceCookie("alice", cookie, SECRET, now + (DEVICE_COOKIE_MAX_AGE_SEC + 1) * 1000)).toBeNull();
    expect(verifyDeviceCookie("alice", issueDeviceCookie("alice", SECRET, false, now + 3600_000).value, SECRET, now)).toBeNull();
    for (const junk of [undefined, "", "a.b.c", `${cookie}.x`, cookie.replace(/\./g, "")]) expect(verifyDeviceCookie("alice", junk, SECRET, now)).toBeNull();
  });

  it("is HttpOnly, SameSite=Strict, sent only to the login callback, and Secure-prefixed on https", () => {
    const plain = deviceCookieHeader(issueDeviceCookie("alice", SECRET, false), false);
    expect(plain).toMatch(/^communisp-device-alice=[^;]+; Path=\/api\/auth\/callback; Max-Age=31536000; HttpOnly; SameSite=Strict$/);
    expect(deviceCookieName("alice", true)).toBe("__Secure-communisp-device-alice");
    expect(deviceCookieHeader(issueDeviceCookie("alice", SECRET, true), true)).toMatch(/^__Secure-communisp-device-alice=.+; Secure$/);
  });
});
