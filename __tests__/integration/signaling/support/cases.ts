// The conformance cases. Each one drives a server and reduces what it saw to
// an "answer": only the protocol-relevant part (event names, error codes,
// close codes, HTTP statuses, payload shapes), never socket ids, timeout
// values or message wording, which are each server's own business.
//
// `spec` is the answer the Pusher protocol calls for. Where soketi is known
// to answer otherwise, `soketi` records its answer and why; the comparison
// then checks the two servers differ in exactly that documented way (see
// docs/signaling-server.md, "Differences from soketi").

import { createHmac } from "node:crypto";
import type { PresenceChannel } from "pusher-js";
import { connectPusherJs, nextOn, outcome, outcomeOf, restClient, signChannel, signedRequest, statusOf, type PusherJsClient } from "./clients";
import { RawClient, sleep, type Frame } from "./raw-client";
import type { Target, TargetOptions } from "./targets";

export type Answer = Record<string, unknown>;

export interface CaseContext {
  target: Target;
  /** Starts a dedicated server of the same kind (for limits the shared one must not have). */
  start: (opts: TargetOptions) => Promise<Target>;
  /** Registers cleanup to run after the case. */
  defer: (fn: () => unknown) => void;
}

export interface ConformanceCase {
  id: string;
  title: string;
  run: (ctx: CaseContext) => Promise<Answer>;
  spec: Answer;
  soketi?: { answer: Answer; why: string };
}

const HTTP_STATUS_BUG =
  "soketi writes CORS headers before the status line, and uWebSockets then sends 200 OK: every HTTP API error arrives " +
  "as 200 with the intended status only in the JSON body's `code`, so the `pusher` client reports success";

let unique = 0;
function channelName(prefix: string): string {
  unique += 1;
  return `${prefix}-${process.pid}-${unique}`;
}

async function raw(ctx: CaseContext, key = ctx.target.app.key, query?: string): Promise<RawClient> {
  const client = await RawClient.connect(ctx.target.port, key, query);
  ctx.defer(() => client.close());
  return client;
}

async function pusherJs(ctx: CaseContext, allow: (c: string) => boolean, presence?: { userId: string; info: Record<string, unknown> }): Promise<PusherJsClient> {
  const client = await connectPusherJs(ctx.target, { allow, presence });
  ctx.defer(() => client.disconnect());
  return client;
}

/** A raw client subscribed (with a valid signature) to a private channel. */
async function subscribedWitness(ctx: CaseContext, channel: string): Promise<RawClient> {
  const witness = await raw(ctx);
  const socketId = await witness.socketId();
  witness.subscribe(channel, signChannel(ctx.target.app.secret, ctx.target.app.key, socketId, channel));
  await witness.nextEvent("pusher_internal:subscription_succeeded", channel);
  return witness;
}

/** Triggers `event` on `channel` over REST and reports whether `client` got it. */
async function receives(ctx: CaseContext, client: RawClient, channel: string, event = "signal"): Promise<boolean> {
  const marker = `m${Math.random()}`;
  await restClient(ctx.target).trigger(channel, event, { marker });
  await client.sync();
  return client.frames.some((f) => f.event === event && f.channel === channel && String(f.data).includes(marker));
}

function errorShape(frame: Frame | undefined): Answer {
  if (!frame) return { event: null };
  const data = frame.data as { code?: unknown; type?: unknown; status?: unknown } | undefined;
  return frame.event === "pusher:subscription_error"
    ? { event: frame.event, channel: typeof frame.channel, type: data?.type, status: data?.status }
    : { event: frame.event, code: data?.code ?? null };
}

/** A private subscription carrying a bad `auth`: refused, no events, socket still fine. */
async function refusedSubscription(ctx: CaseContext, forge: (socketId: string, channel: string) => string | undefined): Promise<Answer> {
  const client = await raw(ctx);
  const socketId = await client.socketId();
  const channel = channelName("private-victim");
  client.subscribe(channel, forge(socketId, channel));
  const reply = await client.next((f) => f.channel === channel || f.event === "pusher:error");
  return {
    reply: errorShape(reply),
    deliveredAfterRefusal: await receives(ctx, client, channel),
    socketStillAnswers: await client.answersPing(),
  };
}

