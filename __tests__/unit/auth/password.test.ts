import { hashPassword, verifyPassword, type ScryptParams } from "@/lib/auth/password";

// Cheap parameters keep the unit test fast; the OWASP defaults are checked by
// the register route test, which reads the stored hash.
const cheap: ScryptParams = { logN: 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery", cheap);
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    await expect(verifyPassword("correct horse battery", stored)).resolves.toBe(true);
    await expect(verifyPassword("correct horse batterY", stored)).resolves.toBe(false);
    await expect(verifyPassword("", stored)).resolves.toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same password", cheap)).not.toBe(await hashPassword("same password", cheap));
  });

  it("treats canonically equal Unicode the same (NFC)", async () => {
    const stored = await hashPassword("caf\u00e9 au lait!", cheap);
    await expect(verifyPassword("cafe\u0301 au lait!", stored)).resolves.toBe(true);
  });

  it("refuses a hash in an unknown format instead of guessing", async () => {
    await expect(verifyPassword("x", "$argon2id$v=19$m=1,t=1,p=1$abc$def")).rejects.toThrow(TypeError);
  });

  it("fails, rather than matching, when the stored hash was tampered with", async () => {
    const stored = await hashPassword("correct horse battery", cheap);
    const tampered = stored.slice(0, -2) + (stored.endsWith("AA") ? "BA" : "AA");
    await expect(verifyPassword("correct horse battery", tampered)).resolves.toBe(false);
  });
});
