import { mintTurnCredential } from "@/lib/ice/turn-credentials";

// coturn's REST scheme (use-auth-secret). The expected password was computed
// with Python's hmac module, independently of this code:
//   base64.b64encode(hmac.new(b"north-star-turn-secret-01", b"1700003600:cmdevice0123456789", hashlib.sha1).digest())

describe("TURN credentials (coturn use-auth-secret)", () => {
  it("names the expiry and the device in the username and signs it with HMAC-SHA1", () => {
    const minted = mintTurnCredential("north-star-turn-secret-01", "cmdevice0123456789", 1_700_000_000_000, 3600);
    expect(minted).toEqual({ username: "1700003600:cmdevice0123456789", credential: "oH0kU/r+0M3PEb90ejvS/MfMC/4=", expiresAt: 1_700_003_600_000 });
  });

  it("rounds the clock down to whole seconds, as the TURN server reads it", () => {
    expect(mintTurnCredential("north-star-turn-secret-01", "d", 1_700_000_000_999, 60).username).toBe("1700000060:d");
  });

  it("gives another password for another device, another expiry or another secret", () => {
    const base = mintTurnCredential("north-star-turn-secret-01", "device-a", 0, 600).credential;
    expect(mintTurnCredential("north-star-turn-secret-01", "device-b", 0, 600).credential).not.toBe(base);
    expect(mintTurnCredential("north-star-turn-secret-01", "device-a", 1000, 600).credential).not.toBe(base);
    expect(mintTurnCredential("north-star-turn-secret-02", "device-a", 0, 600).credential).not.toBe(base);
  });

  it("refuses misuse: an empty secret, a device id with the separator, a non-positive lifetime", () => {
    expect(() => mintTurnCredential("", "d", 0, 60)).toThrow(new TypeError("the TURN secret must not be empty"));
    expect(() => mintTurnCredential("s", "a:b", 0, 60)).toThrow(TypeError);
    expect(() => mintTurnCredential("s", "", 0, 60)).toThrow(TypeError);
    expect(() => mintTurnCredential("s", "d", 0, 0)).toThrow(RangeError);
    expect(() => mintTurnCredential("s", "d", 0, 1.5)).toThrow(RangeError);
  });
});
