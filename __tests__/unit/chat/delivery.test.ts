import "fake-indexeddb/auto";
import { SecureChannel } from "@/lib/channel/secure-channel";
import type { Connection, Connections } from "@/lib/chat/connections";
import { Delivery } from "@/lib/chat/delivery";
import { generateIdentity } from "@/lib/crypto";
import { loadHistoryPage, type StoredMessage } from "@/lib/store/history-store";
import { pendingFor } from "@/lib/store/outbox-store";
import { FakeLink, flush, seededRandom } from "../support/fake-link";

// Delivery between two parties over real secure channels on in-memory links:
// what is queued goes out when a connection is ready, stays queued until
// acknowledged, goes out again on the next connection, and is stored once.

let run = 0;
// Every link a test opens, closed after it so no channel's rekey timer outlives the test.
const openLinks: FakeLink[] = [];
afterEach(() => openLinks.splice(0).forEach((link) => link.close()));
const clock = () => 1_700_000_000_000;

class FakeConnections {
  list: Connection[] = [];
  of(nickname: string) {
    return this.list.filter((c) => c.nickname === nickname);
  }
  send(connection: Connection, frame: Parameters<SecureChannel["send"]>[0]) {
    return connection.channel.send(frame);
  }
}

function party(nickname: string, account: string) {
  const connections = new FakeConnections();
  const delivery = new Delivery({ account, connections: connections as unknown as Connections, clock });
  const updates: StoredMessage[] = [];
  const received: StoredMessage[] = [];
  delivery.updated.on((m) => updates.push(m));
  delivery.received.on(({ message }) => received.push(message));
  return { nickname, account, connections, delivery, updates, received, identity: generateIdentity(seededRandom(nickname.length + run)) };
}
type Party = ReturnType<typeof party>;

/** Connects two parties with a fresh link; resolves once both channels are ready and flushed. */
async function connect(a: Party, b: Party, tapAtoB?: (bytes: Uint8Array) => Uint8Array | null): Promise<[FakeLink, FakeLink]> {
  const [la, lb] = FakeLink.pair();
  openLinks.push(la);
  if (tapAtoB) la.tap = tapAtoB;
  const make = (me: Party, peer: Party, link: FakeLink, seed: number): Connection => {
    const channel = new SecureChannel({
      link,
      local: { identity: me.identity, nickname: me.nickname, deviceId: `${me.nickname}-dev` },
      remote: { nickname: peer.nickname, deviceId: `${peer.nickname}-dev` },
      expectedKey: async () => peer.identity.signPublicKey,
      random: seededRandom(seed),
      clock,
    });
    const connection = { nickname: peer.nickname, deviceId: `${peer.nickname}-dev`, channel, link } as unknown as Connection;
    channel.frame.on((frame) => void me.delivery.onFrame(connection, frame));
    channel.ready.on(() => void me.delivery.onReady(connection));
    channel.closed.on(() => (me.connections.list = me.connections.list.filter((c) => c !== connection)));
    me.connections.list.push(connection);
    return connection;
  };
  const ca = make(a, b, la, 100 + run);
  const cb = make(b, a, lb, 200 + run);
  la.open();
  for (let i = 0; i < 30 && !(ca.channel.isReady && cb.channel.isReady); i++) await flush();
  // Nothing below means anything over a channel that never became ready.
  expect([ca.channel.isReady, cb.channel.isReady]).toEqual([true, true]);
  return [la, lb];
}

async function settle() {
  for (let i = 0; i < 30; i++) await flush();
}

beforeEach(() => (run += 1));

describe("Delivery", () => {
  it("queues while nobody is connected, sends on connect, and marks delivered on the ack", async () => {
    const alice = party("alice", `alice${run}`);
    const bob = party("bob", `bob${run}`);
    await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA1", "written while bob was away");
    expect((await pendingFor(alice.account, "bob")).length).toBe(1);
    await connect(alice, bob);
    await settle();
    expect(bob.received.map((m) => m.text)).toEqual(["written while bob was away"]);
    expect(await pendingFor(alice.account, "bob")).toEqual([]);
    expect(alice.updates.at(-1)).toMatchObject({ id: "AAAAAAAAAAAAAAAAAAAAA1", status: "delivered" });
    expect((await loadHistoryPage(bob.account, "alice", null, 50)).map((m) => m.text)).toEqual(["written while bob was away"]);
  });

  it("sends again on the next connection when the ack never came, and the receiver stores it once", async () => {
    const alice = party("alice", `alice${run}`);
    const bob = party("bob", `bob${run}`);
    // First connection: bob's acks are lost on the way back.
    const [, bobLink] = await connect(alice, bob);
    bobLink.tap = () => null;
    await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA2", "the ack of this one gets lost");
    await settle();
    expect(bob.received.length).toBe(1);
    expect((await pendingFor(alice.account, "bob")).length).toBe(1);
    bobLink.close();
    await settle();
    // Second connection: it goes out again, bob acknowledges again, stores nothing twice.
    await connect(alice, bob);
    await settle();
    expect(await pendingFor(alice.account, "bob")).toEqual([]);
    expect(bob.received.length).toBe(1);
    expect((await loadHistoryPage(bob.account, "alice", null, 50)).filter((m) => m.id === "AAAAAAAAAAAAAAAAAAAAA2").length).toBe(1);
  });

  it("sends each pending message once per live connection, not on every flush", async () => {
    const alice = party("alice", `alice${run}`);
    const bob = party("bob", `bob${run}`);
    const [aliceLink, bobLink] = await connect(alice, bob);
    bobLink.tap = () => null; // keep it pending
    await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA3", "only once per connection");
    const before = aliceLink.sent.length;
    await alice.delivery.flush("bob");
    await alice.delivery.flush("bob");
    await settle();
    expect(aliceLink.sent.length).toBe(before);
  });

  it("ignores an ack for a message it never sent to that peer", async () => {
    const alice = party("alice", `alice${run}`);
    const bob = party("bob", `bob${run}`);
    const mallory = party("mallory", `mallory${run}`);
    await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA4", "for bob only");
    await connect(alice, mallory);
    const connection = alice.connections.of("mallory")[0]!;
    await alice.delivery.onFrame(connection, { t: "ack", id: "AAAAAAAAAAAAAAAAAAAAA4" });
    expect((await pendingFor(alice.account, "bob")).length).toBe(1);
    void bob;
  });
});
