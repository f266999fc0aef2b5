import { lanAddresses } from "@/lib/tls/server-identity";
import { freePort, startApp, type RunningApp } from "./support/app";
import { closePeople, launchPerson, signUp, type Person } from "./support/people";
import { becomeHomeRelay } from "./support/relay";

// Plain http from another machine (here: this machine's own LAN address,
// which browsers treat like any other host): not a secure context. The page
// says which features the browser turned off instead of failing silently.

jest.setTimeout(120_000);

let app: RunningApp;
let lanUrl: string;
const people: Person[] = [];

beforeAll(async () => {
  const ip = lanAddresses().find((a) => !a.includes(":"));
  if (!ip) throw new Error("This test needs a non-loopback IPv4 address on this machine (it serves the app on it to get a non-secure origin).");
  const port = await freePort();
  lanUrl = `http://${ip}:${port}`;
  app = await startApp({ HOST: "0.0.0.0" }, { port, publicUrl: lanUrl });
});
afterAll(async () => {
  await closePeople(people);
  await app?.stop();
});

it("says which features are off on plain http, and why notifications cannot be had here", async () => {
  const dana = await launchPerson("dana");
  people.push(dana);
  await signUp(dana, lanUrl);
  expect(await dana.page.evaluate(() => window.isSecureContext)).toBe(false);
  const notice = dana.page.getByRole("status", { name: "This page is not on a secure (https) address" });
  const items = await notice.getByRole("listitem").allTextContents();
  expect(items).toEqual([expect.stringMatching(/^Pings \(notifications\)/), expect.stringMatching(/^The guard that keeps CommunisP to one tab/), expect.stringMatching(/^Fast opening of retrieved logs/)]);

  await becomeHomeRelay(dana);
  await dana.page.getByRole("checkbox", { name: "Get pings on this device" }).click();
  await dana.page.getByRole("alert").filter({ hasText: "Notifications need a secure (https) address" }).waitFor();
});
