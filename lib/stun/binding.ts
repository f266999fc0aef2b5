import { parseIp } from "./ip";
import {
  ATTR,
  comprehensionRequired,
  encodeErrorCode,
  encodeStunMessage,
  encodeUnknownAttributes,
  encodeXorMappedAddress,
  METHOD_BINDING,
  parseStunMessage,
  type StunParseFailure,
} from "./message";

// What a STUN server without credentials does with one datagram (RFC 8489
// §6.3): a Binding request is answered with the address and port it came
// from (XOR-MAPPED-ADDRESS); everything else is ignored. Pure, so the UDP
// socket around it (responder.ts) only moves bytes.

/** Comprehension-required attributes a Binding request may carry and this server may ignore. */
const UNDERSTOOD = new Set<number>([
  ATTR.MAPPED_ADDRESS,
  ATTR.USERNAME,
  ATTR.MESSAGE_INTEGRITY,
  ATTR.ERROR_CODE,
  ATTR.UNKNOWN_ATTRIBUTES,
  ATTR.REALM,
  ATTR.NONCE,
  ATTR.MESSAGE_INTEGRITY_SHA256,
  ATTR.PASSWORD_ALGORITHM,
  ATTR.USERHASH,
  ATTR.XOR_MAPPED_ADDRESS,
  ATTR.PRIORITY,
  ATTR.USE_CANDIDATE,
]);

/** At most this many types are listed back in a 420 answer. */
const MAX_UNKNOWN_LISTED = 16;

export type BindingOutcome =
  | { kind: "answer"; bytes: Uint8Array }
  | { kind: "ignored"; reason: StunParseFailure | "not-a-binding-request" | "bad-source" };

export function answerBinding(datagram: Uint8Array, from: { address: string; port: number }, software?: string): BindingOutcome {
  const parsed = parseStunMessage(datagram);
  if (!parsed.ok) return { kind: "ignored", reason: parsed.reason };
  const request = parsed.message;
  // Indications and responses are never answered (§6.3.2, §6.3.3); other
  // methods (a TURN Allocate sent here by mistake) are not ours.
  if (request.cls !== "request" || request.method !== METHOD_BINDING) return { kind: "ignored", reason: "not-a-binding-request" };
  const source = parseIp(from.address);
  if (!source || !Number.isInteger(from.port) || from.port < 1 || from.port > 0xffff) return { kind: "ignored", reason: "bad-source" };
  const { transactionId } = request;
  const tail = software ? [{ type: ATTR.SOFTWARE, value: new TextEncoder().encode(software) }] : [];

  // §6.3.1: a comprehension-required attribute we do not know gets a 420
  // naming it (this is also how a client learns RFC 5780 is not supported).
  const unknown = [...new Set(request.attributes.map((a) => a.type).filter((t) => comprehensionRequired(t) && !UNDERSTOOD.has(t)))];
  if (unknown.length > 0) {
    const bytes = encodeStunMessage({
      method: METHOD_BINDING,
      cls: "error",
      transactionId,
      attributes: [
        { type: ATTR.ERROR_CODE, value: encodeErrorCode(420, "Unknown Attribute") },
        { type: ATTR.UNKNOWN_ATTRIBUTES, value: encodeUnknownAttributes(unknown.slice(0, MAX_UNKNOWN_LISTED)) },
        ...tail,
      ],
    });
    return { kind: "answer", bytes };
  }

  const bytes = encodeStunMessage({
    method: METHOD_BINDING,
    cls: "success",
    transactionId,
    attributes: [{ type: ATTR.XOR_MAPPED_ADDRESS, value: encodeXorMappedAddress(source, from.port, transactionId) }, ...tail],
  });
  return { kind: "answer", bytes };
}
