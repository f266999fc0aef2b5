import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { once } from "node:events";
import { describeOpenHandles } from "../../support/exit-guard";

// The exit guard's report is all a CI log has when a run hangs after its
// summary: it must name the child process and the server left open (timers
// are not handles in Node 20: they show only in the count by type).
describe("exit guard's report of what keeps Jest alive", () => {
  it("names a bound UDP socket by its address", async () => {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const port = socket.address().port;
    try {
      expect(describeOpenHandles()).toContain(`UDP socket {"address":"127.0.0.1","family":"IPv4","port":${port}}`);
    } finally {
      await new Promise<void>((resolve) => socket.close(resolve));
    }
  });

  it("names a child process and a listening server, and forgets them once closed", async () => {
    const child = spawn("sleep", ["30"]);
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    try {
      const report = describeOpenHandles();
      expect(report).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^child process \d+: sleep 30$/),
          expect.stringContaining(`"port":${port}`),
        ]),
      );
    } finally {
      child.kill();
      await once(child, "exit");
      server.close();
      await once(server, "close");
    }
    // Node drops a closed handle from its list a turn or two after the
    // close event: wait for that, bounded.
    const deadline = Date.now() + 5_000;
    let after = describeOpenHandles().join("\n");
    while ((after.includes("sleep 30") || after.includes(`"port":${port}`)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = describeOpenHandles().join("\n");
    }
    expect(after).not.toContain("sleep 30");
    expect(after).not.toContain(`"port":${port}`);
  });
});
