import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import dbus from "dbus-next";
import { chromium, type BrowserContext } from "playwright-core";
import { makeTempDir } from "../../support/temp-dir";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium";
import { eventually } from "./wait";

// The desktop's notification service, as Chromium on Linux talks to it: a
// private D-Bus session bus (Debian's dbus-daemon) with an
// org.freedesktop.Notifications server on it (Desktop Notifications
// Specification 1.2). Chromium started with DBUS_SESSION_BUS_ADDRESS pointing
// there shows web notifications through it, and a "click" is the
// ActionInvoked(id, "default") signal a notification daemon sends when a
// person clicks one: Chromium then dispatches a real notificationclick, with
// the window interaction a service worker needs for clients.openWindow() and
// WindowClient.focus(). (A notificationclick dispatched from script gets
// "Not allowed to open a window.")

export interface ShownNotification {
  id: number;
  summary: string;
  body: string;
  actions: string[];
}

export interface DesktopNotifications {
  /** For the browser's environment. */
  busAddress: string;
  shown(): ShownNotification[];
  closed(): number[];
  /** What a person's click on notification `id` sends. */
  click(id: number): void;
  stop(): Promise<void>;
}

const { Interface } = dbus.interface;

class NotificationServer extends Interface {
  next = 1;
  readonly notifications: ShownNotification[] = [];
  readonly closedIds: number[] = [];

  constructor() {
    super("org.freedesktop.Notifications");
  }

  GetCapabilities(): string[] {
    return ["actions", "body"];
  }

  Notify(_app: string, replacesId: number, _icon: string, summary: string, body: string, actions: string[]): number {
    const id = replacesId || this.next++;
    this.notifications.push({ id, summary, body, actions });
    return id;
  }

  CloseNotification(id: number): void {
    this.closedIds.push(id);
  }

  GetServerInformation(): [string, string, string, string] {
    return ["communisp-test", "communisp", "1", "1.2"];
  }

  ActionInvoked(id: number, key: string): [number, string] {
    return [id, key];
  }

  NotificationClosed(id: number, reason: number): [number, number] {
    return [id, reason];
  }
}

NotificationServer.configureMembers({
  methods: {
    GetCapabilities: { inSignature: "", outSignature: "as" },
    Notify: { inSignature: "susssasa{sv}i", outSignature: "u" },
    CloseNotification: { inSignature: "u", outSignature: "" },
    GetServerInformation: { inSignature: "", outSignature: "ssss" },
  },
  signals: { ActionInvoked: { signature: "us" }, NotificationClosed: { signature: "uu" } },
});

function dbusDaemonPath(): string {
  const found = spawnSync("sh", ["-c", "command -v dbus-daemon"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("dbus-daemon is needed to click notifications as a desktop does and was not found. Install it with `sudo apt-get install -y dbus-daemon` (Debian/Ubuntu).");
  return found;
}

export async function startDesktopNotifications(): Promise<DesktopNotifications> {
  const daemon = dbusDaemonPath();
  const temp = makeTempDir("dbus");
  const socket = path.join(temp.dir, "bus.sock");
  const config = path.join(temp.dir, "session.conf");
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
  );
  const child: ChildProcess = spawn(daemon, ["--config-file", config, "--nofork", "--nopidfile"], { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  child.stderr!.on("data", (c: Buffer) => (errors += c.toString()));
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      temp.remove();
      throw new Error(`dbus-daemon did not start:\n${errors}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const busAddress = `unix:path=${socket}`;
  const bus = dbus.sessionBus({ busAddress });
  const server = new NotificationServer();
  await bus.requestName("org.freedesktop.Notifications", 0);
  bus.export("/org/freedesktop/Notifications", server);
  return {
    busAddress,
    shown: () => [...server.notifications],
    closed: () => [...server.closedIds],
    click: (id) => void server.ActionInvoked(id, "default"),
    async stop() {
      bus.disconnect();
      process.off("exit", killChild);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      temp.remove();
    },
  };
}

/**
 * A Chromium with a profile on disk, as a person's browser has (Chromium keeps
 * notifications of incognito-like contexts to itself), showing notifications
 * through `desktop`, and allowed to show them on `origin`.
 */
export async function launchWithNotifications(desktop: DesktopNotifications, origin: string, viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = makeTempDir("profile");
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: desktop.busAddress },
  });
  await context.grantPermissions(["notifications"], { origin });
  return { context, close: async () => (await context.close(), profile.remove()) };
}

/** The first notification the desktop is asked to show after the first `before` ones. */
export async function nextShown(desktop: DesktopNotifications, before: number, what = "the desktop to be asked to show a notification"): Promise<ShownNotification> {
  const shown = await eventually(async () => desktop.shown().slice(before), (list) => list.length > 0, what, 30_000);
  return shown[0]!;
}

/** Clicks like a person and waits until the worker has finished with the click (it closes the notification last). */
export async function clickNotification(desktop: DesktopNotifications, notification: ShownNotification): Promise<void> {
  desktop.click(notification.id);
  await eventually(async () => desktop.closed(), (ids) => ids.includes(notification.id), "the worker to finish handling the click", 30_000);
}
