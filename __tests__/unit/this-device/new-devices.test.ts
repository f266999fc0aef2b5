import type { OwnDevice } from "@/lib/api-client/devices";
import { NewDevices } from "@/lib/this-device/new-devices";

const device = (id: string, name = `device ${id}`): OwnDevice => ({ id, name, home: false, signPublicKey: "s", dhPublicKey: "d", createdAt: "2026-01-01T00:00:00.000Z", lastSeenAt: "2026-01-01T00:00:00.000Z" });

function setup(initial: OwnDevice[]) {
  let stored: Set<string> | null = null;
  let devices = initial;
  const watch = new NewDevices("me", { load: async () => (stored ? new Set(stored) : null), save: async (ids) => void (stored = new Set(ids)) }, async () => devices);
  return { watch, setDevices: (next: OwnDevice[]) => (devices = next), stored: () => stored };
}

describe("NewDevices", () => {
  it("announces nothing the first time (every device already there is older news), then each device added later, once acknowledged never again", async () => {
    const t = setup([device("me"), device("old")]);
    expect(await t.watch.unacknowledged()).toEqual([]);
    t.setDevices([device("me"), device("old"), device("new", "Firefox on Android (phone)")]);
    expect((await t.watch.unacknowledged()).map((d) => d.name)).toEqual(["Firefox on Android (phone)"]);
    expect((await t.watch.unacknowledged()).map((d) => d.id)).toEqual(["new"]);
    await t.watch.acknowledge("new");
    expect(await t.watch.unacknowledged()).toEqual([]);
  });

  it("never announces this device itself, and forgets devices that are gone", async () => {
    const t = setup([device("a")]);
    await t.watch.unacknowledged();
    t.setDevices([device("a"), device("me")]);
    expect(await t.watch.unacknowledged()).toEqual([]);
    t.setDevices([device("me")]);
    await t.watch.unacknowledged();
    expect([...(t.stored() ?? [])]).toEqual([]);
  });
});
