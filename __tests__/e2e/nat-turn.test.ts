import { connectTo, logIn, messages, send, signUp, waitForConnection, type Person } from "./support/people";
import { PUBLIC } from "./support/nat-lab/topology";
import { startLabWorld, STUN_PORT, type LabWorld } from "./support/nat-lab/world";
import { RECORD_PEER_CONNECTIONS } from "./support/peer-connections";
import { becomeHomeRelay, enableLogs, expectLogCount, requestLogs, retrievedLogs } from "./support/relay";
import { eventually, expectText } from "./support/wait";

// The NAT lab with TURN (docs/nat.md): the app and coturn on a public net,
// alice's home tab behind a port-restricted cone NAT, her phone behind a
// symmetric NAT, bob behind a third NAT. Real Chromium, real coturn
// configured exactly as the README says, real nftables routers.

jest.setTimeout(600_000);
let world: LabWorld;

beforeAll(async () => {
  world = await startLabWorld("cpt", { turn: true });
}, 180_000);
afterEach(() => world?.closeCase());
afterAll(() => world?.close());

const PASSPHRASE = "a long log passphrase nobody guesses";

/** The remote side's candidates a page learnt: from SDP a=candidate lines and from ICE's stats. */
async function remoteCandidates(p: Person): Promise<{ type: string; address: string }[]> {
  return p.page.evaluate(async () => {
    const found: { type: string; address: string }[] = [];
    for (const pc of (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections) {
      for (const line of (pc.remoteDescription?.sdp ?? "").split(/\r?\n/)) {
        const m = /^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ (\S+)/.exec(line);
        if (m) found.push({ address: m[1]!, type: m[2]! });
      }
      (await pc.getStats()).forEach((s: { type: string; candidateType?: string; address?: string }) => {
        if (s.type === "remote-candidate") found.push({ type: s.candidateType ?? "", address: s.address ?? "" });
      });
    }
    return found;
  });
}

async function delivered(p: Person, text: string, timeoutMs = 60_000) {
  await eventually(() => messages(p), (m) => m.find((x) => x.text === text)?.status === "delivered", `"${text}" delivered`, timeoutMs);
}

async function received(p: Person, text: string, timeoutMs = 60_000) {
  await eventually(() => messages(p), (m) => m.some((x) => x.text === text && x.direction === "in"), `"${text}" received`, timeoutMs);
}

describe("the NAT lab, with TURN", () => {
  it("is made of real NATs: the server sees router addresses; the phone's mapping changes per destination, the others' do not", () => {
    const servers = [`${PUBLIC.srv}:${STUN_PORT}`, `${PUBLIC.turn}:3478`]; // the built-in responder and coturn
    const home = world.lab.stunProbe("home", servers);
    const phone = world.lab.stunProbe("phone", servers);
    const bob = world.lab.stunProbe("bob", servers);
    for (const probe of [home, phone, bob]) expect(probe.mapped.every((m) => m !== null)).toBe(true);
    expect(home.mapped.map((m) => m!.address)).toEqual([PUBLIC.r1, PUBLIC.r1]);
    expect(bob.mapped.map((m) => m!.address)).toEqual([PUBLIC.r3, PUBLIC.r3]);
    expect(phone.mapped.map((m) => m!.address)).toEqual([PUBLIC.r2, PUBLIC.r2]);
    // Cone: one mapping for every destination. Symmetric: a new one per destination.
    expect(home.mapped[0]!.port).toBe(home.mapped[1]!.port);
    expect(bob.mapped[0]!.port).toBe(bob.mapped[1]!.port);
    expect(phone.mapped[0]!.port).not.toBe(phone.mapped[1]!.port);
  });

  it("drops at the router what nobody inside asked for, even on a port that is mapped for someone else", async () => {
    // The home's router maps a port for the built-in STUN server; the same server from another port is not let in.
    const { mapped } = world.lab.stunProbe("home", [`${PUBLIC.srv}:${STUN_PORT}`]);
    const before = world.lab.unsolicitedDrops("r1");
    world.lab.sendDatagram("srv", 40_000, mapped[0]!);
    world.lab.sendDatagram("srv", 40_001, { address: PUBLIC.r1, port: 9 });
    const dropped = await eventually(async () => world.lab.unsolicitedDrops("r1") - before, (n) => n >= 2, "both datagrams dropped at r1", 5_000);
    expect(dropped).toBe(2);
  });

  it("runs the walkthrough through TURN: bob reaches alice's home, her phone retrieves the logs and chats with bob", async () => {
    const home = await world.person("alice", "home");
    await signUp(home, world.url);
    await becomeHomeRelay(home);
    await enableLogs(home, PASSPHRASE);

    const bob = await world.person("bob", "bob");
    await bob.context.addInitScript(RECORD_PEER_CONNECTIONS);
    await signUp(bob, world.url);
    await connectTo(bob, "alice");
    // Two cone NATs would connect directly (nat-stun.test.ts), but bob is a stranger to alice: with
    // TURN configured her home offers strangers relayed routes only, so her address stays hidden.
    await waitForConnection(bob, "relayed", 45_000);
    // Everything bob's browser learnt of alice's home, in the SDP and from ICE, is the relay's address.
    const seen = await remoteCandidates(bob);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((c) => c.type === "relay" && c.address === PUBLIC.turn)).toBe(true);
    expect(seen.map((c) => c.address)).not.toContain(PUBLIC.r1);
    const fromBob = ["Bob, through two home routers", "Bob again, through the relay"];
    for (const text of fromBob) await send(bob, text);
    for (const text of fromBob) await delivered(bob, text);
    await expectLogCount(home, 2);

    const phone = await world.person("alice", "phone", { phone: true });
    await logIn(phone, world.url);
    expect(await requestLogs(phone, "Retrieve logs", PASSPHRASE)).toBe("Retrieved 2 messages.");
    expect(await retrievedLogs(phone)).toEqual({ bob: fromBob });

    await connectTo(phone, "bob");
    // The phone's symmetric NAT leaves no direct route to anyone.
    await waitForConnection(phone, "relayed", 45_000);
    await send(phone, "Alice's phone, via the relay");
    await delivered(phone, "Alice's phone, via the relay");
    await received(bob, "Alice's phone, via the relay");
    // Bob's side of the conversation with alice: both her devices' links are relayed.
    await waitForConnection(bob, "relayed");
  });

  it("keeps the conversation when the phone moves to another network mid-conversation: ICE restarts on the same link, nothing is lost", async () => {
    const erin = await world.person("erin", "bob");
    await signUp(erin, world.url);
    const frank = await world.person("frank", "phone", { phone: true });
    await signUp(frank, world.url);
    // Which link carries frank's side of the conversation, from the signals his page posts.
    const offers: { link: string; at: number }[] = [];
    frank.page.on("request", (request) => {
      if (!request.url().endsWith("/api/signal")) return;
      const body = request.postDataJSON() as { type?: string; data?: string } | null;
      if (body?.type === "offer" && body.data) offers.push({ link: (JSON.parse(body.data) as { link: string }).link, at: Date.now() });
    });
    await connectTo(frank, "erin");
    await waitForConnection(frank, "relayed", 45_000);
    const before = ["Frank on the café Wi-Fi", "Erin: I hear you"];
    await send(frank, before[0]!);
    await connectTo(erin, "frank");
    await send(erin, before[1]!);
    await delivered(frank, before[0]!);
    await delivered(erin, before[1]!);
    const link = offers[0]!.link;

    const movedAt = Date.now();
    world.lab.movePhoneToMobile();
    const during = ["Frank, walking out of the café", "Erin: still there?"];
    await send(frank, during[0]!);
    await send(erin, during[1]!);
    for (const text of during) {
      await delivered(text === during[0] ? frank : erin, text, 90_000);
    }
    // The same link restarted ICE (an offer for it after the move), rather than a new link and handshake.
    expect(offers.filter((o) => o.at > movedAt).map((o) => o.link)).toContain(link);
    expect(new Set(offers.map((o) => o.link))).toEqual(new Set([link]));
    // A working route again: relayed while frank is a stranger to erin, direct once both sides allow it (both are behind cone NATs now).
    await expectText(frank.page.getByRole("status", { name: "Connection state" }).locator("strong"), /^(direct|relayed \(TURN\))$/, 45_000);
    const after = "Frank, on mobile data now";
    await send(frank, after);
    await delivered(frank, after);

    const sent = [before[0], during[0], after];
    const got = [before[1], during[1]];
    const frankSees = (await messages(frank)).map((m) => `${m.direction}:${m.text}`);
    const erinSees = (await messages(erin)).map((m) => `${m.direction}:${m.text}`);
    // Everything once, in order, on both sides.
    expect(frankSees.filter((m) => m.startsWith("out:"))).toEqual(sent.map((t) => `out:${t}`));
    expect(frankSees.filter((m) => m.startsWith("in:"))).toEqual(got.map((t) => `in:${t}`));
    expect(erinSees.filter((m) => m.startsWith("in:"))).toEqual(sent.map((t) => `in:${t}`));
    expect(erinSees.filter((m) => m.startsWith("out:"))).toEqual(got.map((t) => `out:${t}`));
  });
});