/** Sends `frame` on one socket; reports its reply and whether it and another socket still work. */
async function survivesFrame(ctx: CaseContext, frame: string | Buffer | object, opts: { binary?: boolean } = {}): Promise<Answer> {
  const channel = channelName("private-witness");
  const witness = await subscribedWitness(ctx, channel);
  const offender = await raw(ctx);
  await offender.socketId();
  const before = offender.frames.length;
  if (opts.binary) offender.ws.send(frame as Buffer, { binary: true });
  else offender.send(frame);
  await offender.sync();
  const replies = offender.frames.slice(before);
  // The last pong answers sync()'s ping, not the frame under test.
  const syncPong = replies.map((f) => f.event).lastIndexOf("pusher:pong");
  if (syncPong !== -1 && offender.closedWith === null) replies.splice(syncPong, 1);
  return {
    reply: replies.length === 0 ? null : errorShape(replies[0]),
    closeCode: offender.closedWith?.code ?? null,
    otherSocketsStillReceive: await receives(ctx, witness, channel),
  };
}

/**
 * "Nothing arrived" without a fixed wait: a marker event on a channel the
 * client does hear, triggered after whatever must not arrive. The server
 * handles REST calls and each socket's frames in order, so once the marker is
 * in, anything sent before it would be too.
 */
