import { freePort, startApp, type RunningApp } from "./support/app";
import { closePeople, connectTo, launchPerson, logIn, messages, send, signUp, waitForConnection, type Person } from "./support/people";
import { startRecordingProxy, type RecordingProxy } from "./support/recording-proxy";
import { becomeHomeRelay, enableLogs, expectChecked, expectLogCount, requestLogs, retrievedLogs } from "./support/relay";
import { eventually } from "./support/wait";

// The product description's walkthrough, in separate Chromium processes: the
// home tab as the account's mailbox, the phone that retrieves and clears its
// logs, a stranger who has no home to ask, and the chat that goes on without home.

jest.setTimeout(400_000);

const PASSPHRASE = "a long log passphrase nobody guesses";
let app: RunningApp;
let proxy: RecordingProxy;
const people: Person[] = [];
const secrets: string[] = [PASSPHRASE];

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

async function person(nickname: string, phone = false): Promise<Person> {
  const p = await launchPerson(nickname, phone ? { viewport: { width: 375, height: 812 }, isMobile: true } : {});
  people.push(p);
  return p;
}

const texts = (list: { text: string }[]) => list.map((m) => m.text);

async function say(from: Person, text: string) {
  secrets.push(text);
  await send(from, text);
}

async function delivered(p: Person, text: string, timeoutMs = 60_000) {
  await eventually(() => messages(p), (m) => m.find((x) => x.text === text)?.status === "delivered", `"${text}" delivered`, timeoutMs);
}

async function received(p: Person, text: string, timeoutMs = 60_000) {
  await eventually(() => messages(p), (m) => texts(m).includes(text), `"${text}" received`, timeoutMs);
}

describe("the home relay walkthrough", () => {
  it("keeps bob's messages for alice's phone, gives mallory nothing, clears on request, and the chat outlives the home tab", async () => {
    const home = await person("alice");
    const pinged: number[] = [];
    home.page.on("response", (r) => r.url().endsWith("/api/push/ping") && pinged.push(r.status()));
    await signUp(home, app.url);
    await becomeHomeRelay(home);
    await enableLogs(home, PASSPHRASE);
    await home.page.getByRole("checkbox", { name: "Ping on Received" }).check();
    await expectChecked(home, "Ping on Received");

    const bob = await person("bob");
    await signUp(bob, app.url);
    await connectTo(bob, "alice");
    await waitForConnection(bob, "direct");
    const fromBob = ["Bob here: are you around this evening?", "Bob again: the concert starts at eight", "Bob, last one: tell me when you read this"];
    for (const text of fromBob) await say(bob, text);
    for (const text of fromBob) await delivered(bob, text);
    await expectLogCount(home, 3);
    await eventually(async () => pinged, (p) => p.includes(200), "the home tab pinged");

    const phone = await person("alice", true);
    await logIn(phone, app.url);
    const retrieved = await requestLogs(phone, "Retrieve logs", PASSPHRASE);
    expect(retrieved).toBe("Retrieved 3 messages.");
    expect(await retrievedLogs(phone)).toEqual({ bob: fromBob });

    // Mallory has no way to ask alice's home: a device asks only its own account's
    // home (the refusal of a stranger's request is a unit test of the home service).
    const mallory = await person("mallory");
    await signUp(mallory, app.url);
    expect(await requestLogs(mallory, "Retrieve logs", PASSPHRASE)).toBe("No device of this account is set as home relay.");
    await expectLogCount(home, 3);

    expect(await requestLogs(phone, "Retrieve logs", "not the right passphrase")).toBe("Wrong log passphrase.");
    expect(await requestLogs(phone, "Clear logs", PASSPHRASE)).toBe("The home relay deleted 3 sealed records.");
    await expectLogCount(home, 0);

    await connectTo(phone, "bob");
    await waitForConnection(phone, "direct");
    await say(phone, "Alice from her phone: got all three, see you at eight");
    await delivered(phone, "Alice from her phone: got all three, see you at eight");
    await received(bob, "Alice from her phone: got all three, see you at eight");

    await home.browser.close();
    await say(bob, "Bob: great, still reaching you with your home tab closed");
    await received(phone, "Bob: great, still reaching you with your home tab closed");
    await delivered(bob, "Bob: great, still reaching you with your home tab closed");
    // The phone shows the page properly at phone width: nothing wider than the screen.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });

  it("logs every message exactly once while the home tab reloads mid-stream", async () => {
    const home = await person("carol");
    await signUp(home, app.url);
    await becomeHomeRelay(home);
    await enableLogs(home, PASSPHRASE);
    await home.page.getByRole("checkbox", { name: "Ping on Received" }).check();
    const dave = await person("dave");
    await signUp(dave, app.url);
    await connectTo(dave, "carol");
    await waitForConnection(dave, "direct");

    const burst = Array.from({ length: 8 }, (_, i) => `Dave's message number ${i + 1} of a burst`);
    for (const [i, text] of burst.entries()) {
      await say(dave, text);
      if (i === 2) void home.page.reload();
    }
    for (const text of burst) await delivered(dave, text, 120_000);
    await expectLogCount(home, burst.length, 60_000);

    const phone = await person("carol", true);
    await logIn(phone, app.url);
    // The burst's batched ping (at most one per 30 s) reaches the open phone live, without content.
    const notice = await phone.page.getByText(/^Your home relay received \d+ new messages?\.$/).textContent({ timeout: 60_000 });
    expect(notice).not.toMatch(/dave|burst/i);
    expect(await requestLogs(phone, "Retrieve logs", PASSPHRASE)).toBe(`Retrieved ${burst.length} messages.`);
    expect((await retrievedLogs(phone)).dave).toEqual(burst);
  });

  it("never let a message or the log passphrase reach the server, in any encoding", () => {
    expect(proxy.records().some((r) => r.kind === "ws-frame")).toBe(true);
    for (const secret of secrets) expect(proxy.findLeaks(secret)).toEqual([]);
  });
});
