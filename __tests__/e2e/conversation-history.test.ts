import { castOf } from "./support/cast";
import { oldestAt, seedHistory } from "./support/history";
import { connectTo, messages, openContact, send, waitForConnection, type Person } from "./support/people";
import { eventually } from "./support/wait";

// A long conversation in real Chromium: the "Messages" log keeps only the
// rows near the screen in the DOM, pages older history in from IndexedDB as
// the person scrolls up (the message on screen stays put), follows new
// messages while the person is at the bottom, and leaves the view alone
// while they read further up.

jest.setTimeout(300_000);

const HISTORY = 600;
const cast = castOf();

type LogView = { count: number; hasOlder: string; rows: number; top: number; bottomGap: number; firstText: string | null; lastText: string | null };

function logView(person: Person): Promise<LogView> {
  return person.page.getByRole("log", { name: "Messages" }).evaluate((log: HTMLElement) => {
    const rows = [...log.querySelectorAll<HTMLElement>("li[data-status]")];
    // The first row at least half on screen: what the person is looking at.
    const box = log.getBoundingClientRect();
    const onScreen = rows.filter((li) => {
      const r = li.getBoundingClientRect();
      return r.top + r.height / 2 >= box.top && r.top + r.height / 2 <= box.bottom;
    });
    return {
      count: Number(log.dataset.count),
      hasOlder: log.dataset.hasOlder ?? "",
      rows: rows.length,
      top: log.scrollTop,
      bottomGap: log.scrollHeight - log.scrollTop - log.clientHeight,
      firstText: onScreen[0]?.querySelector(".text")?.textContent ?? null,
      lastText: onScreen.at(-1)?.querySelector(".text")?.textContent ?? null,
    };
  });
}

/**
 * Two new people of the test's own: alice sent bob "the newest message" (delivered), and her
 * IndexedDB holds HISTORY older messages of their conversation; her page is reloaded with
 * the conversation open at its newest message.
 */
async function aLongConversation(tag: string): Promise<[Person, Person]> {
  const [alice, bob] = await Promise.all([cast.signedUp(`${tag}-alice`), cast.signedUp(`${tag}-bob`)]);
  await connectTo(alice, bob.nickname);
  await waitForConnection(alice, "direct");
  await send(alice, "the newest message");
  await eventually(() => messages(alice), (m) => m.at(-1)?.status === "delivered", "the first message delivered");
  const newestAt = (await alice.page.evaluate(oldestAt, { account: alice.nickname, peer: bob.nickname })) - 1_000;
  await alice.page.evaluate(seedHistory, { account: alice.nickname, peer: bob.nickname, count: HISTORY, newestAt, size: 120 });
  await alice.page.reload();
  await openContact(alice, bob.nickname);
  await eventually(() => logView(alice), (v) => v.lastText === "the newest message", "the newest message on screen");
  return [alice, bob];
}

describe("a long conversation", () => {
  it("opens at its newest message with only a screenful of rows in the DOM, and reads back in full, in order", async () => {
    const [alice] = await aLongConversation("full");

    const opened = await logView(alice);
    expect(opened.count).toBeLessThan(HISTORY);
    expect(opened.hasOlder).toBe("true");
    expect(opened.rows).toBeLessThan(40);
    expect(opened.bottomGap).toBeLessThanOrEqual(2);

    const all = await messages(alice);
    expect(all.length).toBe(HISTORY + 1);
    expect(all.slice(0, 3).map((m) => m.text.split(" ")[0])).toEqual(["0", "1", "2"]);
    expect(all.at(-2)!.text.split(" ")[0]).toBe(String(HISTORY - 1));
    expect(all.at(-1)).toEqual({ text: "the newest message", status: "delivered", direction: "out" });
    expect((await logView(alice)).rows).toBeLessThan(40);
  });

  it("keeps the message on screen where it was when an older page comes in above it", async () => {
    const [alice] = await aLongConversation("above");
    const before = await logView(alice);
    await alice.page.getByRole("log", { name: "Messages" }).evaluate((log: HTMLElement) => void (log.scrollTop = 0));
    const after = await eventually(() => logView(alice), (v) => v.count > before.count, "an older page to load");
    // The page went in above: the view moved down by its height, so the same messages are in front of the person.
    expect(after.top).toBeGreaterThan(0);
    const firstShownAtTop = (await alice.page.getByRole("log", { name: "Messages" }).locator("li[data-status]").first().getAttribute("aria-posinset")) ?? "";
    expect(Number(firstShownAtTop)).toBeGreaterThan(1);
    expect(after.firstText).not.toBeNull();
  });

  it("follows a new message at the bottom, and leaves the view alone while the person reads further up", async () => {
    const [alice, bob] = await aLongConversation("follow");
    await connectTo(bob, alice.nickname);
    await waitForConnection(bob, "direct");
    await waitForConnection(alice, "direct");

    await send(bob, "seen at the bottom");
    const followed = await eventually(() => logView(alice), (v) => v.lastText === "seen at the bottom", "alice's view to follow bob's message");
    expect(followed.bottomGap).toBeLessThanOrEqual(2);

    // Alice scrolls up a few screens to read.
    await alice.page.getByRole("log", { name: "Messages" }).evaluate((log: HTMLElement) => void (log.scrollTop = Math.max(0, log.scrollTop - 3 * log.clientHeight)));
    const reading = await eventually(() => logView(alice), (v) => v.bottomGap > 0 && v.firstText !== null, "alice reading further up");
    await send(bob, "not pulled down for this one");
    await eventually(() => logView(alice), (v) => v.count === reading.count + 1, "the message to arrive");
    const still = await logView(alice);
    expect(still.firstText).toBe(reading.firstText);
    expect(still.top).toBe(reading.top);
    expect((await messages(alice)).at(-1)).toMatchObject({ text: "not pulled down for this one", direction: "in" });
  });
});
