import "fake-indexeddb/auto";
import { SecureChannel } from "@/lib/channel/secure-channel";
import type { Connection, Connections } from "@/lib/chat/connections";
import { Delivery, type ReceiveSink } from "@/lib/chat/delivery";
import { generateIdentity } from "@/lib/crypto";
import { loadHistoryPage, type StoredMessage } from "@/lib/store/history-store";
import { idbDelete, idbGetAll, idbPut, transact } from "@/lib/store/idb";
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

async function party(nickname: string, account: string, sink?: ReceiveSink, opts: { load?: boolean } = {}) {
  const connections = new FakeConnections();
  const delivery = new Delivery({ account, connections: connections as unknown as Connections, clock, sink: sink && (() => sink) });
  const updates: StoredMessage[] = [];
  const received: StoredMessage[] = [];
  delivery.updated.on((m) => updates.push(m));
  delivery.received.on(({ message }) => received.push(message));
  // As the messenger does at start: the outbox read once, then kept in memory.
  if (opts.load !== false) await delivery.load();
  return { nickname, account, connections, delivery, updates, received, identity: generateIdentity(seededRandom(nickname.length + run)) };
}
type Party = Awaited<ReturnType<typeof party>>;

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
    const alice = await party("alice", `alice${run}`);
    const bob = await party("bob", `bob${run}`);
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
    const alice = await party("alice", `alice${run}`);
    const bob = await party("bob", `bob${run}`);
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
    const alice = await party("alice", `alice${run}`);
    const bob = await party("bob", `bob${run}`);
    const [aliceLink, bobLink] = await connect(alice, bob);
    bobLink.tap = () => null; // keep it pending
    await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA3", "only once per connection");
    const before = aliceLink.sent.length;
    await alice.delivery.flush("bob");
    await alice.delivery.flush("bob");
    await settle();
    expect(aliceLink.sent.length).toBe(before);
  });

  it("after a reload, the new page reads the outbox once, sends what waited and honours its ack", async () => {
    const before = await party("alice", `alice${run}`);
    await before.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA5", "queued by the page before");
    const alice = await party("alice", before.account);
    const bob = await party("bob", `bob${run}`);
    expect(await alice.delivery.pendingPeers()).toEqual(new Set(["bob"]));
    await connect(alice, bob);
    await settle();
    expect(bob.received.map((m) => m.text)).toEqual(["queued by the page before"]);
    expect(alice.updates.at(-1)).toMatchObject({ id: "AAAAAAAAAAAAAAAAAAAAA5", status: "delivered" });
    expect(await pendingFor(alice.account, "bob")).toEqual([]);
    expect(await alice.delivery.pendingPeers()).toEqual(new Set());
  });

  it("without its copy of the outbox (not read yet), asks IndexedDB and still delivers exactly once", async () => {
    const alice = await party("alice", `alice${run}`, undefined, { load: false });
    const bob = await party("bob", `bob${run}`);
    await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA6", "before the outbox was read");
    await connect(alice, bob);
    await settle();
    expect(bob.received.map((m) => m.text)).toEqual(["before the outbox was read"]);
    expect(alice.updates.at(-1)).toMatchObject({ id: "AAAAAAAAAAAAAAAAAAAAA6", status: "delivered" });
    expect(await pendingFor(alice.account, "bob")).toEqual([]);
  });

  it("ignores an ack for a message it never sent to that peer", async () => {
    const alice = await party("alice", `alice${run}`);
    const bob = await party("bob", `bob${run}`);
    const mallory = await party("mallory", `mallory${run}`);
    await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAA4", "for bob only");
    await connect(alice, mallory);
    const connection = alice.connections.of("mallory")[0]!;
    await alice.delivery.onFrame(connection, { t: "ack", id: "AAAAAAAAAAAAAAAAAAAAA4" });
    expect((await pendingFor(alice.account, "bob")).length).toBe(1);
    void bob;
  });

  describe("a peer reusing an id it learnt", () => {
    it("cannot overwrite one of this device's own messages in the history, and gets no ack", async () => {
      const alice = await party("alice", `alice${run}`);
      const bob = await party("bob", `bob${run}`);
      await connect(alice, bob);
      await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAC1", "I owe you nothing");
      const alicesHistoryWithBob = async () => (await loadHistoryPage(alice.account, "bob", null, 50)).map((m) => [m.direction, m.text, m.status]);
      await settle();
      expect(await alicesHistoryWithBob()).toEqual([["out", "I owe you nothing", "delivered"]]);
      // Bob saw the id in alice's frame and sends his own text under it.
      await bob.delivery.send("alice", "AAAAAAAAAAAAAAAAAAAAC1", "I owe you 1000");
      await settle();
      expect(await alicesHistoryWithBob()).toEqual([["out", "I owe you nothing", "delivered"]]);
      expect(alice.received).toEqual([]);
      expect((await pendingFor(bob.account, "alice")).map((e) => e.text)).toEqual(["I owe you 1000"]);
    });

    it("cannot take over another peer's message in the history", async () => {
      const alice = await party("alice", `alice${run}`);
      const bob = await party("bob", `bob${run}`);
      const mallory = await party("mallory", `mallory${run}`);
      await connect(bob, alice);
      await bob.delivery.send("alice", "AAAAAAAAAAAAAAAAAAAAC2", "from bob");
      await settle();
      await connect(mallory, alice);
      await mallory.delivery.send("alice", "AAAAAAAAAAAAAAAAAAAAC2", "from mallory, under bob's id");
      await settle();
      expect((await loadHistoryPage(alice.account, "bob", null, 50)).map((m) => m.text)).toEqual(["from bob"]);
      expect(await loadHistoryPage(alice.account, "mallory", null, 50)).toEqual([]);
      expect(alice.received.map((m) => m.text)).toEqual(["from bob"]);
      expect((await pendingFor(mallory.account, "alice")).length).toBe(1);
    });

    it("still acknowledges its own retransmission once the dedupe entry has expired, and stores it once", async () => {
      const alice = await party("alice", `alice${run}`);
      const bob = await party("bob", `bob${run}`);
      await connect(bob, alice);
      await bob.delivery.send("alice", "AAAAAAAAAAAAAAAAAAAAC3", "said once");
      await settle();
      await transact(["seen"], "readwrite", (tx) => idbDelete(tx, "seen", [alice.account, "bob", "AAAAAAAAAAAAAAAAAAAAC3"]));
      const sent: string[] = [];
      const connection = alice.connections.of("bob")[0]!;
      const realSend = alice.connections.send.bind(alice.connections);
      alice.connections.send = (c, frame) => (sent.push(frame.t), realSend(c, frame));
      await alice.delivery.onFrame(connection, { t: "chat", id: "AAAAAAAAAAAAAAAAAAAAC3", sentAt: clock(), text: "said once" });
      expect(sent).toEqual(["ack"]);
      expect((await loadHistoryPage(alice.account, "bob", null, 50)).map((m) => m.text)).toEqual(["said once"]);
    });
  });

  describe("on the critical path", () => {
    /** Every IndexedDB transaction: its stores, mode, durability, and whether it has committed. */
    const txs: { stores: string; mode: string; durability: string; done: boolean }[] = [];
    const realTransaction = IDBDatabase.prototype.transaction;
    beforeAll(() => {
      IDBDatabase.prototype.transaction = function (this: IDBDatabase, stores: string | string[], mode?: IDBTransactionMode, options?: IDBTransactionOptions) {
        const tx = realTransaction.call(this, stores, mode, options);
        const record = { stores: [stores].flat().join("+"), mode: mode ?? "readonly", durability: options?.durability ?? "default", done: false };
        txs.push(record);
        tx.addEventListener("complete", () => (record.done = true));
        return tx;
      } as typeof IDBDatabase.prototype.transaction;
    });
    afterAll(() => {
      IDBDatabase.prototype.transaction = realTransaction;
    });
    beforeEach(() => void txs.splice(0));

    it("puts a message on the wire while its outbox write is still running, and the ack's update still finds it", async () => {
      const alice = await party("alice", `alice${run}`);
      const bob = await party("bob", `bob${run}`);
      const [aliceLink] = await connect(alice, bob);
      txs.splice(0);
      let outboxDoneWhenSent: boolean | undefined;
      aliceLink.tap = (bytes) => {
        outboxDoneWhenSent ??= txs.find((t) => t.stores === "outbox+messages" && t.mode === "readwrite")?.done;
        return bytes;
      };
      const sending = alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAB1", "on the wire first");
      expect(outboxDoneWhenSent).toBe(false);
      await sending;
      await settle();
      expect(bob.received.map((m) => m.text)).toEqual(["on the wire first"]);
      expect(await pendingFor(alice.account, "bob")).toEqual([]);
      expect((await loadHistoryPage(alice.account, "bob", null, 50)).map((m) => m.status)).toEqual(["delivered"]);
    });

    it("shows the ack at once, before the outbox update behind it commits", async () => {
      const alice = await party("alice", `alice${run}`);
      const bob = await party("bob", `bob${run}`);
      await connect(alice, bob);
      await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAB2", "acknowledged");
      const order: string[] = [];
      alice.delivery.updated.on((m) => {
        if (m.status !== "delivered") return;
        const ackTx = txs.filter((t) => t.stores === "outbox+messages" && t.mode === "readwrite").at(1);
        order.push(`shown delivered (update ${ackTx ? (ackTx.done ? "committed" : "running") : "not started"})`);
      });
      await settle();
      expect(order).toEqual(["shown delivered (update not started)"]);
      expect(txs.filter((t) => t.stores === "outbox+messages" && t.mode === "readwrite").map((t) => [t.durability, t.done])).toEqual([
        ["strict", true],
        ["relaxed", true],
      ]);
    });

    it("stores a received message in one strict transaction, committed before its ack leaves", async () => {
      const alice = await party("alice", `alice${run}`);
      const bob = await party("bob", `bob${run}`);
      const [, bobLink] = await connect(alice, bob);
      const atAck: { stores: string; durability: string; done: boolean }[][] = [];
      bobLink.tap = (bytes) => {
        atAck.push(txs.filter((t) => t.mode === "readwrite" && t.stores.includes("seen")).map(({ stores, durability, done }) => ({ stores, durability, done })));
        return bytes;
      };
      txs.splice(0);
      await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAB3", "stored, then acknowledged");
      await settle();
      expect(bob.received.map((m) => m.text)).toEqual(["stored, then acknowledged"]);
      // The first thing bob sent after the message is its ack: by then, exactly one write, strict and committed.
      expect(atAck[0]).toEqual([{ stores: "seen+messages", durability: "strict", done: true }]);
    });

    it("writes received messages where the injected sink says, not to the history", async () => {
      const logged: string[] = [];
      const sink: ReceiveSink = {
        stores: ["settings"],
        write: async (tx, message) => {
          logged.push(message.text);
          await idbPut(tx, "settings", { account: message.account, key: `sealed-${message.id}`, value: "opaque" });
        },
      };
      const alice = await party("alice", `alice${run}`);
      const bob = await party("bob", `bob${run}`, sink);
      await connect(alice, bob);
      await alice.delivery.send("bob", "AAAAAAAAAAAAAAAAAAAAB4", "into the log");
      await settle();
      expect(logged).toEqual(["into the log"]);
      expect(await loadHistoryPage(bob.account, "alice", null, 50)).toEqual([]);
      const stored = await transact(["settings"], "readonly", (tx) => idbGetAll<{ key: string }>(tx, "settings"));
      expect(stored.map((r) => r.key)).toContain("sealed-AAAAAAAAAAAAAAAAAAAAB4");
      expect(await pendingFor(alice.account, "bob")).toEqual([]);
    });
  });
});
