import { createSocket, Socket as DgramSocket, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { ATTR, decodeXorMappedAddress, encodeStunMessage, METHOD_BINDING, parseStunMessage } from "@/lib/stun/message";
import { startStunResponder, StunBindError, type StunResponder } from "@/lib/stun/responder";

// The built-in STUN responder over real UDP sockets on loopback.

const responders: StunResponder[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  await Promise.all(responders.splice(0).map((r) => r.close()));
  await Promise.all(sockets.splice(0).map((s) => new Promise<void>((resolve) => s.close(resolve))));
});

async function client(): Promise<{ socket: Socket; port: number; answers: Buffer[] }> {
  const socket = createSocket("udp4");
  sockets.push(socket);
  const answers: Buffer[] = [];
  socket.on("message", (m) => answers.push(m));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { socket, port: socket.address().port, answers };
}

const bindingRequest = (transactionId = randomBytes(12)) => ({ transactionId, bytes: encodeStunMessage({ method: METHOD_BINDING, cls: "request", transactionId, attributes: [] }) });

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the STUN responder on UDP", () => {
  it("answers a Binding request with the address and port the request came from", async () => {
    const responder = await startStunResponder({ host: "127.0.0.1", port: 0 });
    responders.push(responder);
    const { socket, port, answers } = await client();
    const { transactionId, bytes } = bindingRequest();
    socket.send(bytes, responder.port, "127.0.0.1");
    await until(() => answers.length === 1, "an answer");
    const parsed = parseStunMessage(answers[0]!);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.message.cls).toBe("success");
    expect(Buffer.from(parsed.message.transactionId)).toEqual(transactionId);
    const value = parsed.message.attributes.find((a) => a.type === ATTR.XOR_MAPPED_ADDRESS)!.value;
    expect(decodeXorMappedAddress(value, parsed.message.transactionId)).toEqual({ address: "127.0.0.1", port, family: 4 });
  });

  it("drops what is not a Binding request and keeps answering", async () => {
    const responder = await startStunResponder({ host: "127.0.0.1", port: 0 });
    responders.push(responder);
    const { socket, answers } = await client();
    socket.send(Buffer.from("GET / HTTP/1.1\r\n\r\n"), responder.port, "127.0.0.1");
    socket.send(Buffer.alloc(2000), responder.port, "127.0.0.1");
    await until(() => responder.stats().ignored === 2, "both dropped");
    const { transactionId, bytes } = bindingRequest();
    socket.send(bytes, responder.port, "127.0.0.1");
    await until(() => answers.length === 1, "an answer");
    expect(answers).toHaveLength(1);
    const parsed = parseStunMessage(answers[0]!);
    expect(parsed.ok && Buffer.from(parsed.message.transactionId).equals(transactionId)).toBe(true);
  });

  it("stops answering an address that spends its budget", async () => {
    const responder = await startStunResponder({ host: "127.0.0.1", port: 0, budget: { burst: 2, perSecond: 0.001, maxTracked: 16 } });
    responders.push(responder);
    const { socket, answers } = await client();
    for (let i = 0; i < 5; i++) socket.send(bindingRequest().bytes, responder.port, "127.0.0.1");
    await until(() => responder.stats().answered + responder.stats().overBudget === 5, "all five handled");
    expect(responder.stats()).toEqual({ answered: 2, ignored: 0, overBudget: 3 });
    await until(() => answers.length === 2, "two answers");
  });

  it("fails to start with a typed error naming the setting when the port is taken", async () => {
    const first = await startStunResponder({ host: "127.0.0.1", port: 0 });
    responders.push(first);
    const second = startStunResponder({ host: "127.0.0.1", port: first.port });
    await expect(second).rejects.toBeInstanceOf(StunBindError);
    await expect(second).rejects.toMatchObject({ code: "STUN_PORT_UNAVAILABLE", message: expect.stringMatching(/EADDRINUSE.*STUN_PORT/) });
  });

  it("closes the socket it made when it fails to start", async () => {
    const first = await startStunResponder({ host: "127.0.0.1", port: 0 });
    responders.push(first);
    // Watch which sockets get closed (the real close still runs).
    const closed = jest.spyOn(DgramSocket.prototype, "close");
    try {
      await expect(startStunResponder({ host: "127.0.0.1", port: first.port })).rejects.toBeInstanceOf(StunBindError);
      expect(closed).toHaveBeenCalledTimes(1);
      // The socket it closed is the refused one, not the responder already running.
      const refused = closed.mock.contexts[0] as DgramSocket;
      expect(() => refused.address()).toThrow();
      expect(first.stats()).toEqual({ answered: 0, ignored: 0, overBudget: 0 });
    } finally {
      closed.mockRestore();
    }
    const { socket, answers } = await client();
    socket.send(bindingRequest().bytes, first.port, "127.0.0.1");
    await until(() => answers.length === 1, "the running responder to still answer");
  });
});
