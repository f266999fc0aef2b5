import { castOf } from "./support/cast";
import { attemptLogin, loggedIn } from "./support/http-login";
import { connectTo, logIn, messages, openChat, openSettings, PASSWORD, send, signUp, waitForConnection, type Person } from "./support/people";
import { becomeHomeRelay } from "./support/relay";
import { eventually, expectText } from "./support/wait";

// Devices and sessions as a person manages them (issue 10): a new device is
// announced on the account's other devices and in its contacts'
// conversations, /settings lists the devices and changes the password, and
// what is revoked or signed out stops working at once. Real Chromium
// processes against the app as `npm start` runs it.

jest.setTimeout(300_000);

const cast = castOf();


const apiStatus = (p: Person, path: string) => p.page.evaluate(async (url) => (await fetch(url)).status, path);

describe("a new device of one's own account", () => {
  it("is announced on the account's open devices with Revoke, which signs it out at once", async () => {
    const home = await cast.launch("kim");
    await signUp(home, cast.app.url);
    const phone = await cast.launch("kim");
    await logIn(phone, cast.app.url);

    const alert = home.page.getByRole("region", { name: "New devices" }).getByRole("alert");
    await expectText(alert, /^New device signed in: Chrome on Linux, .+/, 30_000);
    await alert.getByRole("button", { name: "Revoke" }).click();
    await eventually(() => apiStatus(phone, "/api/devices"), (s) => s === 401, "the revoked phone's session to end");
    await alert.waitFor({ state: "detached" });
    const left = await home.page.evaluate(async () => ((await (await fetch("/api/devices")).json()) as { devices: unknown[] }).devices.length);
    expect(left).toBe(1);
    // The revoked browser is sent to the login page on its next visit.
    await phone.page.goto(`${cast.app.url}/chat`);
    await phone.page.waitForURL(`${cast.app.url}/login`);
  });
});

describe("/settings", () => {
  it("lists the devices (this one, home, last seen), revokes another, and changes the password, signing out every other session", async () => {
    const desk = await cast.launch("lou");
    await signUp(desk, cast.app.url);
    await becomeHomeRelay(desk);
    const laptop = await cast.launch("lou");
    await logIn(laptop, cast.app.url);
    const tablet = await cast.launch("lou");
    await logIn(tablet, cast.app.url);

    // The device list refetches as /settings opens (the laptop and tablet signed in since the desk looked).
    await openChat(desk);
    await openSettings(desk);
    const list = desk.page.getByRole("list", { name: "Your devices" });
    await eventually(() => list.getByRole("listitem").count(), (n) => n === 3, "three devices listed");
    const mine = list.getByRole("listitem").filter({ hasText: "This device" });
    await expectText(mine.locator(".muted"), /^This device · Home relay · Last seen .+ · added .+$/);
    expect(await mine.getByRole("button").count()).toBe(0);
    expect(await list.getByRole("button", { name: "Revoke Chrome on Linux" }).count()).toBe(2);

    // Revoke one of the others (the laptop, whichever row is its).
    const laptopId = await laptop.page.evaluate(async () => ((await (await fetch("/api/auth/session")).json()) as { user: { deviceId: string } }).user.deviceId);
    const rows = await list.getByRole("listitem").all();
    const ids = await desk.page.evaluate(async () => ((await (await fetch("/api/devices")).json()) as { devices: { id: string }[] }).devices.map((d) => d.id));
    await rows[ids.indexOf(laptopId)]!.getByRole("button", { name: "Revoke Chrome on Linux" }).click();
    await expectText(desk.page.getByRole("status").filter({ hasText: "Revoked" }), "Revoked “Chrome on Linux”. It is signed out and can no longer receive messages.");
    await eventually(() => list.getByRole("listitem").count(), (n) => n === 2, "the revoked device to leave the list");
    expect(await apiStatus(laptop, "/api/devices")).toBe(401);

    // Change password: a wrong current password is refused and changes nothing.
    const form = desk.page.getByRole("region", { name: "Change password" });
    await form.getByLabel("Current password").fill("not my password");
    await form.getByLabel("New password").fill("a brand new passphrase");
    await form.getByRole("button", { name: "Change password" }).click();
    await expectText(form.getByRole("alert"), "The current password is not right.");
    expect(await apiStatus(tablet, "/api/devices")).toBe(200);

    await form.getByLabel("Current password").fill(PASSWORD);
    await form.getByLabel("New password").fill("a brand new passphrase");
    await form.getByRole("button", { name: "Change password" }).click();
    await expectText(form.getByRole("status"), "Password changed. 1 other session was signed out.");
    expect(await apiStatus(tablet, "/api/devices")).toBe(401);
    expect(await apiStatus(desk, "/api/devices")).toBe(200);
    expect(loggedIn(await attemptLogin(cast.app.url, "lou", PASSWORD))).toBe(false);
    expect(loggedIn(await attemptLogin(cast.app.url, "lou", "a brand new passphrase"))).toBe(true);

    // Log out is on /settings.
    await desk.page.getByRole("button", { name: "Log out" }).click();
    await desk.page.waitForURL(`${cast.app.url}/login`);
  });
});

describe("a contact's new device", () => {
  it("is shown in the conversation like a key change, and still gets the messages", async () => {
    const max = await cast.launch("max");
    const mia = await cast.launch("mia");
    await Promise.all([signUp(max, cast.app.url), signUp(mia, cast.app.url)]);
    await connectTo(max, "mia");
    await waitForConnection(max, "direct");
    await send(max, "First, to mia's only device");
    await eventually(() => messages(max), (m) => m.some((x) => x.text === "First, to mia's only device" && x.status === "delivered"), "the first message delivered");

    const miasPhone = await cast.launch("mia");
    await logIn(miasPhone, cast.app.url);
    await connectTo(max, "mia");
    const notice = max.page.getByRole("alert").filter({ hasText: "mia has a new device" });
    await expectText(notice.locator("p"), "mia has a new device: “Chrome on Linux”. Your messages to mia go to it too. If mia did not add it, compare safety numbers.");

    // Not a key change: nothing is paused. Once mia's phone has its own channel to max, it gets max's messages.
    await connectTo(miasPhone, "max");
    await waitForConnection(miasPhone, "direct");
    await send(max, "Second, after mia added a phone");
    await eventually(() => messages(miasPhone), (m) => m.some((x) => x.text === "Second, after mia added a phone"), "the new device to receive the message", 60_000);
    await notice.getByRole("button", { name: "OK" }).click();
    await notice.waitFor({ state: "detached" });
    // Acknowledged for good: opening the conversation again says nothing more.
    await connectTo(max, "mia");
    await max.page.getByRole("log", { name: "Messages" }).waitFor();
    expect(await max.page.getByRole("alert").filter({ hasText: "has a new device" }).count()).toBe(0);
  });
});
