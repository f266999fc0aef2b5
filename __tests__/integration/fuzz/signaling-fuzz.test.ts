import fc from "fast-check";
import { createPusherServer, type PusherServer } from "@/lib/signaling/server";
import { signChannel } from "../signaling/support/clients";
import { RawClient } from "../signaling/support/raw-client";
import { APP } from "../signaling/support/targets";

// The built-in signaling server's WebSocket, fuzzed with fast-check (issue
// 10): protocol events with every kind of data (valid and forged signatures,
// broken channel data, wrong types), any JSON, text that is not JSON, binary
// and oversized frames. For each frame: the server answers or closes that one
// socket with a protocol code, never crashes; a refused frame changes no
// channel and no other socket; a witness on another socket keeps receiving.
// FUZZ_RUNS (default 1000) frames; FUZZ_SEED replays a failure.

jest.setTimeout(300_000);

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const MAX_MESSAGE_BYTES = 4096;

/** A frame as generated: `VALID` in `auth` is replaced by a correct signature for the socket it is sent on. */
type Frame = { kind: "json"; value: unknown } | { kind: "text"; text: string } | { kind: "binary"; bytes: Uint8Array } | { kind: "big" };

const channelNames = fc.oneof(
  fc.constantFrom("private-room", "presence-room", "presence-user-alice", "private-encrypted-x", "public-room", "", "private-", "presence-"),
  fc.stringMatching(/^(private|presence)-[A-Za-z0-9_\-=@,.;]{1,30}$/),
  fc.string({ maxLength: 40 }),
  fc.constant("private-" + "x".repeat(250)),
);
const channelData = fc.oneof(
  fc.record({ user_id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), user_info: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
  fc.constant(JSON.stringify({ user_id: "u", user_info: { pad: "x".repeat(2000) } })),
);
const subscribeData = fc.record({ channel: channelNames, auth: fc.oneof(fc.constant("VALID"), fc.string({ maxLength: 80 })), channel_data: channelData }, { requiredKeys: [] });
const events = fc.oneof(
  { weight: 4, arbitrary: fc.record({ event: fc.constant("pusher:subscribe"), data: fc.oneof(subscribeData, subscribeData.map((d) => JSON.stringify(d)), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: ["event"] }) },
  { weight: 2, arbitrary: fc.record({ event: fc.constant("pusher:unsubscribe"), data: fc.oneof(fc.record({ channel: channelNames }), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: ["event"] }) },
  { weight: 1, arbitrary: fc.record({ event: fc.constantFrom("pusher:ping", "pusher:pong", "pusher:signin", "pusher:cache_miss"), data: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: ["event"] }) },
  { weight: 1, arbitrary: fc.record({ event: fc.oneof(fc.constant("client-message"), fc.string({ maxLength: 300 })), channel: channelNames, data: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }) },
);
const frames: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 8, arbitrary: events.map((value) => ({ kind: "json" as const, value })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: "json" as const, value })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((text) => ({ kind: "text" as const, text })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ kind: "binary" as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ kind: "big" as const }) },
);

let server: PusherServer;
let port: number;
let witness: RawClient;
let client: RawClient | null = null;
let socketId = "";

async function freshClient(): Promise<RawClient> {
  if (client && client.closedWith === null) return client;
  client?.close();
  client = await RawClient.connect(port, APP.key);
  socketId = await client.socketId();
  return client;
}

function encode(frame: Frame): string | Buffer {
  if (frame.kind === "text") return frame.text;
  if (frame.kind === "binary") return Buffer.from(frame.bytes);
  if (frame.kind === "big") return JSON.stringify({ event: "pusher:subscribe", data: { channel: "private-big", pad: "x".repeat(MAX_MESSAGE_BYTES) } });
  const value = structuredClone(frame.value) as { data?: { channel?: unknown; auth?: unknown; channel_data?: unknown } };
  const data = value?.data;
  if (data && typeof data === "object" && data.auth === "VALID" && typeof data.channel === "string") {
    data.auth = signChannel(APP.secret, APP.key, socketId, data.channel, data.channel.startsWith("presence-") && typeof data.channel_data === "string" ? data.channel_data : undefined);
  }
  return JSON.stringify(value);
}

/** True when a REST-style publish on the witness's channel still reaches it. */
async function witnessReceives(): Promise<boolean> {
  const marker = `m${Math.random()}`;
  server.publish(["private-witness"], "signal", JSON.stringify({ marker }));
  try {
    await witness.next((f) => f.event === "signal" && String(f.data).includes(marker), 3000);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  server = createPusherServer({ app: APP, maxMessageBytes: MAX_MESSAGE_BYTES, maxPresenceMembers: 5, maxChannelsPerSocket: 20 });
  ({ port } = await server.listen(0));
  witness = await RawClient.connect(port, APP.key);
  const witnessId = await witness.socketId();
  witness.subscribe("private-witness", signChannel(APP.secret, APP.key, witnessId, "private-witness"));
  await witness.nextEvent("pusher_internal:subscription_succeeded", "private-witness");
});
afterAll(async () => {
  client?.close();
  witness?.close();
  await server?.close();
});

it(`survives ${RUNS} generated frames: every one answered or its socket closed with a protocol code, refused ones change nothing`, async () => {
  let sent = 0;
  const outcomes = { subscribed: 0, refused: 0, closed: 0, quiet: 0 };
  await fc.assert(
    fc.asyncProperty(frames, async (frame) => {
      const socket = await freshClient();
      const before = server.stats();
      const seen = socket.frames.length;
      const payload = encode(frame);
      socket.ws.send(payload, { binary: frame.kind === "binary" });
      await socket.sync();
      const replies = socket.frames.slice(seen);
      const refused = socket.closedWith !== null || replies.some((f) => f.event === "pusher:error" || f.event === "pusher:subscription_error");
      if (socket.closedWith) outcomes.closed += 1;
      else if (refused) outcomes.refused += 1;
      else if (replies.some((f) => f.event === "pusher_internal:subscription_succeeded")) outcomes.subscribed += 1;
      else outcomes.quiet += 1;
      if (socket.closedWith) {
        const code = socket.closedWith.code;
        if (!(code === 1009 || (code >= 4000 && code < 4400))) throw new Error(`closed with ${code}, not a protocol code`);
      } else if (!(await socket.answersPing())) {
        throw new Error("the socket stopped answering after the frame");
      }
      if (refused && socket.closedWith === null && JSON.stringify(server.stats()) !== JSON.stringify(before)) {
        throw new Error(`a refused frame changed the server: ${JSON.stringify(before)} → ${JSON.stringify(server.stats())}`);
      }
      sent += 1;
      if (sent % 100 === 0 && !(await witnessReceives())) throw new Error("the witness on another socket stopped receiving");
    }),
    { numRuns: RUNS, seed: SEED },
  );
  // Generated frames must have reached every kind of answer, or the run proved little.
  expect(sent).toBe(RUNS);
  expect(Math.min(outcomes.subscribed, outcomes.refused, outcomes.closed, outcomes.quiet)).toBeGreaterThan(0);
  expect(await witnessReceives()).toBe(true);
  // And a newcomer is still welcome.
  const late = await RawClient.connect(port, APP.key);
  expect(await late.socketId()).toMatch(/^\d+\.\d+$/);
  late.close();
});
