import { spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromiumPath } from "../chromium";
import { INTERNET_CORE, PUBLIC, PUBLIC_NET, ROLES, ROUTERS, routerRuleset, type HostName, type NamespaceRole } from "./topology";

// Network namespaces, veth pairs, a bridge and nftables NAT routers, built
// for one test file and torn down after it, even when it fails (and at the
// start, whatever a crashed earlier run of the same lab left behind).
// Needs root, iproute2 and nftables.

const TOOLS: { command: string; args: string[]; apt: string }[] = [
  { command: "ip", args: ["-V"], apt: "iproute2" },
  { command: "nft", args: ["--version"], apt: "nftables" },
];

/** Throws, naming what to install, when a tool the lab needs is missing. */
export function requireTools(extra: { command: string; args: string[]; apt: string }[] = []): void {
  if (process.getuid?.() !== 0) {
    throw new Error("The NAT lab builds network namespaces and needs root (CI runs as root). Run the e2e tests as root, e.g. `sudo -E npx jest --selectProjects e2e __tests__/e2e/nat-*.test.ts`.");
  }
  const missing = [...TOOLS, ...extra].filter((tool) => spawnSync(tool.command, tool.args, { stdio: "ignore" }).error !== undefined);
  if (missing.length > 0) {
    throw new Error(
      `The NAT lab needs ${missing.map((t) => `\`${t.command}\``).join(", ")}. Install with \`sudo apt-get install -y ${missing.map((t) => t.apt).join(" ")}\` (Debian/Ubuntu; .ci/run does this in CI).`,
    );
  }
}

