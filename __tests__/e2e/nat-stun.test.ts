import { connectTo, logIn, messages, send, signUp, waitForConnection, type Person } from "./support/people";
import { PUBLIC } from "./support/nat-lab/topology";
import { startLabWorld, STUN_PORT, type LabWorld } from "./support/nat-lab/world";
import { becomeHomeRelay, enableLogs, requestLogs } from "./support/relay";
import { eventually, expectText } from "./support/wait";

// The NAT lab without TURN: only the STUN responder `npm start` runs. Two
// people behind ordinary (cone) routers connect directly; the phone behind a
// symmetric NAT cannot, and is told so within seconds instead of waiting.

jest.setTimeout(600_000);
let world: LabWorld;

beforeAll(async () => {
  world = await startLabWorld("cps", { turn: false });
}, 180_000);
afterEach(() => world?.closeCase());
afterAll(() => world?.close());

const PASSPHRASE = "a long log passphrase nobody guesses";

/** What the page is told to use, and the candidates Chromium gathers with it. */
async function gather(person: Person): Promise<{ iceServers: RTCIceServer[]; candidates: { type: string; address: string }[] }> {
  return person.page.evaluate(async () => {
    const config = (await (await fetch("/api/ice-servers")).json()) as { iceServers: RTCIceServer[] };
    const pc = new RTCPeerConnection({ iceServers: config.iceServers });
    pc.createDataChannel("probe");
    const candidates: { type: string; address: string }[] = [];
    const done = new Promise<void>((resolve) => {
      pc.onicecandidate = ({ candidate }) => {
        if (!candidate) return resolve();
        candidates.push({ type: candidate.type ?? "", address: candidate.address ?? "" });
      };
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    pc.close();
    return { iceServers: config.iceServers, candidates };
  });
}

const statusOf = async (p: Person, text: string) => (await messages(p)).find((m) => m.text === text)?.status;

describe("the NAT lab, without TURN", () => {
  it("points browsers at the built-in STUN responder, from which Chromium behind a NAT learns its router's public address", async () => {
    const home = await world.person("hilda", "home");
    await signUp(home, world.url);
    const { iceServers, candidates } = await gather(home);
    expect(iceServers).toEqual([{ urls: `stun:${PUBLIC.srv}:${STUN_PORT}` }]);
    expect(candidates).toContainEqual({ type: "host", address: "192.0.2.2" });
    expect(candidates).toContainEqual({ type: "srflx", address: PUBLIC.r1 });
    expect(candidates.some((c) => c.type === "relay")).toBe(false);
  });

  it("connects two cone NATs directly, and tells the phone behind a symmetric NAT that bob and its home are unreachable", async () => {
    const home = await world.person("alice", "home");
    await signUp(home, world.url);
    await becomeHomeRelay(home);
    await enableLogs(home, PASSPHRASE);
    const bob = await world.person("bob", "bob");
    await signUp(bob, world.url);
    await connectTo(bob, "alice");
    await waitForConnection(bob, "direct", 45_000);
    await send(bob, "Bob to alice's home, no relay needed");
    await eventually(() => statusOf(bob, "Bob to alice's home, no relay needed"), (s) => s === "delivered", "delivered to alice's home", 60_000);

    const phone = await world.person("alice", "phone", { phone: true });
    await logIn(phone, world.url);
    const signals: { type: string; at: number }[] = [];
    phone.page.on("request", (r) => {
      const type = r.url().endsWith("/api/signal") ? (r.postDataJSON() as { type?: string } | null)?.type : undefined;
      if (type === "offer" || type === "bye") signals.push({ type, at: Date.now() });
    });
    await connectTo(phone, "bob");
    const text = "From the phone on mobile data";
    await send(phone, text);
    // Within the 15 s ICE gets once bob has answered (the wait allows for a loaded CI machine).
    await waitForConnection(phone, "unreachable", 30_000);
    expect(await statusOf(phone, text)).toBe("waiting: can't reach bob from this network");
    const hint = phone.page.getByRole("alert").filter({ hasText: "Can't reach bob from this network." });
    await expectText(hint, /no TURN server to relay it/);
    expect(await hint.getByRole("link", { name: "How to fix this" }).getAttribute("href")).toBe("/help/network");

    // The phone keeps trying (the network may change) without the header cycling back to "connecting":
    // every state it shows from here on is recorded until a redial has run its whole course.
    await phone.page.getByRole("status", { name: "Connection state" }).locator("strong").evaluate((strong) => {
      const seen: string[] = [];
      (window as unknown as { headerStates: string[] }).headerStates = seen;
      new MutationObserver(() => seen.push(strong.textContent ?? "")).observe(strong, { childList: true, characterData: true, subtree: true });
    });
    const since = Date.now();
    const redial = await eventually(async () => signals.find((s) => s.type === "offer" && s.at > since), Boolean, "a redial", 60_000);
    await eventually(async () => signals.some((s) => s.type === "bye" && s.at > redial!.at), Boolean, "the redial to end", 60_000);
    expect(await phone.page.evaluate(() => (window as unknown as { headerStates: string[] }).headerStates.filter((s) => s !== "unreachable"))).toEqual([]);
    expect(await phone.page.getByRole("status", { name: "Connection state" }).locator("strong").textContent()).toBe("unreachable");
    // Nothing was delivered, nothing lost: still waiting in the outbox.
    expect(await statusOf(phone, text)).toBe("waiting: can't reach bob from this network");

    // Retrieval from the home (online, behind a port-restricted NAT) fails as unreachable, not as slow or offline.
    expect(await requestLogs(phone, "Retrieve logs", PASSPHRASE)).toBe(
      "Couldn't reach the home relay from this network. It is online, but no connection works between this network and the home's: a TURN server is needed. How to fix this",
    );

    // "How to fix this" says what this server offers and what its administrator can do. Retrieval is on
    // /settings, so the person follows the link under its outcome (the chat's hint links to the same page).
    await phone.page.getByRole("link", { name: "How to fix this" }).click();
    await phone.page.getByRole("heading", { name: "Reaching people across networks" }).waitFor();
    expect(await phone.page.getByRole("listitem").allTextContents()).toEqual([`STUN: built in, on UDP port ${STUN_PORT}`, "TURN: not configured"]);
  });
});
