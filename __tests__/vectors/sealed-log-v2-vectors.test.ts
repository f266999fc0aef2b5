// Known-answer vectors of the version-2 sealed record (docs/protocol.md
// "Sealed record, version 2"): from fixed draws, lib/crypto's home side seals
// two epochs and the committed bytes must come out; the phone side must open
// them on both implementations of the primitives. UPDATE_VECTORS=1 rewrites
// the "expected" part; the independent test (sealed-log-v2-independent) is
// what makes these evidence rather than a snapshot.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { closeLogEpoch, createLogOpener, openLogEpoch, sealInEpoch, tweetnaclPrimitives, webCryptoPrimitives, type Primitives } from "@/lib/crypto";
import { dhKeyPairFromSecret } from "@/lib/crypto/dh";
import { fromHex, toHex, utf8Encode } from "@/lib/crypto/bytes";
import { fixedRandom } from "../unit/crypto/support/random";
import vectors from "./sealed-log-v2.json";

function build() {
  const { logSecretKey, epochs } = vectors.inputs;
  const logPublicKey = dhKeyPairFromSecret(fromHex(logSecretKey)).publicKey;
  const random = fixedRandom(epochs.map((e) => fromHex(e.draw)));
  const sealed: string[] = [];
  for (const e of epochs) {
    const epoch = openLogEpoch(logPublicKey, e.openedAt, random);
    for (const text of e.records) sealed.push(toHex(sealInEpoch(epoch, utf8Encode(text))));
    closeLogEpoch(epoch);
  }
  random.assertExhausted();
  return { logPublicKey: toHex(logPublicKey), sealed };
}

describe("sealed record v2 vectors (__tests__/vectors/sealed-log-v2.json)", () => {
  const rebuilt = build();
  if (process.env.UPDATE_VECTORS === "1") {
    writeFileSync(join(__dirname, "sealed-log-v2.json"), JSON.stringify({ ...vectors, expected: rebuilt }, null, 2) + "\n");
  }

  it("seals every record byte for byte from the listed draws", () => {
    expect(rebuilt).toEqual(vectors.expected);
  });

  it.each([
    ["tweetnacl", tweetnaclPrimitives],
    ["native WebCrypto", webCryptoPrimitives(globalThis.crypto.subtle)],
  ] as [string, Primitives][])("opens every record on %s", async (_name, primitives) => {
    const logSecretKey = fromHex(vectors.inputs.logSecretKey);
    const opener = await createLogOpener({ logSecretKey, logPublicKey: fromHex(vectors.expected.logPublicKey) }, primitives);
    const opened = await opener.open(vectors.expected.sealed.map(fromHex));
    opener.close();
    expect(opened.map((r) => new TextDecoder().decode(r!))).toEqual(vectors.inputs.epochs.flatMap((e) => e.records));
  });
});
