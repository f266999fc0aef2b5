import { answerBinding } from "@/lib/stun/binding";
import { ReplyBudget } from "@/lib/stun/reply-budget";
import { ATTR, decodeXorMappedAddress, encodeStunMessage, METHOD_BINDING, parseStunMessage, type StunClass, type StunMessage } from "@/lib/stun/message";
import vectors from "../../vectors/rfc5769-stun.json";

const transactionId = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const request = (attributes: { type: number; value: Uint8Array }[] = [], cls: StunClass = "request", method = METHOD_BINDING) =>
  encodeStunMessage({ method, cls, transactionId, attributes });

function answer(datagram: Uint8Array, from = { address: "203.0.113.9", port: 40000 }): StunMessage {
  const outcome = answerBinding(datagram, from);
  if (outcome.kind !== "answer") throw new Error(`not answered: ${outcome.reason}`);
  const parsed = parseStunMessage(outcome.bytes);
  if (!parsed.ok) throw new Error(`our answer does not parse: ${parsed.reason}`);
  return parsed.message;
}

const mapped = (m: StunMessage) => decodeXorMappedAddress(m.attributes.find((a) => a.type === ATTR.XOR_MAPPED_ADDRESS)!.value, m.transactionId);

describe("answering Binding requests (RFC 8489 §6.3.1)", () => {
  it("answers with the sender's address and port in XOR-MAPPED-ADDRESS, the same transaction id, and a FINGERPRINT", () => {
    const m = answer(request());
    expect(m).toMatchObject({ method: METHOD_BINDING, cls: "success", fingerprinted: true });
    expect(m.transactionId).toEqual(transactionId);
    expect(mapped(m)).toEqual({ address: "203.0.113.9", port: 40000, family: 4 });
  });

  it("answers IPv6 senders with an IPv6 address, and IPv4 senders seen through a dual-stack socket with IPv4", () => {
    expect(mapped(answer(request(), { address: "2001:db8::5", port: 1 }))).toEqual({ address: "2001:db8::5", port: 1, family: 6 });
    expect(mapped(answer(request(), { address: "::ffff:198.51.100.4", port: 65535 }))).toEqual({ address: "198.51.100.4", port: 65535, family: 4 });
  });

  it("answers the RFC 5769 request, whose ICE attributes and credentials it may ignore", () => {
    const rfc = Uint8Array.from(Buffer.from(vectors.sampleRequest.message, "hex"));
    const m = answer(rfc, { address: "192.0.2.1", port: 32853 });
    expect(Buffer.from(m.transactionId).toString("hex")).toBe(vectors.transactionId);
    expect(mapped(m)).toEqual({ address: "192.0.2.1", port: 32853, family: 4 });
  });

  it("answers 420 naming a comprehension-required attribute it does not know (RFC 5780 CHANGE-REQUEST)", () => {
    const m = answer(request([{ type: 0x0003, value: new Uint8Array(4) }, { type: 0x0003, value: new Uint8Array(4) }]));
    expect(m.cls).toBe("error");
    const error = m.attributes.find((a) => a.type === ATTR.ERROR_CODE)!.value;
    expect([error[2], error[3]]).toEqual([4, 20]);
    expect(new TextDecoder().decode(error.subarray(4))).toBe("Unknown Attribute");
    expect(Array.from(m.attributes.find((a) => a.type === ATTR.UNKNOWN_ATTRIBUTES)!.value)).toEqual([0x00, 0x03]);
    expect(m.attributes.some((a) => a.type === ATTR.XOR_MAPPED_ADDRESS)).toBe(false);
  });

  it("ignores unknown comprehension-optional attributes", () => {
    expect(answer(request([{ type: 0x8050, value: new Uint8Array(3) }])).cls).toBe("success");
  });

  it.each([
    ["an indication", request([], "indication"), "not-a-binding-request"],
    ["a success response", request([], "success"), "not-a-binding-request"],
    ["another method (a TURN Allocate)", request([], "request", 0x003), "not-a-binding-request"],
    ["a truncated message", request().subarray(0, 24), "bad-length"],
    ["random bytes", Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff), "not-stun"],
  ])("ignores %s", (_what, datagram, reason) => {
    expect(answerBinding(datagram, { address: "203.0.113.9", port: 4 })).toEqual({ kind: "ignored", reason });
  });

  it("ignores a sender it cannot name", () => {
    expect(answerBinding(request(), { address: "not an address", port: 4 })).toEqual({ kind: "ignored", reason: "bad-source" });
    expect(answerBinding(request(), { address: "192.0.2.1", port: 0 })).toEqual({ kind: "ignored", reason: "bad-source" });
  });
});

describe("the reply budget", () => {
  it("answers a burst, then refuses until tokens come back at the set rate", () => {
    let now = 0;
    const budget = new ReplyBudget({ burst: 3, perSecond: 2, maxTracked: 10 }, () => now);
    expect([budget.take("a"), budget.take("a"), budget.take("a"), budget.take("a")]).toEqual([true, true, true, false]);
    expect(budget.take("b")).toBe(true);
    now += 499;
    expect(budget.take("a")).toBe(false);
    now += 2;
    expect(budget.take("a")).toBe(true);
  });

  it("remembers at most maxTracked addresses, forgetting the least recently seen", () => {
    const budget = new ReplyBudget({ burst: 1, perSecond: 0.001, maxTracked: 2 }, () => 0);
    expect(budget.take("a")).toBe(true);
    expect(budget.take("b")).toBe(true);
    expect(budget.take("a")).toBe(false);
    expect(budget.take("c")).toBe(true);
    expect(budget.tracked).toBe(2);
    // "b" was the least recently seen and was forgotten: it starts afresh.
    expect(budget.take("b")).toBe(true);
    expect(budget.take("c")).toBe(false);
  });

  it("refuses a rule that could never answer", () => {
    expect(() => new ReplyBudget({ burst: 0, perSecond: 1, maxTracked: 1 }, () => 0)).toThrow(RangeError);
  });
});
