import { castOf } from "./support/cast";
import { connectTo, messages, send, waitForChatReady, waitForConnection, type Person } from "./support/people";
import { eventually, holdsFor } from "./support/wait";

// The server (signaling and database: one `npm start` process) goes away for
// 30 s and comes back on the same port and data. Pages say so and reconnect
// by themselves; a conversation already connected goes on peer to peer; a
// message written to someone whose tab reloaded during the outage waits and
// is delivered, once, when both are back.

jest.setTimeout(240_000);

const OUTAGE_MS = 30_000;
const cast = castOf();


const serverState = (p: Person) => p.page.getByRole("status").filter({ hasText: "This device:" }).textContent();
const texts = async (p: Person) => (await messages(p)).map((m) => m.text);

async function statusOf(p: Person, text: string): Promise<string | undefined> {
  return (await messages(p)).find((m) => m.text === text)?.status;
}

it("survives a 30 s server outage: pages say so, reconnect by themselves, and no message is lost or doubled", async () => {
  const alice = await cast.signedUp("alice");
  const bob = await cast.signedUp("bob");
  await connectTo(bob, "alice");
  await waitForConnection(bob, "direct");
  await send(bob, "before the outage");
  await eventually(() => statusOf(bob, "before the outage"), (s) => s === "delivered", "the first message delivered");

  await cast.app.halt();
  const down = Date.now();
  for (const p of [alice, bob]) await eventually(() => serverState(p), (t) => /server unreachable|connecting to the server/.test(t ?? ""), `${p.nickname}'s page to say the server is gone`, 60_000);

  // The data channel does not need the server.
  await send(bob, "during the outage, peer to peer");
  await eventually(() => statusOf(bob, "during the outage, peer to peer"), (s) => s === "delivered", "delivery without the server");

  // Alice's tab reloads while the server is down: the offline shell, and bob's next message must wait.
  await alice.page.reload();
  await alice.page.getByRole("heading", { name: "You are offline; messages will be sent when you are back" }).waitFor();
  await send(bob, "while alice's tab is away");
  await eventually(() => statusOf(bob, "while alice's tab is away"), (s) => s !== undefined && s !== "delivered", "the message to wait");

  // The outage lasts its full 30 s, and bob's page keeps saying so all along.
  await holdsFor(
    OUTAGE_MS - (Date.now() - down),
    async () => ({ server: await serverState(bob), waiting: await statusOf(bob, "while alice's tab is away") }),
    (s) => /server unreachable|connecting to the server/.test(s.server ?? "") && s.waiting !== "delivered",
    "bob's page saying the server is gone, and the message waiting",
  );

  await cast.app.resume();
  await eventually(() => serverState(bob), (t) => / · online/.test(t ?? ""), "bob's page to reconnect on its own", 90_000);
  await alice.page.getByRole("link", { name: "Try again" }).click();
  await waitForChatReady(alice.page);

  await eventually(() => statusOf(bob, "while alice's tab is away"), (s) => s === "delivered", "the waiting message delivered after the outage", 90_000);
  // alice keeps the conversation (history); every message is there exactly once.
  await alice.page.getByRole("navigation", { name: "Recent contacts" }).getByRole("button", { name: "bob" }).click();
  await eventually(() => texts(alice), (t) => t.includes("while alice's tab is away"), "alice to show the message", 30_000);
  expect(await texts(alice)).toEqual(["before the outage", "during the outage, peer to peer", "while alice's tab is away"]);
});