function run(argv: string[], input?: string): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { input, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${argv.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr.trim()}`);
  return result.stdout;
}

export class NatLab {
  private readonly processes = new Set<ChildProcess>();
  private readonly dir: string;
  private phoneRouter: "r2" | "r4" = "r2";
  private tornDown = false;

  private constructor(readonly name: string) {
    this.dir = path.join(tmpdir(), `communisp-natlab-${name}`);
  }

  /** `name` prefixes every namespace (keep it short: "<name>-phone"). */
  static create(name: string): NatLab {
    requireTools();
    const lab = new NatLab(name);
    NatLab.clear(name);
    // Should the test process die without its afterAll, do not leave the namespaces behind.
    process.once("exit", lab.exitGuard);
    try {
      lab.build();
    } catch (error) {
      lab.teardown();
      throw error;
    }
    return lab;
  }

  /** Removes every namespace of this lab name and the processes still inside them. */
  static clear(name: string): void {
    const listed = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
    const ours = listed
      .split("\n")
      .map((line) => line.split(" ")[0]!)
      .filter((ns) => ns.startsWith(`${name}-`) && ROLES.includes(ns.slice(name.length + 1) as NamespaceRole));
    for (const ns of ours) {
      const pids = (spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout ?? "").split("\n").filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      spawnSync("ip", ["netns", "del", ns]);
    }
    rmSync(path.join(tmpdir(), `communisp-natlab-${name}`), { recursive: true, force: true });
  }

  ns(role: NamespaceRole): string {
    return `${this.name}-${role}`;
  }

  /** Runs a command inside a namespace and returns its output; throws with its stderr. */
  exec(role: NamespaceRole, argv: string[], input?: string): string {
    return run(["ip", "netns", "exec", this.ns(role), ...argv], input);
  }

  /**
   * What STUN servers at `targets` ("host:port") see when asked from one UDP
   * socket in `role`'s namespace (stun-probe.ts); null where none answered
   * within 5 s.
   */
  stunProbe(role: NamespaceRole, targets: string[]): { localPort: number; mapped: ({ address: string; port: number } | null)[] } {
    const probe = path.join(__dirname, "stun-probe.ts");
    return JSON.parse(this.exec(role, [process.execPath, require.resolve("tsx/cli"), probe, ...targets])) as ReturnType<NatLab["stunProbe"]>;
  }

  /** Packets a router has dropped because nothing inside asked for them. */
  unsolicitedDrops(router: "r1" | "r2" | "r3" | "r4"): number {
    const listing = this.exec(router, ["nft", "list", "counter", "inet", "lab_filter", "unsolicited"]);
    const packets = /packets (\d+)/.exec(listing);
    if (!packets) throw new Error(`no counter in ${listing}`);
    return Number(packets[1]);
  }

  /** Sends one UDP datagram from `role`'s namespace, from `fromPort`. */
  sendDatagram(role: NamespaceRole, fromPort: number, to: { address: string; port: number }): void {
    const script = `const s=require("node:dgram").createSocket("udp4");s.bind(${fromPort},()=>s.send("unsolicited",${to.port},"${to.address}",()=>s.close()))`;
    this.exec(role, [process.execPath, "-e", script]);
  }

  /** A process the lab should end at teardown (the app, coturn). */
  track(child: ChildProcess): void {
    this.processes.add(child);
    child.once("exit", () => this.processes.delete(child));
  }

  /** An executable that starts Chromium inside the host's namespace, for playwright's executablePath. */
  chromiumIn(host: HostName): string {
    const file = path.join(this.dir, `chromium-${host}`);
    if (!existsSync(file)) {
      writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${this.ns(host)} ${chromiumPath()} "$@"\n`);
      chmodSync(file, 0o755);
    }
    return file;
  }

  /** Which router the phone is behind now. */
  get phoneBehind(): "r2" | "r4" {
    return this.phoneRouter;
  }

  /**
   * The phone leaves the Wi-Fi (behind r2) for the mobile network (behind
   * r4): its interface goes away, a new one comes up with another address,
   * as when a phone switches networks.
   */
  movePhoneToMobile(): void {
    if (this.phoneRouter === "r4") throw new Error("the phone is already on the mobile network");
    const r4 = ROUTERS.find((r) => r.name === "r4")!;
    this.ip("phone", ["link del eth0"]);
    this.ip("r4", [`link add lan0 type veth peer name eth0 netns ${this.ns("phone")}`, `addr add ${r4.lan.router}/${r4.lan.prefix} dev lan0`, "link set lan0 up"]);
    this.ip("phone", [`addr add ${r4.lan.host}/${r4.lan.prefix} dev eth0`, "link set eth0 up", `route add default via ${r4.lan.router}`]);
    this.phoneRouter = "r4";
  }

  /** Ends every process it started, deletes every namespace. Safe to call twice. */
  teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    process.off("exit", this.exitGuard);
    for (const child of this.processes) child.kill("SIGKILL");
    NatLab.clear(this.name);
  }

  private readonly exitGuard = () => this.teardown();

  /** Several `ip` commands in one namespace, in one process. */
  private ip(role: NamespaceRole, lines: string[]): void {
    run(["ip", "-n", this.ns(role), "-batch", "-"], lines.join("\n") + "\n");
  }

  private build(): void {
    mkdirSync(this.dir, { recursive: true });
    run(["ip", "-batch", "-"], ROLES.map((role) => `netns add ${this.ns(role)}`).join("\n") + "\n");
    // "The Internet": one bridge, every public host on it.
    // Its core (INTERNET_CORE, forwarding off) swallows whatever is sent beyond the
    // lab, as the Internet drops private addresses: a TURN server relaying to a
    // LAN candidate gets no "network unreachable" that a real one would not get.
    this.ip("wan", ["link set lo up", "link add br0 type bridge", "link set br0 up", `addr add ${INTERNET_CORE}/24 dev br0`]);
    const publicRoles = Object.entries(PUBLIC) as [NamespaceRole, string][];
    for (const [role, address] of publicRoles) {
      const servers = role === "srv" || role === "turn" ? [`route add default via ${INTERNET_CORE}`] : [];
      this.ip(role, ["link set lo up", `link add wan0 type veth peer name ${role} netns ${this.ns("wan")}`, `addr add ${address}/24 dev wan0`, "link set wan0 up", ...servers]);
    }
    this.ip("wan", publicRoles.flatMap(([role]) => [`link set ${role} master br0`, `link set ${role} up`]));
    for (const router of ROUTERS) {
      if (!router.host) continue;
      this.ip(router.name, [`link add lan0 type veth peer name eth0 netns ${this.ns(router.host)}`, `addr add ${router.lan.router}/${router.lan.prefix} dev lan0`, "link set lan0 up"]);
      this.ip(router.host, ["link set lo up", `addr add ${router.lan.host}/${router.lan.prefix} dev eth0`, "link set eth0 up", `route add default via ${router.lan.router}`]);
    }
    for (const role of ROLES) {
      // IPv4 only: no IPv6 link-local chatter, no IPv6 candidates outside the plan.
      this.exec(role, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    }
    this.exec("wan", ["sysctl", "-qw", "net.ipv4.ip_forward=0"]);
    for (const router of ROUTERS) {
      this.exec(router.name, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      this.exec(router.name, ["nft", "-f", "-"], routerRuleset(router.nat));
    }
  }
}

export { PUBLIC, PUBLIC_NET };
