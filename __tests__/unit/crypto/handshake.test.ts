import {
  acceptHello,
  channelBindingFromFingerprints,
  createHello,
  CryptoError,
  decodeHello,
  finishHandshake,
  generateIdentity,
  ratchetDecrypt,
  ratchetEncrypt,
  type DeviceIdentity,
  type HandshakeErrorCode,
} from "@/lib/crypto";
import { seededRandom } from "./support/random";
import { text, untext } from "./support/pair";

const random = seededRandom("handshake");
let ada: DeviceIdentity;
let bert: DeviceIdentity;
let eve: DeviceIdentity;

beforeAll(async () => {
  [ada, bert, eve] = [generateIdentity(random), generateIdentity(random), generateIdentity(random)];
});

const helloOf = (identity: DeviceIdentity, nickname: string, deviceId: string) => createHello({ identity, nickname, deviceId, random });

async function expectCode(fn: () => unknown, code: HandshakeErrorCode): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CryptoError);
  expect((caught as CryptoError).code).toBe(code);
}

describe("handshake", () => {
  it("gives both sides one session with opposite roles and the same id, usable at once both ways", async () => {
    const binding = channelBindingFromFingerprints("AA:BB", "cc:dd");
    const h1 = await helloOf(ada, "ada", "ada-laptop");
    const h2 = await helloOf(bert, "bert", "bert-phone");
    const a1 = await acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey, nickname: "bert", deviceId: "bert-phone" }, channelBinding: binding });
    const a2 = await acceptHello(h2.state, h1.hello, { expectedPeer: () => ada.signPublicKey, channelBinding: channelBindingFromFingerprints("CC:DD", "aa:bb") });
    const s1 = await finishHandshake(a1.state, a2.auth, { now: 5, random });
    const s2 = await finishHandshake(a2.state, a1.auth, { now: 5, random });
    expect(new Set([s1.role, s2.role])).toEqual(new Set(["alice", "bob"]));
    expect(s1.sessionId).toEqual(s2.sessionId);
    expect(s1.remote).toMatchObject({ nickname: "bert", deviceId: "bert-phone" });
    const r = await ratchetDecrypt(s2, ratchetEncrypt(s1, text("hi"), 6), 6, random);
    expect(r.ok && untext(r.plaintext)).toBe("hi");
    const back = await ratchetDecrypt(s1, ratchetEncrypt(s2, text("hi back"), 7), 7, random);
    expect(back.ok && untext(back.plaintext)).toBe("hi back");
  });

  it("round-trips the hello fields", async () => {
    const h = await helloOf(ada, "ädä 🙂", "device-1");
    expect(decodeHello(h.hello)).toMatchObject({ version: 1, nickname: "ädä 🙂", deviceId: "device-1", signPublicKey: ada.signPublicKey });
  });

  it("refuses a peer whose signing key is not the one expected", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(eve, "bert", "b");
    await expectCode(() => acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } }), "UNEXPECTED_IDENTITY");
  });

  it("refuses a peer whose nickname or device id is not the one expected", async () => {
    const h2 = await helloOf(bert, "bert", "b");
    await expectCode(async () => acceptHello((await helloOf(ada, "ada", "a")).state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey, nickname: "bart" } }), "UNEXPECTED_IDENTITY");
    await expectCode(async () => acceptHello((await helloOf(ada, "ada", "a")).state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey, deviceId: "c" } }), "UNEXPECTED_IDENTITY");
    await expectCode(async () => acceptHello((await helloOf(ada, "ada", "a")).state, h2.hello, { expectedPeer: () => undefined }), "UNEXPECTED_IDENTITY");
  });

  it("refuses its own hello reflected back", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    await expectCode(() => acceptHello(h1.state, h1.hello, { expectedPeer: { signPublicKey: ada.signPublicKey } }), "REFLECTED");
  });

  it("ends with TRANSCRIPT_MISMATCH when the channel bindings differ (a relayed channel)", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(bert, "bert", "b");
    const a1 = await acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey }, channelBinding: text("fp-1") });
    const a2 = await acceptHello(h2.state, h1.hello, { expectedPeer: { signPublicKey: ada.signPublicKey }, channelBinding: text("fp-2") });
    await expectCode(() => finishHandshake(a1.state, a2.auth, { now: 0, random }), "TRANSCRIPT_MISMATCH");
  });

  it("ends with TRANSCRIPT_MISMATCH when a man in the middle swaps the ephemeral key", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(bert, "bert", "b");
    const forged = h2.hello.slice();
    forged.set((await helloOf(eve, "eve", "e")).hello.subarray(34, 66), 34);
    const a1 = await acceptHello(h1.state, forged, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    const a2 = await acceptHello(h2.state, h1.hello, { expectedPeer: { signPublicKey: ada.signPublicKey } });
    await expectCode(() => finishHandshake(a1.state, a2.auth, { now: 0, random }), "TRANSCRIPT_MISMATCH");
  });

  it("ends with BAD_SIGNATURE when one bit of the signature flips", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(bert, "bert", "b");
    const a1 = await acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    const a2 = await acceptHello(h2.state, h1.hello, { expectedPeer: { signPublicKey: ada.signPublicKey } });
    const bad = a2.auth.slice();
    bad[50] = (bad[50] as number) ^ 4;
    await expectCode(() => finishHandshake(a1.state, bad, { now: 0, random }), "BAD_SIGNATURE");
  });

  it("ends with BAD_SIGNATURE when the peer replays its own auth as the other role's", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(bert, "bert", "b");
    const a1 = await acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    await acceptHello(h2.state, h1.hello, { expectedPeer: { signPublicKey: ada.signPublicKey } });
    await expectCode(() => finishHandshake(a1.state, a1.auth, { now: 0, random }), "BAD_SIGNATURE");
  });

  it("refuses another protocol version and malformed messages with typed errors", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(bert, "bert", "b");
    const v2 = h2.hello.slice();
    v2[0] = 2;
    await expectCode(() => decodeHello(v2), "UNSUPPORTED_VERSION");
    await expectCode(() => decodeHello(h2.hello.subarray(0, 99)), "MALFORMED");
    await expectCode(() => decodeHello(new Uint8Array([...h2.hello, 0])), "MALFORMED");
    const a1 = await acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    await expectCode(() => finishHandshake(a1.state, a1.auth.subarray(1), { now: 0, random }), "UNSUPPORTED_VERSION");
    const again = await acceptHello((await helloOf(ada, "ada", "a")).state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    await expectCode(() => finishHandshake(again.state, h1.hello, { now: 0, random }), "MALFORMED");
  });

  it("wipes its secrets on every failure, and a failed state cannot be tried again", async () => {
    const zero = new Uint8Array(32);
    // acceptHello refusing the peer: the ephemeral secret goes.
    const h1 = await helloOf(ada, "ada", "a");
    await expectCode(async () => acceptHello(h1.state, (await helloOf(eve, "bert", "b")).hello, { expectedPeer: { signPublicKey: bert.signPublicKey } }), "UNEXPECTED_IDENTITY");
    expect(h1.state.ephemeral.secretKey).toEqual(zero);
    await expect(acceptHello(h1.state, (await helloOf(bert, "bert", "b")).hello, { expectedPeer: { signPublicKey: bert.signPublicKey } })).rejects.toThrow(TypeError);
    // finishHandshake refusing the auth: the DH output and the ephemeral secret go.
    const h2 = await helloOf(ada, "ada", "a");
    const h3 = await helloOf(bert, "bert", "b");
    const mine = await acceptHello(h2.state, h3.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    const theirs = await acceptHello(h3.state, h2.hello, { expectedPeer: { signPublicKey: ada.signPublicKey } });
    const forged = theirs.auth.slice();
    forged[50] = (forged[50] as number) ^ 1;
    await expectCode(() => finishHandshake(mine.state, forged, { now: 0, random }), "BAD_SIGNATURE");
    expect(mine.state.shared).toEqual(zero);
    expect(mine.state.ephemeral.secretKey).toEqual(zero);
    await expect(finishHandshake(mine.state, theirs.auth, { now: 0, random })).rejects.toThrow(TypeError);
  });

  it("abandonHandshake wipes a handshake that will not finish, at either stage", async () => {
    const { abandonHandshake } = await import("@/lib/crypto");
    const zero = new Uint8Array(32);
    const h1 = await helloOf(ada, "ada", "a");
    abandonHandshake(h1.state);
    expect(h1.state.ephemeral.secretKey).toEqual(zero);
    const h2 = await helloOf(ada, "ada", "a");
    const a2 = await acceptHello(h2.state, (await helloOf(bert, "bert", "b")).hello, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    abandonHandshake(a2.state);
    expect([a2.state.shared, a2.state.ephemeral.secretKey]).toEqual([zero, zero]);
    await expect(finishHandshake(a2.state, new Uint8Array(98), { now: 0, random })).rejects.toThrow(TypeError);
  });

  it("refuses an all-zero (low-order) ephemeral key with WEAK_KEY", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(bert, "bert", "b");
    const weak = h2.hello.slice();
    weak.fill(0, 34, 66);
    await expectCode(() => acceptHello(h1.state, weak, { expectedPeer: { signPublicKey: bert.signPublicKey } }), "WEAK_KEY");
  });

  it("refuses to reuse a handshake state", async () => {
    const h1 = await helloOf(ada, "ada", "a");
    const h2 = await helloOf(bert, "bert", "b");
    const a1 = await acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } });
    await expect(acceptHello(h1.state, h2.hello, { expectedPeer: { signPublicKey: bert.signPublicKey } })).rejects.toThrow(TypeError);
    const a2 = await acceptHello(h2.state, h1.hello, { expectedPeer: { signPublicKey: ada.signPublicKey } });
    await finishHandshake(a1.state, a2.auth, { now: 0, random });
    await expect(finishHandshake(a1.state, a2.auth, { now: 0, random })).rejects.toThrow(TypeError);
  });

  it("refuses misuse with TypeError/RangeError", async () => {
    await expect(createHello({ identity: ada, nickname: "", deviceId: "d", random })).rejects.toThrow(RangeError);
    await expect(createHello({ identity: ada, nickname: "x".repeat(65), deviceId: "d", random })).rejects.toThrow(RangeError);
    await expect(createHello({ identity: ada, nickname: "n", deviceId: "d", random: (n) => new Uint8Array(n - 1) })).rejects.toThrow(RangeError);
    const h1 = await helloOf(ada, "ada", "a");
    await expect(acceptHello(h1.state, (await helloOf(bert, "b", "b")).hello, {} as never)).rejects.toThrow(TypeError);
  });

  it("binds the DTLS fingerprints regardless of order and case", async () => {
    expect(channelBindingFromFingerprints("AB:CD", "ef:01")).toEqual(channelBindingFromFingerprints("EF:01", "ab:cd"));
    expect(channelBindingFromFingerprints("AB:CD", "EF:01")).not.toEqual(channelBindingFromFingerprints("AB:CD", "EF:02"));
  });
});
