import "fake-indexeddb/auto";
import nacl from "tweetnacl";
import type { Connection } from "@/lib/chat/connections";
import { createLogKeys, fromBase64, toBase64, type LogKeys, type LogPublicBundle, type PassphraseKdfParams } from "@/lib/crypto";
import { concatBytes, utf8Encode } from "@/lib/crypto/bytes";
import { createLogChallenge, encodeLogChallenge, decodeLogChallenge } from "@/lib/crypto/log-challenge";
import type { Frame } from "@/lib/protocol";
import { HomeService } from "@/lib/relay/home-service";
import { requestLogs, type LogRequestDeps } from "@/lib/relay/log-requester";
import { countLogs } from "@/lib/relay/log-store";
import type { HomePin } from "@/lib/relay/relay-settings";
import { sealedLogSink } from "@/lib/relay/sealed-sink";
import { storeOnce } from "@/lib/store/seen-store";
import { flush, seededRandom } from "../support/fake-link";
import { closeAll, connect, device, relayConnections, type Device } from "./support/devices";

// Log access across three devices of one account, over real secure channels:
// the real home relay (HomeService), the real phone (requestLogs) and a rogue
// device that knows the account password but not the log passphrase, and
// that the server (or the rogue itself) lists as the home. The rogue relays
// the home's challenges to the phone and the phone's proofs to the home.

jest.setTimeout(60_000);

const PASS = "correct horse battery staple";
/** The cheapest argon2id the floor accepts: the requester derives with production checks. */
const KDF: PassphraseKdfParams = { alg: "argon2id", m: 7168, t: 5, p: 1 };
const clock = 1_700_000_000_000;
const now = () => clock;
let keys: LogKeys;
let bundle: LogPublicBundle;
let n = 0;

beforeAll(async () => {
  ({ keys, bundle } = await createLogKeys(PASS, seededRandom(42), KDF));
});

interface World {
  account: string;
  home: Device;
  phone: Device;
  rogue: Device;
  service: HomeService;
  pins: HomePin[];
  random: (n: number) => Uint8Array;
}

const worlds: World[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) closeAll(w.home, w.phone, w.rogue);
});

async function world(records = 3): Promise<World> {
  const account = `alice${++n}`;
  const [home, phone, rogue] = [device(account, "home-device"), device(account, "phone-device"), device(account, "rogue-device")];
  const service = new HomeService({
    account,
    deviceId: home.deviceId,
    random: seededRandom(1000 + n),
    clock: now,
    settings: () => ({ logBundle: bundle, logsEnabled: true, pingOnReceived: false }),
    // The rogue is a genuine device of the account: the password is all it took.
    accountDevices: async () => [home.deviceId, phone.deviceId, rogue.deviceId],
    onCleared: () => undefined,
  });
  home.frames.on(({ connection, frame }) => void service.onFrame(connection, frame));
  const sink = sealedLogSink(account, bundle, seededRandom(2000 + n), now);
  for (let i = 0; i < records; i++) {
    const message = { account, id: `m${i}`, peer: "bob", direction: "in" as const, text: `message ${i}`, at: clock + i, status: "received" as const };
    await storeOnce({ account, peer: "bob", id: message.id, at: clock }, sink.stores, (tx) => sink.write(tx, message, "bob-device"));
  }
  // As the home does when it leaves: the open epoch wiped, and its 15-minute timer with it.
  sink.close();
  const w = { account, home, phone, rogue, service, pins: [], random: seededRandom(3000 + n) };
  worlds.push(w);
  return w;
}

/** The phone's requestLogs, asking whichever device the (possibly lying) server lists as home. */
function phoneDeps(w: World, listedHome: Device, pin: HomePin | null = null): LogRequestDeps {
  return {
    account: w.account,
    deviceId: w.phone.deviceId,
    connections: relayConnections(w.phone),
    random: w.random, // one source per phone: request ids never repeat
    clock: now,
    homeDevice: async () => listedHome.deviceId,
    homePin: { load: async () => pin ?? w.pins.at(-1) ?? null, save: async (p) => void w.pins.push(p) },
  };
}

