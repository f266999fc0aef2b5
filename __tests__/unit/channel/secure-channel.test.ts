import { SecureChannel, type ChannelError } from "@/lib/channel/secure-channel";
import {
  generateIdentity,
  ratchetEncrypt,
  ROTATE_MS,
  REKEY_GRACE_MS,
  REKEY_PERIODS,
  tweetnaclPrimitives,
  webCryptoPrimitives,
  type DeviceIdentity,
  type Primitives,
  type RatchetConfig,
  type Session,
} from "@/lib/crypto";
import type { Frame } from "@/lib/protocol";
import { FakeLink, flush, seededRandom } from "../support/fake-link";

const id = (n: number) => String.fromCharCode(65 + n).repeat(22);
let clock = 1_700_000_000_000;
const now = () => clock;

interface Side {
  channel: SecureChannel;
  link: FakeLink;
  frames: Frame[];
  closedWith: (ChannelError | null)[];
  identity: DeviceIdentity;
}

// tweetnacl by default: its promises settle in microtasks, so a few flushes
// see a handshake through even under fake timers. One test runs on native
// WebCrypto, whose work finishes on other threads, and waits for it.
function setUp(
  opts: { prints?: [string, string]; bobKeyAsSeenByAlice?: Uint8Array; config?: Partial<RatchetConfig>; seed?: number; primitives?: Primitives } = {},
): [Side, Side] {
  const [aliceLink, bobLink] = FakeLink.pair(opts.prints);
  const aliceId = generateIdentity(seededRandom(1));
  const bobId = generateIdentity(seededRandom(2));
  const make = (link: FakeLink, identity: DeviceIdentity, me: string, peer: string, peerKey: Uint8Array, seed: number): Side => {
    const channel = new SecureChannel({
      link,
      local: { identity, nickname: me, deviceId: `${me}-device` },
      remote: { nickname: peer, deviceId: `${peer}-device` },
      expectedKey: async () => peerKey,
      random: seededRandom(seed),
      clock: now,
      ratchetConfig: opts.config,
      primitives: opts.primitives ?? tweetnaclPrimitives,
    });
    const side: Side = { channel, link, frames: [], closedWith: [], identity };
    open.push(channel);
    channel.frame.on((f) => side.frames.push(f));
    channel.closed.on((e) => side.closedWith.push(e));
    return side;
  };
  const alice = make(aliceLink, aliceId, "alice", "bob", opts.bobKeyAsSeenByAlice ?? bobId.signPublicKey, 11 + (opts.seed ?? 0));
  const bob = make(bobLink, bobId, "bob", "alice", aliceId.signPublicKey, 22 + (opts.seed ?? 0));
  return [alice, bob];
}

const open: SecureChannel[] = [];
afterEach(() => {
  for (const channel of open.splice(0)) channel.close();
});

/** Waits (flushing the event loop) until `cond` holds; fails after 10 s saying what it waited for. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs the handshake to its end and asserts it succeeded: nothing asserted about traffic means anything otherwise. */
async function ready(...sides: Side[]) {
  await handshake(...sides);
  expect(sides.map((s) => s.channel.isReady)).toEqual(sides.map(() => true));
}

/** Lets a handshake run its course, whatever the outcome. */
async function handshake(...sides: Side[]) {
  for (let i = 0; i < 20 && !sides.every((s) => s.channel.isReady); i++) await flush();
}

