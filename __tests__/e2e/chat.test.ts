import path from "node:path";
import Database from "better-sqlite3";
import { freePort, startApp, type RunningApp } from "./support/app";
import { closePeople, connectTo, freeze, launchPerson, messages, openContact, send, signUp, waitForChatReady, waitForConnection, type Person } from "./support/people";
import { startRecordingProxy, type RecordingProxy } from "./support/recording-proxy";
import { eventually } from "./support/wait";

// Two people in two separate Chromium processes, against the app as `npm
// start` runs it, with a recording proxy in front of the server: everything
// the server receives and sends passes through it and is kept, decoded.

jest.setTimeout(300_000);

let app: RunningApp;
let proxy: RecordingProxy;
let alice: Person;
let bob: Person;
const sent: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  proxy = await startRecordingProxy({ host: "127.0.0.1", port });
  app = await startApp({}, { port, publicUrl: proxy.url });
  [alice, bob] = await Promise.all([launchPerson("alice"), launchPerson("bob")]);
  await Promise.all([signUp(alice, app.url), signUp(bob, app.url)]);
});
afterAll(async () => {
  await closePeople([alice, bob].filter(Boolean));
  await app?.stop();
  await proxy?.close();
});

const texts = (list: { text: string }[]) => list.map((m) => m.text);
const count = (list: { text: string }[], text: string) => list.filter((m) => m.text === text).length;

async function say(from: Person, text: string): Promise<void> {
  sent.push(text);
  await send(from, text);
}

async function delivered(person: Person, text: string, timeoutMs = 30_000): Promise<void> {
  await eventually(() => messages(person), (m) => m.find((x) => x.text === text)?.status === "delivered", `"${text}" delivered`, timeoutMs);
}

async function received(person: Person, text: string, timeoutMs = 30_000): Promise<void> {
  await eventually(() => messages(person), (m) => texts(m).includes(text), `"${text}" received`, timeoutMs);
}

describe("peer-to-peer chat", () => {
  it("connects by nickname and exchanges messages both ways, each seen as delivered", async () => {
    await connectTo(alice, "bob");
    await waitForConnection(alice, "direct");
    await say(alice, "Hello Bob, this is Alice over a direct channel");
    await delivered(alice, "Hello Bob, this is Alice over a direct channel");

    await connectTo(bob, "alice");
    await received(bob, "Hello Bob, this is Alice over a direct channel");
    await waitForConnection(bob, "direct");
    await say(bob, "Hi Alice, Bob here; loud and clear ünïcødé ✓");
    await delivered(bob, "Hi Alice, Bob here; loud and clear ünïcødé ✓");
    await received(alice, "Hi Alice, Bob here; loud and clear ünïcødé ✓");
  });

  it("shows both people the same safety number, as digits and a QR code", async () => {
    const read = async (person: Person) => {
      await person.page.getByRole("button", { name: "Safety number" }).click();
      const digits = await person.page.getByLabel("Safety number digits").textContent();
      await person.page.getByRole("img", { name: "Safety number as a QR code" }).waitFor();
      await person.page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
      return digits;
    };
    const [a, b] = [await read(alice), await read(bob)];
    expect(a).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a).toBe(b);
  });

  it("delivers exactly once what was sent while the other side was cut off", async () => {
    const cut = freeze(bob);
    let thawed = false;
    try {
      await say(alice, "Sent while Bob was unreachable, number one");
      await say(alice, "Sent while Bob was unreachable, number two");
      // Long enough for ICE to give up on the old connection: the messages
      // must then travel again, over a new one.
      await waitForConnection(alice, "offline", 90_000);
      const during = await messages(alice);
      expect(during.filter((m) => m.text.startsWith("Sent while Bob")).map((m) => m.status)).not.toContain("delivered");
      cut.thaw();
      thawed = true;
    } finally {
      if (!thawed) cut.thaw();
    }
    await delivered(alice, "Sent while Bob was unreachable, number one", 90_000);
    await delivered(alice, "Sent while Bob was unreachable, number two", 90_000);
    await received(bob, "Sent while Bob was unreachable, number two");
    const seen = await messages(bob);
    expect(count(seen, "Sent while Bob was unreachable, number one")).toBe(1);
    expect(count(seen, "Sent while Bob was unreachable, number two")).toBe(1);
  });

  it("keeps the conversation going across a reload of either page", async () => {
    await alice.page.reload();
    await waitForChatReady(alice.page);
    await openContact(alice, "bob");
    // The history survived the reload.
    expect(texts(await messages(alice))).toContain("Hello Bob, this is Alice over a direct channel");
    await say(alice, "Alice again, after reloading her page");
    await delivered(alice, "Alice again, after reloading her page", 60_000);
    await received(bob, "Alice again, after reloading her page");

    // Bob reloads while Alice is sending: nothing is lost, nothing doubled.
    const reloading = bob.page.reload();
    await say(alice, "Sent while Bob's page was reloading");
    await reloading;
    await waitForChatReady(bob.page);
    await openContact(bob, "alice");
    await delivered(alice, "Sent while Bob's page was reloading", 60_000);
    await received(bob, "Sent while Bob's page was reloading");
    const seen = await messages(bob);
    expect(count(seen, "Sent while Bob's page was reloading")).toBe(1);
    expect(count(seen, "Hello Bob, this is Alice over a direct channel")).toBe(1);

    await say(bob, "Bob after his reload, still here");
    await received(alice, "Bob after his reload, still here", 60_000);
  });

  it("stops sending and warns when the server starts listing another key for a known device", async () => {
    // The server (here: its database) swaps bob's device key, as an attacker
    // controlling the server would to get in the middle.
    const db = new Database(path.join(app.dataDir, "communisp.db"));
    const forged = Buffer.alloc(32, 7).toString("base64");
    db.prepare(`UPDATE "Device" SET "signPublicKey" = ? WHERE "userId" = (SELECT id FROM "User" WHERE nickname = 'bob')`).run(forged);
    db.close();
    // A fresh page: Connect reuses a device listing under 15 s old (lib/chat/peer-directory.ts), and the
    // test before this one listed bob's devices moments ago. The pins survive (IndexedDB).
    await alice.page.reload();
    await waitForChatReady(alice.page);
    await connectTo(alice, "bob");
    await alice.page.getByRole("alert").filter({ hasText: "The security key of bob's device" }).waitFor();
    await send(alice, "This must not go out while the key is in doubt");
    await alice.page.getByRole("alert").filter({ hasText: "Sending is paused" }).waitFor();
    expect(texts(await messages(alice))).not.toContain("This must not go out while the key is in doubt");
    // Accepting the forged key does not let anyone in: bob cannot prove it, so no connection forms.
    await alice.page.getByRole("button", { name: "Accept new key" }).click();
    await alice.page.getByRole("alert").filter({ hasText: "could not prove it is the device the server lists" }).waitFor({ timeout: 30_000 });
    expect(await alice.page.getByRole("status", { name: "Connection state" }).locator("strong").textContent()).not.toMatch(/direct|relayed/);
  });

  it("never let any message text reach the server, in any encoding", () => {
    expect(sent.length).toBeGreaterThanOrEqual(6);
    // The proxy saw real traffic: the sign-ups and the signaling went through it.
    expect(proxy.records().some((r) => r.kind === "ws-frame")).toBe(true);
    for (const text of sent) expect(proxy.findLeaks(text)).toEqual([]);
  });
});