/** The rogue in the middle: forwards the phone's request to the real home as `op`, and whatever comes back. */
function relayThrough(w: World, rogueToHome: Connection, rogueToPhone: Connection, op: "retrieve" | "clear") {
  const seen = { challenges: [] as Uint8Array[], proofs: [] as string[] };
  let phoneRid = "";
  const homeRid = "RRRRRRRRRRRRRRRRRRRRRR";
  w.rogue.frames.on(({ connection, frame }) => {
    if (connection === rogueToPhone && frame.t === "log-request") {
      phoneRid = frame.rid;
      rogueToHome.channel.send({ t: "log-request", rid: homeRid, op });
    } else if (connection === rogueToHome && frame.t === "log-challenge") {
      seen.challenges.push(fromBase64(frame.challenge));
      rogueToPhone.channel.send({ ...frame, rid: phoneRid });
    } else if (connection === rogueToPhone && frame.t === "log-proof") {
      seen.proofs.push(frame.proof);
      rogueToHome.channel.send({ t: "log-proof", rid: homeRid, proof: frame.proof });
    } else if (connection === rogueToHome && "rid" in frame) {
      rogueToPhone.channel.send({ ...frame, rid: phoneRid } as Frame);
    }
  });
  return { seen, homeRid };
}

/** What a phone that signed whatever it was given (before this check existed) would have sent. */
const blindProof = (challenge: Uint8Array) => toBase64(nacl.sign.detached(concatBytes(utf8Encode("CommunisP/W1/log-proof"), Uint8Array.of(0), challenge), keys.authoritySecretKey));

async function homeAnswer(device: Device, connection: Connection, rid: string): Promise<Frame> {
  let answer: Frame | undefined;
  const off = device.frames.on(({ connection: from, frame }) => {
    if (from === connection && "rid" in frame && frame.rid === rid) answer = frame;
  });
  for (let i = 0; i < 200 && !answer; i++) await flush();
  off();
  if (!answer) throw new Error("the home did not answer");
  return answer;
}

