import { freePort, startApp, type RunningApp } from "./support/app";
import { closePeople, connectTo, launchPerson, messages, openContact, send, signUp, waitForConnection, type Person } from "./support/people";
import { eventually } from "./support/wait";

// Strangers in real browsers: a first message from someone alice never wrote
// to shows as a message request; after "Block", the stranger's offers reach
// alice's tab (the server relays them) and cost it no WebRTC work at all.

jest.setTimeout(300_000);

let app: RunningApp;
const people: Person[] = [];

beforeAll(async () => {
  app = await startApp({}, { port: await freePort() });
});
afterAll(async () => {
  await closePeople(people);
  await app?.stop();
});

/** A person whose page counts the RTCPeerConnections it makes (test instrumentation, set before any page script runs). */
async function person(nickname: string): Promise<Person> {
  const p = await launchPerson(nickname);
  await p.page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const w = window as unknown as { __peerConnections: number };
    w.__peerConnections = 0;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        w.__peerConnections += 1;
      }
    } as typeof RTCPeerConnection;
  });
  people.push(p);
  return p;
}

const peerConnections = (p: Person) => p.page.evaluate(() => (window as unknown as { __peerConnections: number }).__peerConnections);

describe("strangers", () => {
  it("shows a stranger's first message as a request, and once blocked refuses them before any WebRTC work", async () => {
    const alice = await person("alice");
    const mallory = await person("mallory");
    await Promise.all([signUp(alice, app.url), signUp(mallory, app.url)]);

    await connectTo(mallory, "alice");
    await waitForConnection(mallory, "direct");
    await send(mallory, "Hi Alice, you don't know me yet");
    await eventually(() => messages(mallory), (m) => m.some((x) => x.status === "delivered"), "the stranger's message delivered");

    await openContact(alice, "mallory");
    const request = alice.page.getByRole("region", { name: "Message request" });
    await request.waitFor();
    expect(await request.textContent()).toContain("mallory is not in your contacts");
    expect((await messages(alice)).map((m) => m.text)).toEqual(["Hi Alice, you don't know me yet"]);

    await request.getByRole("button", { name: "Block" }).click();
    await alice.page.getByRole("region", { name: "Blocked" }).waitFor();
    await waitForConnection(mallory, "offline");
    const before = await peerConnections(alice);

    // Mallory tries again: her tab dials alice (offers go through the server)...
    const offersSeen: string[] = [];
    alice.page.on("websocket", (ws) => ws.on("framereceived", (frame) => typeof frame.payload === "string" && /offer/.test(frame.payload) && frame.payload.includes("mallory") && offersSeen.push(frame.payload)));
    await alice.page.reload();
    await alice.page.getByText("(keys ready)").waitFor();
    const afterReload = await peerConnections(alice);
    await send(mallory, "Let me in, please");
    await eventually(async () => offersSeen.length, (n) => n >= 1, "mallory's offer reaching alice's tab", 60_000);
    // ...and alice's tab makes no peer connection for them (the count is read after the offer was handled).
    await alice.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(await peerConnections(alice)).toBe(afterReload);
    expect(afterReload).toBe(0);
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await messages(mallory)).find((m) => m.text === "Let me in, please")?.status).not.toBe("delivered");
  });
});