async function barrier(ctx: CaseContext, heard: { bind: (e: string, cb: (d: unknown) => void) => unknown }, channel: string): Promise<void> {
  const marker = `barrier-${Math.random()}`;
  const arrived = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the barrier event did not arrive within 5 s")), 5000);
    heard.bind("barrier", (data: unknown) => {
      if (JSON.stringify(data).includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await restClient(ctx.target).trigger(channel, "barrier", { marker });
  await arrived;
}

/** Sockets the server counts on `channel`, through its HTTP API. */
async function subscriptionCount(ctx: CaseContext, channel: string): Promise<number> {
  const res = await restClient(ctx.target).get({ path: `/channels/${encodeURIComponent(channel)}`, params: { info: "subscription_count" } });
  return ((await res.json()) as { subscription_count?: number }).subscription_count ?? -1;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(20);
}

export const CASES: ConformanceCase[] = [
  {
    id: "connection-established",
    title: "a raw connection gets pusher:connection_established with socket_id and activity_timeout",
    run: async (ctx) => {
      const client = await raw(ctx);
      const frame = await client.nextEvent("pusher:connection_established");
      const data = JSON.parse(String(frame.data)) as Record<string, unknown>;
      return {
        dataIsJsonString: typeof frame.data === "string",
        socketIdFormat: /^\d+\.\d+$/.test(String(data.socket_id)),
        activityTimeoutIsPositiveNumber: typeof data.activity_timeout === "number" && data.activity_timeout > 0,
      };
    },
    spec: { dataIsJsonString: true, socketIdFormat: true, activityTimeoutIsPositiveNumber: true },
  },
  {
    id: "pusher-js-connects",
    title: "pusher-js (Node) connects, pointed at the server by host/port only",
    run: async (ctx) => {
      const client = await pusherJs(ctx, () => false);
      return { state: client.connection.state, socketIdFormat: /^\d+\.\d+$/.test(client.connection.socket_id) };
    },
    spec: { state: "connected", socketIdFormat: true },
  },
  {
    id: "unknown-app-key",
    title: "an unknown app key gets pusher:error 4001 and close code 4001",
    run: async (ctx) => {
      const client = await raw(ctx, "no-such-key");
      const closed = await client.closed;
      return { reply: errorShape(client.frames.find((f) => f.event === "pusher:error")), closeCode: closed.code };
    },
    spec: { reply: { event: "pusher:error", code: 4001 }, closeCode: 4001 },
  },
  {
    id: "ping-pong",
    title: "pusher:ping is answered with pusher:pong",
    run: async (ctx) => {
      const client = await raw(ctx);
      await client.socketId();
      return { pong: await client.answersPing() };
    },
    spec: { pong: true },
  },
  {
    id: "private-own",
    title: "pusher-js subscribes to its own private channel",
    run: async (ctx) => {
      const mine = channelName("private-alice");
      const client = await pusherJs(ctx, (c) => c === mine);
      const channel = client.subscribe(mine);
      await nextOn(channel, "pusher:subscription_succeeded");
      return { subscribed: channel.subscribed };
    },
    spec: { subscribed: true },
  },
  {
    id: "private-other-socket",
    title: "a private subscription signed for another socket id is refused and gets no events",
    run: (ctx) => refusedSubscription(ctx, (_sid, channel) => signChannel(ctx.target.app.secret, ctx.target.app.key, "1234.5678", channel)),
    spec: {
      reply: { event: "pusher:subscription_error", channel: "string", type: "AuthError", status: 401 },
      deliveredAfterRefusal: false,
      socketStillAnswers: true,
    },
  },
  {
    id: "private-other-channel",
    title: "a private subscription signed for another channel is refused and gets no events",
    run: (ctx) => refusedSubscription(ctx, (sid) => signChannel(ctx.target.app.secret, ctx.target.app.key, sid, "private-somebody-else")),
    spec: {
      reply: { event: "pusher:subscription_error", channel: "string", type: "AuthError", status: 401 },
      deliveredAfterRefusal: false,
      socketStillAnswers: true,
    },
  },
  {
    id: "private-wrong-secret",
    title: "a private subscription signed with another secret is refused",
    run: (ctx) => refusedSubscription(ctx, (sid, channel) => signChannel("not-the-secret", ctx.target.app.key, sid, channel)),
    spec: {
      reply: { event: "pusher:subscription_error", channel: "string", type: "AuthError", status: 401 },
      deliveredAfterRefusal: false,
      socketStillAnswers: true,
    },
  },
  {
    id: "private-no-auth",
    title: "a private subscription without auth is refused",
    run: (ctx) => refusedSubscription(ctx, () => undefined),
    spec: {
      reply: { event: "pusher:subscription_error", channel: "string", type: "AuthError", status: 401 },
      deliveredAfterRefusal: false,
      socketStillAnswers: true,
    },
  },
  {
    id: "auth-endpoint-refuses",
    title: "someone else's channel: the auth endpoint refuses, pusher-js reports it, no events arrive",
    run: async (ctx) => {
      const theirs = channelName("private-bob");
      const own = channelName("private-alice");
      const client = await pusherJs(ctx, (c) => c === own);
      const ownChannel = client.subscribe(own);
      await nextOn(ownChannel, "pusher:subscription_succeeded");
      const channel = client.subscribe(theirs);
      const error = await nextOn<{ type?: string }>(channel, "pusher:subscription_error");
      let delivered = false;
      channel.bind("signal", () => (delivered = true));
      await restClient(ctx.target).trigger(theirs, "signal", { x: 1 });
      await barrier(ctx, ownChannel, own);
      return { errorType: error.type ?? null, subscribed: channel.subscribed, delivered };
    },
    spec: { errorType: "AuthError", subscribed: false, delivered: false },
  },
  {
    id: "presence-members",
    title: "presence: subscription_succeeded lists members, member_added and member_removed arrive",
    run: async (ctx) => {
      const room = channelName("presence-room");
      const alice = await pusherJs(ctx, (c) => c === room, { userId: "alice", info: { deviceName: "Alice's laptop", home: "h1" } });
      const aliceChannel = alice.subscribe(room) as PresenceChannel;
      const aliceSaw = await nextOn(aliceChannel, "pusher:subscription_succeeded", (m: { count: number; me: { id: string } }) => ({
        count: m.count,
        me: m.me.id,
      }));
      const added = nextOn<{ id: string; info: unknown }>(aliceChannel, "pusher:member_added");

      const bob = await connectPusherJs(ctx.target, { allow: (c) => c === room, presence: { userId: "bob", info: { deviceName: "Bob's phone", home: "h2" } } });
      const bobChannel = bob.subscribe(room) as PresenceChannel;
      const bobSaw = await nextOn(bobChannel, "pusher:subscription_succeeded", (m: { count: number; members: Record<string, unknown> }) => ({
        count: m.count,
        ids: Object.keys(m.members).sort(),
        alice: m.members.alice,
      }));
      const addedMember = await added;
      const removed = nextOn<{ id: string }>(aliceChannel, "pusher:member_removed");
      bob.disconnect();
      const removedMember = await removed;
      return {
        aliceSawCount: aliceSaw.count,
        aliceMe: aliceSaw.me,
        memberAdded: { id: addedMember.id, info: addedMember.info },
        bobSawCount: bobSaw.count,
        bobSawMembers: bobSaw.ids,
        bobSawAliceInfo: bobSaw.alice,
        memberRemoved: removedMember.id,
      };
    },
    spec: {
      aliceSawCount: 1,
      aliceMe: "alice",
      memberAdded: { id: "bob", info: { deviceName: "Bob's phone", home: "h2" } },
      bobSawCount: 2,
      bobSawMembers: ["alice", "bob"],
      bobSawAliceInfo: { deviceName: "Alice's laptop", home: "h1" },
      memberRemoved: "bob",
    },
  },
  {
    id: "presence-same-user-twice",
    title: "presence: a second socket of the same user adds no member, and its leaving removes none",
    run: async (ctx) => {
      const room = channelName("presence-tabs");
      const policy = (userId: string) => ({ userId, info: { deviceName: userId, home: "h" } });
      const watcher = await pusherJs(ctx, (c) => c === room, policy("watcher"));
      const watched = watcher.subscribe(room) as PresenceChannel;
      await nextOn(watched, "pusher:subscription_succeeded");
      const events: string[] = [];
      watched.bind("pusher:member_added", (m: { id: string }) => events.push(`added:${m.id}`));
      watched.bind("pusher:member_removed", (m: { id: string }) => events.push(`removed:${m.id}`));
      const tab1 = await pusherJs(ctx, (c) => c === room, policy("carol"));
      await nextOn(tab1.subscribe(room), "pusher:subscription_succeeded");
      await until(() => events.length > 0);
      const tab2 = await connectPusherJs(ctx.target, { allow: (c) => c === room, presence: policy("carol") });
      await nextOn(tab2.subscribe(room), "pusher:subscription_succeeded");
      await barrier(ctx, watched, room);
      tab2.disconnect();
      // The server has let the second tab go (2 sockets left), then a barrier.
      const deadline = Date.now() + 5000;
      while ((await subscriptionCount(ctx, room)) !== 2 && Date.now() < deadline) await sleep(20);
      await barrier(ctx, watched, room);
      const afterOneTabLeft = [...events];
      tab1.disconnect();
      await until(() => events.length > afterOneTabLeft.length);
      return { afterOneTabLeft, afterBothLeft: events };
    },
    spec: { afterOneTabLeft: ["added:carol"], afterBothLeft: ["added:carol", "removed:carol"] },
  },
  {
    id: "presence-users-rest",
    title: "GET /apps/:id/channels/:presence/users lists the members",
    run: async (ctx) => {
      const room = channelName("presence-users");
      const alice = await pusherJs(ctx, (c) => c === room, { userId: "alice", info: { deviceName: "a", home: "h" } });
      await nextOn(alice.subscribe(room), "pusher:subscription_succeeded");
      const res = await restClient(ctx.target).get({ path: `/channels/${room}/users` });
      const body = (await res.json()) as { users: { id: string }[] };
      const empty = await restClient(ctx.target).get({ path: `/channels/${channelName("presence-empty")}/users` });
      return { status: res.status, users: body.users, emptyChannel: await empty.json() };
    },
    spec: { status: 200, users: [{ id: "alice" }], emptyChannel: { users: [] } },
  },
  {
    id: "rest-trigger",
    title: "a REST trigger (pusher client) reaches pusher-js subscribers with its payload intact",
    run: async (ctx) => {
      const mine = channelName("private-alice");
      const client = await pusherJs(ctx, (c) => c === mine);
      const channel = client.subscribe(mine);
      await nextOn(channel, "pusher:subscription_succeeded");
      const got = nextOn(channel, "signal");
      const payload = { kind: "offer", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1", unicode: "héllo ✓" };
      const status = await statusOf(restClient(ctx.target).trigger(mine, "signal", payload));
      return { status, received: await got };
    },
    spec: { status: 200, received: { kind: "offer", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1", unicode: "héllo ✓" } },
  },
  {
    id: "rest-trigger-multi-and-exclude",
    title: "a REST trigger to several channels reaches each, except the excluded socket_id",
    run: async (ctx) => {
      const [c1, c2] = [channelName("private-a"), channelName("private-b")];
      const a = await subscribedWitness(ctx, c1);
      const b = await subscribedWitness(ctx, c2);
      const b2 = await subscribedWitness(ctx, c2);
      const excluded = await b2.socketId();
      await restClient(ctx.target).trigger([c1, c2], "signal", { n: 1 }, { socket_id: excluded });
      await Promise.all([a.nextEvent("signal", c1), b.nextEvent("signal", c2), b2.sync()]);
      const got = (c: RawClient) => c.frames.filter((f) => f.event === "signal").length;
      return { a: got(a), b: got(b), excluded: got(b2) };
    },
    spec: { a: 1, b: 1, excluded: 0 },
  },
  {
    id: "rest-batch",
    title: "POST /batch_events delivers every event",
    run: async (ctx) => {
      const [c1, c2] = [channelName("private-a"), channelName("private-b")];
      const a = await subscribedWitness(ctx, c1);
      const b = await subscribedWitness(ctx, c2);
      const status = await statusOf(
        restClient(ctx.target).triggerBatch([
          { channel: c1, name: "signal", data: { to: "a" } },
          { channel: c2, name: "signal", data: { to: "b" } },
        ]),
      );
      const fa = await a.nextEvent("signal", c1);
      const fb = await b.nextEvent("signal", c2);
      return { status, a: JSON.parse(String(fa.data)), b: JSON.parse(String(fb.data)) };
    },
    spec: { status: 200, a: { to: "a" }, b: { to: "b" } },
  },
  {
    id: "unsubscribe",
    title: "after pusher:unsubscribe no more events arrive",
    run: async (ctx) => {
      const channel = channelName("private-gone");
      const client = await subscribedWitness(ctx, channel);
      const before = await receives(ctx, client, channel);
      client.send({ event: "pusher:unsubscribe", data: { channel } });
      // A ping answered after it: the server has handled the unsubscribe.
      await client.sync();
      return { before, after: await receives(ctx, client, channel, "signal2") };
    },
    spec: { before: true, after: false },
  },
  {
    id: "rest-bad-signature",
    title: "a REST call signed with the wrong secret gets 401",
    run: async (ctx) => outcomeOf(restClient(ctx.target, "wrong-secret").trigger("private-x", "signal", {})),
    spec: { status: 401, intendedStatus: 401 },
    soketi: { answer: { status: 200, intendedStatus: 401 }, why: HTTP_STATUS_BUG },
  },
  {
    id: "rest-stale-timestamp",
    title: "a REST call with an auth_timestamp 700 s old gets 401",
    run: async (ctx) => {
      const body = JSON.stringify({ name: "signal", channel: "private-x", data: "{}" });
      const res = await signedRequest(ctx.target, "POST", `/apps/${ctx.target.app.id}/events`, {
        body,
        timestamp: Math.floor(Date.now() / 1000) - 700,
      });
      return outcome(res);
    },
    spec: { status: 401, intendedStatus: 401 },
    soketi: { answer: { status: 200, intendedStatus: 200 }, why: "soketi never checks auth_timestamp, so a captured request can be replayed forever" },
  },
  {
    id: "rest-body-md5",
    title: "a REST call whose body does not match body_md5 gets 401",
    run: async (ctx) => {
      const path = `/apps/${ctx.target.app.id}/events`;
      const params: Record<string, string> = {
        auth_key: ctx.target.app.key,
        auth_timestamp: String(Math.floor(Date.now() / 1000)),
        auth_version: "1.0",
        body_md5: "0".repeat(32),
      };
      const query = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join("&");
      const sig = createHmac("sha256", ctx.target.app.secret).update(`POST\n${path}\n${query}`).digest("hex");
      const res = await fetch(`http://127.0.0.1:${ctx.target.port}${path}?${query}&auth_signature=${sig}`, {
        method: "POST",
        body: JSON.stringify({ name: "signal", channel: "private-x", data: "{}" }),
        headers: { "content-type": "application/json" },
      });
      return outcome({ status: res.status, body: await res.text() });
    },
    spec: { status: 401, intendedStatus: 401 },
    soketi: { answer: { status: 200, intendedStatus: 401 }, why: HTTP_STATUS_BUG },
  },
  {
    id: "rest-oversized-event",
    title: "event data of 10,240 bytes is accepted, 10,241 bytes gets 413",
    run: async (ctx) => {
      const rest = restClient(ctx.target);
      // `pusher` JSON-encodes strings, adding two quote characters.
      // `pusher` sends string data as is (objects it JSON-encodes).
      const atLimit = await outcomeOf(rest.trigger("private-x", "signal", "a".repeat(10240)));
      const overLimit = await outcomeOf(rest.trigger("private-x", "signal", "a".repeat(10241)));
      return { atLimit, overLimit };
    },
    spec: { atLimit: { status: 200, intendedStatus: 200 }, overLimit: { status: 413, intendedStatus: 413 } },
    soketi: {
      answer: { atLimit: { status: 200, intendedStatus: 200 }, overLimit: { status: 200, intendedStatus: 413 } },
      why: HTTP_STATUS_BUG,
    },
  },
  {
    id: "rest-malformed-json",
    title: "a correctly signed REST call with a malformed JSON body gets 400",
    run: async (ctx) => {
      const res = await signedRequest(ctx.target, "POST", `/apps/${ctx.target.app.id}/events`, { body: "{not json" });
      return outcome(res);
    },
    spec: { status: 400, intendedStatus: 400 },
    soketi: {
      answer: { status: 200, intendedStatus: 401 },
      why: "soketi signs an unparseable body as if it were `{}`, so the body_md5 check fails and it refuses with 401 (sent as 200)",
    },
  },
  {
    id: "rest-unknown-app",
    title: "a REST call to an unknown app id gets 404",
    run: async (ctx) => {
      const res = await signedRequest(ctx.target, "POST", `/apps/no-such-app/events`, {
        body: JSON.stringify({ name: "signal", channel: "private-x", data: "{}" }),
      });
      return outcome(res);
    },
    spec: { status: 404, intendedStatus: 404 },
    soketi: { answer: { status: 200, intendedStatus: 404 }, why: HTTP_STATUS_BUG },
  },
  {
    id: "rest-users-not-presence",
    title: "GET .../users of a non-presence channel gets 400",
    run: async (ctx) => {
      const res = await signedRequest(ctx.target, "GET", `/apps/${ctx.target.app.id}/channels/private-x/users`);
      return outcome(res);
    },
    spec: { status: 400, intendedStatus: 400 },
    soketi: { answer: { status: 200, intendedStatus: 400 }, why: HTTP_STATUS_BUG },
  },
  {
    id: "client-event",
    title: "a client event is refused with pusher:error 4301 and the socket stays usable",
    run: async (ctx) => {
      const channel = channelName("private-client");
      const client = await subscribedWitness(ctx, channel);
      client.send({ event: "client-typing", channel, data: {} });
      const reply = await client.nextEvent("pusher:error");
      return { reply: errorShape(reply), socketStillAnswers: await client.answersPing() };
    },
    spec: { reply: { event: "pusher:error", code: 4301 }, socketStillAnswers: true },
  },
  {
    id: "malformed-json-frame",
    title: "a frame that is not JSON gets a pusher:error; nothing else is affected",
    run: (ctx) => survivesFrame(ctx, "{this is not json"),
    spec: { reply: { event: "pusher:error", code: null }, closeCode: null, otherSocketsStillReceive: true },
    soketi: {
      answer: { reply: null, closeCode: null, otherSocketsStillReceive: true },
      why: "soketi drops unparseable frames silently",
    },
  },
  {
    id: "unknown-event",
    title: "an unknown pusher: event gets a pusher:error; nothing else is affected",
    run: (ctx) => survivesFrame(ctx, { event: "pusher:no_such_thing", data: {} }),
    spec: { reply: { event: "pusher:error", code: null }, closeCode: null, otherSocketsStillReceive: true },
    soketi: {
      answer: { reply: null, closeCode: null, otherSocketsStillReceive: true },
      why: "soketi only logs unknown events and answers nothing",
    },
  },
  {
    id: "non-object-frames",
    title: "JSON frames that are not event objects (array, number, null, no event) are answered with errors",
    run: async (ctx) => {
      const answers: Answer[] = [];
      for (const frame of ["[1,2,3]", "42", "null", '{"data":{}}', '{"event":7}']) answers.push(await survivesFrame(ctx, frame));
      return { answers };
    },
    spec: {
      answers: Array(5).fill({ reply: { event: "pusher:error", code: null }, closeCode: null, otherSocketsStillReceive: true }),
    },
    soketi: {
      answer: { answers: Array(5).fill({ reply: null, closeCode: null, otherSocketsStillReceive: true }) },
      why: "soketi ignores frames without a known event",
    },
  },
  {
    id: "binary-frame",
    title: "a binary frame (even one holding a valid subscribe) is refused",
    run: async (ctx) => {
      const frame = Buffer.from(JSON.stringify({ event: "pusher:subscribe", data: { channel: channelName("public-binary") } }));
      return survivesFrame(ctx, frame, { binary: true });
    },
    spec: { reply: { event: "pusher:error", code: null }, closeCode: null, otherSocketsStillReceive: true },
    soketi: {
      answer: { reply: { event: "pusher_internal:subscription_succeeded", code: null }, closeCode: null, otherSocketsStillReceive: true },
      why: "the protocol says binary frames are not supported; soketi parses them as text",
    },
  },
  {
    id: "oversized-frame",
    title: "a 200 KB frame closes that socket only (1009 Message Too Big); others keep receiving",
    run: (ctx) =>
      survivesFrame(ctx, JSON.stringify({ event: "pusher:subscribe", data: { channel: channelName("public-big"), pad: "x".repeat(200 * 1024) } })),
    spec: { reply: null, closeCode: 1009, otherSocketsStillReceive: true },
    soketi: {
      answer: { reply: { event: "pusher_internal:subscription_succeeded", code: null }, closeCode: null, otherSocketsStillReceive: true },
      why: "soketi accepts and acts on frames up to 100 MB (uWebSockets maxPayloadLength)",
    },
  },
  {
    id: "over-capacity",
    title: "past the connection limit a connection gets pusher:error 4100 and close code 4100",
    run: async (ctx) => {
      const limited = await ctx.start({ maxConnections: 2 });
      ctx.defer(() => limited.stop());
      const open: RawClient[] = [];
      for (let i = 0; i < 2; i++) {
        const c = await RawClient.connect(limited.port, limited.app.key);
        ctx.defer(() => c.close());
        await c.socketId();
        open.push(c);
      }
      const third = await RawClient.connect(limited.port, limited.app.key);
      ctx.defer(() => third.close());
      const closed = await third.closed;
      return {
        reply: errorShape(third.frames.find((f) => f.event === "pusher:error")),
        closeCode: closed.code,
        firstTwoStillAnswer: (await Promise.all(open.map((c) => c.answersPing()))).every(Boolean),
      };
    },
    spec: { reply: { event: "pusher:error", code: 4100 }, closeCode: 4100, firstTwoStillAnswer: true },
  },
];
