import { createSocket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { ATTR, decodeXorMappedAddress, encodeStunMessage, METHOD_BINDING, parseStunMessage } from "@/lib/stun/message";
import { freeUdpPort, startApp, type RunningApp } from "./support/app";
import { signUpOverHttp } from "./support/http-login";

// HOST set to an address other than 127.0.0.1: the server must reach its own
// signaling server where it actually listens (presence lookups used to go to
// 127.0.0.1 and answer 503), answer STUN there, and say where it listens.
// 127.0.0.2 is loopback on Linux, so this needs no namespace.

jest.setTimeout(120_000);
let app: RunningApp;
let stunPort: number;

beforeAll(async () => {
  stunPort = await freeUdpPort();
  app = await startApp({ STUN_PORT: String(stunPort) }, { host: "127.0.0.2" });
});
afterAll(() => app?.stop());

describe("an app listening on HOST=127.0.0.2", () => {
  it("answers presence lookups through its own signaling server", async () => {
    const jar = await signUpOverHttp(app.url, "hostie", "correct horse battery");
    await signUpOverHttp(app.url, "hostess", "correct horse battery");
    const res = await fetch(`${app.url}/api/users/hostess/presence`, { headers: { cookie: jar.header() } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ online: [] });
  });

  it("prints the URL others use, and where STUN listens", () => {
    expect(app.output()).toContain(`CommunisP ready on http://127.0.0.2:${app.port}`);
    expect(app.output()).toContain(`listening on: http://127.0.0.2:${app.port}`);
    expect(app.output()).toContain(`STUN: udp 127.0.0.2:${stunPort}; browsers use stun:127.0.0.2:${stunPort}`);
  });

  it("answers STUN Binding requests on HOST and the STUN port", async () => {
    const socket = createSocket("udp4");
    try {
      await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
      const transactionId = randomBytes(12);
      const answer = new Promise<Buffer>((resolve) => socket.once("message", resolve));
      socket.send(encodeStunMessage({ method: METHOD_BINDING, cls: "request", transactionId, attributes: [] }), stunPort, "127.0.0.2");
      const parsed = parseStunMessage(await answer);
      if (!parsed.ok) throw new Error(parsed.reason);
      const mapped = decodeXorMappedAddress(parsed.message.attributes.find((a) => a.type === ATTR.XOR_MAPPED_ADDRESS)!.value, parsed.message.transactionId);
      expect(mapped).toEqual({ address: "127.0.0.1", port: socket.address().port, family: 4 });
    } finally {
      socket.close();
    }
  });
});
