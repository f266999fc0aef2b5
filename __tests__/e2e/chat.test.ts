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
const people: Person[] = [];
const sent: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  proxy = await startRecordingProxy({ host: "127.0.0.1", port });
  app = await startApp({}, { port, publicUrl: proxy.url });
});
afterAll(async () => {
  await closePeople(people);
  await app?.stop();
  await proxy?.close();
});

const texts = (list: { text: string }[]) => list.map((m) => m.text);
const count = (list: { text: string }[], text: string) => list.filter((m) => m.text === text).length;

async function say(from: Person, text: string): Promise<void> {
  sent.push(text);
  await send(from, text);
}

/**
 * Nothing any test of this file sent so far reached the server, in any
 * encoding the proxy knows to look for; and the proxy did see the traffic.
 * Each test ends with it. (Every test signs up two people of its own; the
 * server allows 10 sign-ups an hour from one address, which is why there
 * is no separate test for this.)
 */
function expectNoLeaks(): void {
  expect(sent.length).toBeGreaterThan(0);
  expect(proxy.records().some((r) => r.kind === "ws-frame")).toBe(true);
  for (const text of sent) expect([text, proxy.findLeaks(text)]).toEqual([text, []]);
}

async function delivered(person: Person, text: string, timeoutMs = 30_000): Promise<void> {
  await eventually(() => messages(person), (m) => m.find((x) => x.text === text)?.status === "delivered", `"${text}" delivered`, timeoutMs);
}

async function received(person: Person, text: string, timeoutMs = 30_000): Promise<void> {
  await eventually(() => messages(person), (m) => texts(m).includes(text), `"${text}" received`, timeoutMs);
}

/** Two new people of this test's own, signed up. */
async function twoPeople(tag: string): Promise<[Person, Person]> {
  const pair = await Promise.all([launchPerson(`${tag}-alice`), launchPerson(`${tag}-bob`)]);
  people.push(...pair);
  await Promise.all(pair.map((p) => signUp(p, app.url)));
  return pair;
}

/** Two new people in a conversation both ways: the connection direct on each side, one message delivered each way. */
async function talking(tag: string): Promise<[Person, Person]> {
  const [alice, bob] = await twoPeople(tag);
  await connectTo(alice, bob.nickname);
  await waitForConnection(alice, "direct");
  await say(alice, `Hello ${bob.nickname}, ${alice.nickname} here`);
  await delivered(alice, `Hello ${bob.nickname}, ${alice.nickname} here`);
  await connectTo(bob, alice.nickname);
  await received(bob, `Hello ${bob.nickname}, ${alice.nickname} here`);
  await waitForConnection(bob, "direct");
  await say(bob, `Hi ${alice.nickname}`);
  await delivered(bob, `Hi ${alice.nickname}`);
  await received(alice, `Hi ${alice.nickname}`);
  return [alice, bob];
}

describe("peer-to-peer chat", () => {
  it("connects by nickname and exchanges messages both ways, each seen as delivered, and no text reaches the server in any encoding", async () => {
    const [alice, bob] = await twoPeople("first");
    await connectTo(alice, bob.nickname);
    await waitForConnection(alice, "direct");
    await say(alice, "Hello Bob, this is Alice over a direct channel");
    await delivered(alice, "Hello Bob, this is Alice over a direct channel");

    await connectTo(bob, alice.nickname);
    await received(bob, "Hello Bob, this is Alice over a direct channel");
    await waitForConnection(bob, "direct");
    await say(bob, "Hi Alice, Bob here; loud and clear ünïcødé ✓");
    await delivered(bob, "Hi Alice, Bob here; loud and clear ünïcødé ✓");
    await received(alice, "Hi Alice, Bob here; loud and clear ünïcødé ✓");
    // Text that encodings would change.
    for (const text of ["emoji 🔐 inside", 'quotes " and \\ backslashes < > &']) {
      await say(alice, text);
      await received(bob, text);
    }
    expectNoLeaks();
  });

  it("shows both people the same safety number, as digits and a QR code", async () => {
    const [alice, bob] = await talking("safety");
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
    expectNoLeaks();
  });

  it("delivers exactly once what was sent while the other side was cut off", async () => {
    const [alice, bob] = await talking("cut");
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
    expectNoLeaks();
  });

  it("keeps the conversation going across a reload of either page", async () => {
    const [alice, bob] = await talking("reload");
    const first = `Hello ${bob.nickname}, ${alice.nickname} here`;
    await alice.page.reload();
    await waitForChatReady(alice.page);
    await openContact(alice, bob.nickname);
    // The history survived the reload.
    expect(texts(await messages(alice))).toContain(first);
    await say(alice, "Alice again, after reloading her page");
    await delivered(alice, "Alice again, after reloading her page", 60_000);
    await received(bob, "Alice again, after reloading her page");

    // Bob reloads while Alice is sending: nothing is lost, nothing doubled.
    const reloading = bob.page.reload();
    await say(alice, "Sent while Bob's page was reloading");
    await reloading;
    await waitForChatReady(bob.page);
    await openContact(bob, alice.nickname);
    await delivered(alice, "Sent while Bob's page was reloading", 60_000);
    await received(bob, "Sent while Bob's page was reloading");
    const seen = await messages(bob);
    expect(count(seen, "Sent while Bob's page was reloading")).toBe(1);
    expect(count(seen, first)).toBe(1);

    await say(bob, "Bob after his reload, still here");
    await received(alice, "Bob after his reload, still here", 60_000);
    expectNoLeaks();
  });

  it("stops sending and warns when the server starts listing another key for a known device", async () => {
    const [alice, bob] = await talking("forged");
    // The server (here: its database) swaps bob's device key, as an attacker
    // controlling the server would to get in the middle.
    const db = new Database(path.join(app.dataDir, "communisp.db"));
    const forged = Buffer.alloc(32, 7).toString("base64");
    db.prepare(`UPDATE "Device" SET "signPublicKey" = ? WHERE "userId" = (SELECT id FROM "User" WHERE nickname = ?)`).run(forged, bob.nickname);
    db.close();
    // A fresh page: Connect reuses a device listing under 15 s old (lib/chat/peer-directory.ts), and
    // alice listed bob's devices moments ago. The pins survive (IndexedDB).
    await alice.page.reload();
    await waitForChatReady(alice.page);
    await connectTo(alice, bob.nickname);
    await alice.page.getByRole("alert").filter({ hasText: `The security key of ${bob.nickname}'s device` }).waitFor();
    await send(alice, "This must not go out while the key is in doubt");
    await alice.page.getByRole("alert").filter({ hasText: "Sending is paused" }).waitFor();
    expect(texts(await messages(alice))).not.toContain("This must not go out while the key is in doubt");
    // Accepting the forged key does not let anyone in: bob cannot prove it, so no connection forms.
    await alice.page.getByRole("button", { name: "Accept new key" }).click();
    await alice.page.getByRole("alert").filter({ hasText: "could not prove it is the device the server lists" }).waitFor({ timeout: 30_000 });
    expect(await alice.page.getByRole("status", { name: "Connection state" }).locator("strong").textContent()).not.toMatch(/direct|relayed/);
    expectNoLeaks();
  });
});
