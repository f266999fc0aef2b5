import fc from "fast-check";
import { deviceNameSchema } from "@/lib/account-devices/schemas";

// Device names are shown to the person deciding whether to revoke a device:
// they must read as what they are (issue 10).

describe("deviceNameSchema", () => {
  it("accepts ordinary names in any script, with emoji", () => {
    for (const name of ["Chrome on Linux (phone)", "Émile's laptop", "電腦", "ноутбук", "هاتف", "📱 phone"]) expect(deviceNameSchema.safeParse(name).success).toBe(true);
  });

  it("refuses every bidirectional control and invisible format character, wherever it stands", () => {
    const invisible = ["\u061c", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u180e", "\u3164", "\u2028", "\u2029", "\u{e0041}"];
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom(...invisible), fc.nat(), (base, bad, at) => {
        const name = `x${base}x`;
        const i = 1 + (at % (name.length - 1));
        return !deviceNameSchema.safeParse(name.slice(0, i) + bad + name.slice(i)).success;
      }),
      { numRuns: 2000 },
    );
  });
});