describe("SecureChannel", () => {
  it("runs the handshake on open and carries frames both ways", async () => {
    const [alice, bob] = setUp();
    alice.link.open();
    await ready(alice, bob);
    expect(alice.channel.isReady && bob.channel.isReady).toBe(true);
    expect(alice.channel.remoteSignKey).toEqual(bob.identity.signPublicKey);
    expect(alice.channel.send({ t: "chat", id: id(0), sentAt: clock, text: "hi bob" })).toBe(true);
    expect(bob.channel.send({ t: "ack", id: id(0) })).toBe(true);
    await flush();
    expect(bob.frames).toEqual([{ t: "chat", id: id(0), sentAt: clock, text: "hi bob" }]);
    expect(alice.frames).toEqual([{ t: "ack", id: id(0) }]);
  });

  it("runs the handshake and the DH ratchet on native WebCrypto, frames both ways, each side sending while it decrypts", async () => {
    const native = webCryptoPrimitives(globalThis.crypto.subtle);
    const [alice, bob] = setUp({ primitives: native });
    alice.link.open();
    await until(() => alice.channel.isReady && bob.channel.isReady, "both channels ready");
    // Ping-pong: every message brings a new ratchet key, so every receipt awaits native X25519s.
    for (let n = 0; n < 6; n++) {
      const [from, to] = n % 2 === 0 ? [alice, bob] : [bob, alice];
      expect(from.channel.send({ t: "ack", id: id(n) })).toBe(true);
      // The receiver answers at once, while its own decryption of the last one may still be waiting on a DH.
      expect(to.channel.send({ t: "ack", id: id(10 + n) })).toBe(true);
    }
    await until(() => alice.frames.length === 6 && bob.frames.length === 6, "all twelve frames delivered");
    const ids = (frames: Frame[]) => frames.map((f) => ("id" in f ? f.id : "")).sort();
    expect(ids(bob.frames)).toEqual([0, 2, 4, 11, 13, 15].map(id).sort());
    expect(ids(alice.frames)).toEqual([1, 3, 5, 10, 12, 14].map(id).sort());
    expect(alice.channel.dropped + bob.channel.dropped).toBe(0);
  });

  it("never puts plaintext on the wire", async () => {
    const [alice, bob] = setUp();
    alice.link.open();
    await ready(alice, bob);
    alice.channel.send({ t: "chat", id: id(1), sentAt: clock, text: "a secret worth hiding" });
    const wire = Buffer.concat(alice.link.sent).toString("latin1");
    expect(wire).not.toContain("secret");
  });

  it("refuses to send before the handshake finished", () => {
    const [alice] = setUp();
    expect(alice.channel.send({ t: "ack", id: id(0) })).toBe(false);
  });

  it("fails the handshake when the peer cannot prove the key the server lists for it", async () => {
    const impostorKey = generateIdentity(seededRandom(99)).signPublicKey;
    const [alice, bob] = setUp({ bobKeyAsSeenByAlice: impostorKey });
    alice.link.open();
    await handshake(alice, bob);
    await flush();
    expect(alice.channel.isReady).toBe(false);
    expect(alice.closedWith[0]).toMatchObject({ code: "HANDSHAKE_FAILED", cause: "UNEXPECTED_IDENTITY" });
    expect(bob.channel.isReady).toBe(false);
    expect(alice.link.isOpen).toBe(false);
  });

  it("fails when the two ends see different DTLS fingerprints (a man in the middle of the transport)", async () => {
    const [aliceLink, bobLink] = FakeLink.pair();
    // The attacker terminates DTLS separately with each side: each sees another remote fingerprint.
    (bobLink as unknown as { prints: unknown }).prints = { local: "sha-256 BB:02", remote: "sha-256 EE:66" };
    const aliceId = generateIdentity(seededRandom(1));
    const bobId = generateIdentity(seededRandom(2));
    const errors: (ChannelError | null)[] = [];
    const alice = new SecureChannel({ link: aliceLink, local: { identity: aliceId, nickname: "alice", deviceId: "alice-device" }, remote: { nickname: "bob", deviceId: "bob-device" }, expectedKey: async () => bobId.signPublicKey, random: seededRandom(3), clock: now });
    const bob = new SecureChannel({ link: bobLink, local: { identity: bobId, nickname: "bob", deviceId: "bob-device" }, remote: { nickname: "alice", deviceId: "alice-device" }, expectedKey: async () => aliceId.signPublicKey, random: seededRandom(4), clock: now });
    alice.closed.on((e) => errors.push(e));
    bob.closed.on((e) => errors.push(e));
    aliceLink.open();
    // These two run on the page's default primitives (native here): wait for the outcome.
    await until(() => errors.length > 0, "the handshake to fail");
    expect(alice.isReady || bob.isReady).toBe(false);
    expect(errors.map((e) => e?.cause)).toContain("TRANSCRIPT_MISMATCH");
  });

  it("fails when the hello names another device than signaling said", async () => {
    const [aliceLink, bobLink] = FakeLink.pair();
    const aliceId = generateIdentity(seededRandom(1));
    const bobId = generateIdentity(seededRandom(2));
    const errors: (ChannelError | null)[] = [];
    const alice = new SecureChannel({ link: aliceLink, local: { identity: aliceId, nickname: "alice", deviceId: "alice-device" }, remote: { nickname: "bob", deviceId: "bob-phone" }, expectedKey: async () => bobId.signPublicKey, random: seededRandom(3), clock: now });
    new SecureChannel({ link: bobLink, local: { identity: bobId, nickname: "bob", deviceId: "bob-laptop" }, remote: { nickname: "alice", deviceId: "alice-device" }, expectedKey: async () => aliceId.signPublicKey, random: seededRandom(4), clock: now });
    alice.closed.on((e) => errors.push(e));
    aliceLink.open();
    await until(() => errors.length > 0, "the handshake to fail");
    expect(errors[0]).toMatchObject({ code: "HANDSHAKE_FAILED", cause: "UNEXPECTED_IDENTITY" });
  });

  it("drops and counts garbage, replays and tampered messages, and keeps working", async () => {
    const [alice, bob] = setUp();
    alice.link.open();
    await ready(alice, bob);
    alice.channel.send({ t: "chat", id: id(2), sentAt: clock, text: "first" });
    await flush();
    const recorded = alice.link.sent.at(-1)!;
    // Replay the exact bytes, flip a bit in another copy, and add junk.
    const flipped = recorded.slice();
    flipped[flipped.length - 40]! ^= 0x01;
    for (const bytes of [recorded, flipped, new Uint8Array([1, 3, 0, 0]), new Uint8Array(0)]) bob.link.message.emit(bytes);
    await flush();
    expect(bob.frames.map((f) => (f as { text?: string }).text)).toEqual(["first"]);
    expect(bob.channel.dropped).toBe(4);
    alice.channel.send({ t: "chat", id: id(3), sentAt: clock, text: "second" });
    await flush();
    expect(bob.frames.map((f) => (f as { text?: string }).text)).toEqual(["first", "second"]);
  });

  it("drops a ratchet message whose plaintext is not a frame", async () => {
    const [alice, bob] = setUp();
    alice.link.open();
    await ready(alice, bob);
    // Encrypt something that is not a frame by reaching past send(): mutate the wire via the tap.
    const { ratchetEncrypt } = await import("@/lib/crypto");
    const session = (alice.channel as unknown as { phase: { session: Parameters<typeof ratchetEncrypt>[0] } }).phase.session;
    alice.link.send(ratchetEncrypt(session, new TextEncoder().encode('{"t":"launch-missiles"}'), clock));
    await flush();
    expect(bob.frames).toEqual([]);
    expect(bob.channel.dropped).toBe(1);
  });

  it("rekeys on its own after 60 s, even with nobody sending, and messages still flow", async () => {
    jest.useFakeTimers({ doNotFake: ["queueMicrotask", "setImmediate", "nextTick"] });
    try {
      const [alice, bob] = setUp();
      alice.link.open();
      await ready(alice, bob);
      const before = alice.link.sent.length + bob.link.sent.length;
      clock += 61_000;
      jest.advanceTimersByTime(61_000);
      for (let i = 0; i < 10; i++) await flush();
      const rekeys = alice.link.sent.length + bob.link.sent.length - before;
      expect(rekeys).toBeGreaterThanOrEqual(2); // a request and an answer, no application data
      expect(alice.frames.length + bob.frames.length).toBe(0);
      alice.channel.send({ t: "chat", id: id(4), sentAt: clock, text: "after the rekey" });
      await flush();
      expect(bob.frames).toEqual([{ t: "chat", id: id(4), sentAt: clock, text: "after the rekey" }]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("closes when the link closes, and close() is safe twice", async () => {
    const [alice, bob] = setUp();
    alice.link.open();
    await ready(alice, bob);
    alice.link.close();
    expect(alice.closedWith).toEqual([expect.objectContaining({ code: "LINK_CLOSED" })]);
    alice.channel.close();
    alice.channel.close();
    expect(alice.channel.send({ t: "ack", id: id(0) })).toBe(false);
  });

  it("refuses the handshake when the transport offers no DTLS fingerprints to bind to", async () => {
    const [aliceLink, bobLink] = FakeLink.pair();
    (aliceLink as unknown as { prints: unknown }).prints = null;
    const aliceId = generateIdentity(seededRandom(1));
    const bobId = generateIdentity(seededRandom(2));
    const errors: (ChannelError | null)[] = [];
    const alice = new SecureChannel({ link: aliceLink, local: { identity: aliceId, nickname: "alice", deviceId: "alice-device" }, remote: { nickname: "bob", deviceId: "bob-device" }, expectedKey: async () => bobId.signPublicKey, random: seededRandom(3), clock: now });
    const bob = new SecureChannel({ link: bobLink, local: { identity: bobId, nickname: "bob", deviceId: "bob-device" }, remote: { nickname: "alice", deviceId: "alice-device" }, expectedKey: async () => aliceId.signPublicKey, random: seededRandom(4), clock: now });
    open.push(alice, bob);
    alice.closed.on((e) => errors.push(e));
    aliceLink.open();
    // These two run on the page's default primitives (native here): wait for the outcome.
    await until(() => errors.length > 0, "the handshake to fail");
    expect(alice.isReady || bob.isReady).toBe(false);
    expect(errors[0]).toMatchObject({ code: "HANDSHAKE_FAILED", cause: "NO_CHANNEL_BINDING" });
  });

  it("gives both ends the same session id, which no other channel has", async () => {
    const [alice, bob] = setUp();
    expect(alice.channel.sessionId).toBeNull();
    alice.link.open();
    await ready(alice, bob);
    expect(alice.channel.sessionId).toHaveLength(32);
    expect(alice.channel.sessionId).toEqual(bob.channel.sessionId);
    const [carol, dave] = setUp({ seed: 100 });
    carol.link.open();
    await ready(carol, dave);
    expect(carol.channel.sessionId).not.toEqual(alice.channel.sessionId);
  });

  it("wipes the session's secrets when it closes, and the handshake's when it closes half-way", async () => {
    const [alice, bob] = setUp();
    alice.link.open();
    await ready(alice, bob);
    alice.channel.send({ t: "chat", id: id(5), sentAt: clock, text: "something to have keys for" });
    await flush();
    const session = sessionOf(bob.channel);
    const secrets = () => [session.rk, session.cks, session.ckr, session.dhs.secretKey].map((k) => (k ? Buffer.from(k).toString("hex") : ""));
    expect(secrets().some((hex) => /[^0]/.test(hex))).toBe(true);
    bob.channel.close();
    for (const hex of secrets()) expect(hex).toMatch(/^0*$/);

    const [carol, dave] = setUp();
    dave.link.tap = () => null; // carol's hello goes out; the other side's never arrives
    carol.link.open();
    await flush();
    const hello = (carol.channel as unknown as { phase: { state: { ephemeral: { secretKey: Uint8Array } } } }).phase.state;
    expect(hello.ephemeral.secretKey.some((b) => b !== 0)).toBe(true);
    carol.channel.close();
    expect(hello.ephemeral.secretKey.every((b) => b === 0)).toBe(true);
  });

  describe("the 60 s rotation, enforced", () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ["queueMicrotask", "setImmediate", "nextTick"] }));
    afterEach(() => jest.useRealTimers());
    const advance = async (ms: number) => {
      for (let left = ms; left > 0; left -= 1000) {
        clock += Math.min(1000, left);
        jest.advanceTimersByTime(Math.min(1000, left));
        await flush();
      }
    };

    it("cuts off a peer that never answers a rekey within two periods of asking, and not before", async () => {
      const [alice, bob] = setUp();
      alice.link.open();
      await ready(alice, bob);
      const start = clock;
      // From now on bob's device goes quiet: it reads but never answers (no rekey answer, no data).
      bob.link.tap = () => null;
      await advance(ROTATE_MS); // alice's chain is due: she asks
      await advance(REKEY_PERIODS * ROTATE_MS - 1000);
      expect(alice.channel.isReady).toBe(true);
      await advance(1000);
      expect(clock - start).toBe(ROTATE_MS + REKEY_PERIODS * ROTATE_MS);
      expect(alice.channel.isReady).toBe(false);
      expect(alice.closedWith).toEqual([expect.objectContaining({ code: "REKEY_UNANSWERED" })]);
      expect(alice.link.isOpen).toBe(false);
    });

    it("refuses, counts and closes on messages from a peer that never renews its chain", async () => {
      const [alice, bob] = setUp();
      alice.link.open();
      await ready(alice, bob);
      // Bob's device runs a ratchet that never steps: it never sees alice's new keys.
      alice.link.tap = () => null;
      const frozen = sessionOf(bob.channel);
      const bobSends = (i: number) => bob.link.send(ratchetEncrypt(frozen, new TextEncoder().encode(JSON.stringify({ t: "chat", id: id(i), sentAt: clock, text: `tick ${i}` })), clock));
      const start = clock;
      let i = 0;
      while (alice.channel.isReady && clock - start < 10 * ROTATE_MS) {
        bobSends(i++);
        await advance(10_000);
      }
      expect(alice.closedWith).toEqual([expect.objectContaining({ code: "STALE_CHAIN" })]);
      expect(alice.channel.drops).toEqual({ unreadable: 0, staleChain: 1 });
      // Refused once the chain was older than two periods plus the grace, and not before.
      expect(alice.frames.length).toBe(Math.floor((REKEY_PERIODS * ROTATE_MS + REKEY_GRACE_MS) / 10_000) + 1);
      expect(clock - start).toBeLessThanOrEqual(REKEY_PERIODS * ROTATE_MS + REKEY_GRACE_MS + 20_000);
    });

    it("closes an expired session once, instead of waking every 50 ms forever", async () => {
      const [alice, bob] = setUp({ config: { idleMs: 3 * ROTATE_MS } });
      alice.link.open();
      await ready(alice, bob);
      await advance(3 * ROTATE_MS + 1000);
      expect(alice.closedWith).toEqual([expect.objectContaining({ code: "SESSION_EXPIRED" })]);
      expect(bob.channel.isReady).toBe(false);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});

function sessionOf(channel: SecureChannel): Session {
  return (channel as unknown as { phase: { session: Session } }).phase.session;
}
