import { startApp, type RunningApp } from "./support/app";
import { closePeople, connectTo, launchPerson, messages, send, signUp, waitForConnection, type Person } from "./support/people";
import { eventually } from "./support/wait";

jest.setTimeout(240_000);

let app: RunningApp;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  app = await startApp();
  [alice, bob] = await Promise.all([launchPerson("alice"), launchPerson("bob")]);
  await Promise.all([signUp(alice, app.url), signUp(bob, app.url)]);
});
afterAll(async () => {
  await closePeople([alice, bob].filter(Boolean));
  await app?.stop();
});

const texts = (list: { text: string }[]) => list.map((m) => m.text);

describe("peer-to-peer chat", () => {
  it("connects by nickname and exchanges messages both ways, each seen as delivered", async () => {
    await connectTo(alice, "bob");
    await waitForConnection(alice, "direct");
    await send(alice, "Hello Bob, this is Alice over a direct channel");
    await eventually(() => messages(alice), (m) => m[0]?.status === "delivered", "alice's message delivered");

    await connectTo(bob, "alice");
    await eventually(() => messages(bob), (m) => texts(m).includes("Hello Bob, this is Alice over a direct channel"), "bob sees alice's message");
    await send(bob, "Hi Alice, Bob here; loud and clear");
    await eventually(() => messages(bob), (m) => m.at(-1)?.status === "delivered", "bob's reply delivered");
    await eventually(() => messages(alice), (m) => texts(m).includes("Hi Alice, Bob here; loud and clear"), "alice sees bob's reply");
  });
});