describe("a log-access proof is good for one request, on one channel, to one home", () => {
  it("the phone works with its real home: retrieves, pins the home, clears", async () => {
    const w = await world();
    await connect(w.phone, w.home, now);
    const got = await requestLogs(phoneDeps(w, w.home), { op: "retrieve", passphrase: PASS });
    expect(got.op === "retrieve" && got.result.records.map((r) => r.text)).toEqual(["message 0", "message 1", "message 2"]);
    expect(w.pins).toEqual([{ deviceId: w.home.deviceId, signPublicKey: toBase64(w.home.identity.signPublicKey) }]);
    expect(await requestLogs(phoneDeps(w, w.home), { op: "clear", passphrase: PASS })).toEqual({ op: "clear", cleared: 3 });
  });

  it("three devices: a rogue listed as home relays the home's Clear challenge to the phone; the phone signs nothing and the logs stay", async () => {
    const w = await world();
    const [rogueToHome] = await connect(w.rogue, w.home, now);
    const [phoneToRogue, rogueToPhone] = await connect(w.phone, w.rogue, now);
    const { seen, homeRid } = relayThrough(w, rogueToHome, rogueToPhone, "clear");

    await expect(requestLogs(phoneDeps(w, w.rogue), { op: "retrieve", passphrase: PASS })).rejects.toMatchObject({ reason: "bad-challenge" });
    expect(seen.challenges).toHaveLength(1);
    expect(seen.proofs).toEqual([]);
    expect(await countLogs(w.account)).toBe(3);
    expect(w.pins).toEqual([]); // nothing learnt from a device that never proved it holds the logs
    expect(phoneToRogue.channel.isReady).toBe(true);

    // The attack is real: the home does honour that challenge for whoever signs it.
    // A phone that signed whatever it was given (as before) handed the rogue the Clear.
    const challenge = decodeLogChallenge(seen.challenges[0]!);
    expect(challenge).toMatchObject({ op: "clear", requesterDeviceId: w.rogue.deviceId, homeDeviceId: w.home.deviceId });
    rogueToHome.channel.send({ t: "log-proof", rid: homeRid, proof: blindProof(seen.challenges[0]!) });
    expect(await homeAnswer(w.rogue, rogueToHome, homeRid)).toEqual({ t: "log-cleared", rid: homeRid, count: 3 });
  });

  it("three devices: relaying a Retrieve challenge (same operation) is refused just the same", async () => {
    const w = await world();
    const [rogueToHome] = await connect(w.rogue, w.home, now);
    const [, rogueToPhone] = await connect(w.phone, w.rogue, now);
    const { seen } = relayThrough(w, rogueToHome, rogueToPhone, "retrieve");
    await expect(requestLogs(phoneDeps(w, w.rogue), { op: "retrieve", passphrase: PASS })).rejects.toMatchObject({ reason: "bad-challenge" });
    expect(seen.proofs).toEqual([]);
  });

  it("a phone that pinned its home refuses when the server lists another device, before dialing it", async () => {
    const w = await world();
    const pin = { deviceId: w.home.deviceId, signPublicKey: toBase64(w.home.identity.signPublicKey) };
    const [, rogueToPhone] = await connect(w.phone, w.rogue, now);
    const heard: Frame[] = [];
    w.rogue.frames.on(({ frame }) => heard.push(frame));
    await expect(requestLogs(phoneDeps(w, w.rogue, pin), { op: "retrieve", passphrase: PASS })).rejects.toMatchObject({ reason: "home-changed" });
    // Same device id pinned, another key proven on the channel: also refused.
    const impostor = { deviceId: w.rogue.deviceId, signPublicKey: pin.signPublicKey };
    await expect(requestLogs(phoneDeps(w, w.rogue, impostor), { op: "retrieve", passphrase: PASS })).rejects.toMatchObject({ reason: "home-changed" });
    await flush();
    expect(heard).toEqual([]);
    expect(rogueToPhone.channel.isReady).toBe(true);
  });

  it("the phone refuses forged, expired and mis-addressed challenges from the device it dialled, and signs none of them", async () => {
    const w = await world();
    const [phoneToX, xToPhone] = await connect(w.phone, w.rogue, now);
    const sessionId = phoneToX.channel.sessionId!;
    const good = { op: "retrieve" as const, sessionId, requesterDeviceId: w.phone.deviceId, homeDeviceId: w.rogue.deviceId };
    const random = seededRandom(77);
    const forged: Record<string, Uint8Array> = {
      "names another requester": createLogChallenge({ ...good, requesterDeviceId: "someone-else", now: clock, random }).challenge,
      "names another home": createLogChallenge({ ...good, homeDeviceId: w.home.deviceId, now: clock, random }).challenge,
      "for another operation": createLogChallenge({ ...good, op: "clear", now: clock, random }).challenge,
      "for another channel": createLogChallenge({ ...good, sessionId: new Uint8Array(32).fill(1), now: clock, random }).challenge,
      "long expired": createLogChallenge({ ...good, now: clock - 10 * 60_000, random }).challenge,
      "valid for a day": encodeLogChallenge({ ...good, nonce: random(32), issuedAt: clock, expiresAt: clock + 86_400_000 }),
      "not a challenge": random(120),
    };
    let current = forged["names another requester"]!;
    const proofs: string[] = [];
    w.rogue.frames.on(({ connection, frame }) => {
      if (connection !== xToPhone) return;
      if (frame.t === "log-request") xToPhone.channel.send({ t: "log-challenge", rid: frame.rid, challenge: toBase64(current), derive: { salt: bundle.salt, kdf: bundle.kdf } });
      if (frame.t === "log-proof") {
        proofs.push(frame.proof);
        xToPhone.channel.send({ t: "log-refused", rid: frame.rid, reason: "bad-proof" });
      }
    });
    for (const [what, challenge] of Object.entries(forged)) {
      current = challenge;
      await expect(requestLogs(phoneDeps(w, w.rogue), { op: "retrieve", passphrase: PASS }).catch((e: { reason: string }) => `${what}: ${e.reason}`)).resolves.toBe(`${what}: bad-challenge`);
    }
    expect(proofs).toEqual([]);
    // The control: a challenge that names exactly this request is signed.
    current = createLogChallenge({ ...good, now: clock, random }).challenge;
    await expect(requestLogs(phoneDeps(w, w.rogue), { op: "retrieve", passphrase: PASS })).rejects.toMatchObject({ reason: "bad-proof" });
    expect(proofs).toHaveLength(1);
  });

  it("a home that streams more than the phone holds unread ends the request, not the phone's memory", async () => {
    const w = await world();
    const [phoneToX, xToPhone] = await connect(w.phone, w.rogue, now);
    const good = { op: "retrieve" as const, sessionId: phoneToX.channel.sessionId!, requesterDeviceId: w.phone.deviceId, homeDeviceId: w.rogue.deviceId };
    const chunk = Array.from({ length: 4 }, (_, i) => toBase64(new Uint8Array(30_000).fill(i)));
    let flooded = 0;
    w.rogue.frames.on(({ connection, frame }) => {
      if (connection !== xToPhone || frame.t !== "log-request") return;
      // A challenge the phone accepts, then records it never asked for yet, while it derives its keys.
      xToPhone.channel.send({ t: "log-challenge", rid: frame.rid, challenge: toBase64(createLogChallenge({ ...good, now: clock, random: seededRandom(5) }).challenge), derive: { salt: bundle.salt, kdf: bundle.kdf } });
      for (let seq = 0; seq < 40; seq++, flooded++) xToPhone.channel.send({ t: "log-chunk", rid: frame.rid, seq, records: chunk });
    });
    const limited = { ...phoneDeps(w, w.rogue), maxInboxBytes: 1024 * 1024 };
    await expect(requestLogs(limited, { op: "retrieve", passphrase: PASS })).rejects.toMatchObject({ reason: "overflow" });
    // The flood really outgrew the bound (40 chunks of 160 KB), and the channel itself is unharmed.
    expect(flooded * 4 * 40_000).toBeGreaterThan(limited.maxInboxBytes);
    expect(phoneToX.channel.isReady).toBe(true);
  });

  it("a proof taken off one channel and replayed on another is refused, and the logs stay", async () => {
    const w = await world();
    const [phoneToHome] = await connect(w.phone, w.home, now);
    const [rogueToHome] = await connect(w.rogue, w.home, now);
    // Hold the phone's proof back, as if someone had taken it off the wire before it arrived.
    const send = phoneToHome.channel.send.bind(phoneToHome.channel);
    let held: Extract<Frame, { t: "log-proof" }> | undefined;
    phoneToHome.channel.send = (frame: Frame) => (frame.t === "log-proof" ? ((held = frame), true) : send(frame));
    const clearing = requestLogs(phoneDeps(w, w.home), { op: "clear", passphrase: PASS });
    for (let i = 0; i < 2000 && !held; i++) await new Promise((r) => setTimeout(r, 5));
    const proof = held!;
    // On the rogue's channel, under the phone's request id: not issued there.
    rogueToHome.channel.send(proof);
    expect(await homeAnswer(w.rogue, rogueToHome, proof.rid)).toEqual({ t: "log-refused", rid: proof.rid, reason: "expired" });
    // Under a challenge of the rogue's own: it signs another channel, another device, another nonce.
    const own = "OOOOOOOOOOOOOOOOOOOOOO";
    rogueToHome.channel.send({ t: "log-request", rid: own, op: "clear" });
    expect(await homeAnswer(w.rogue, rogueToHome, own)).toMatchObject({ t: "log-challenge" });
    rogueToHome.channel.send({ t: "log-proof", rid: own, proof: proof.proof });
    expect(await homeAnswer(w.rogue, rogueToHome, own)).toEqual({ t: "log-refused", rid: own, reason: "bad-proof" });
    expect(await countLogs(w.account)).toBe(3);
    // On its own channel the proof is still good: the relayed attempts used nothing up.
    send(proof);
    await expect(clearing).resolves.toEqual({ op: "clear", cleared: 3 });
  });
});
