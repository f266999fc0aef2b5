import { IceServers, RENEW_MARGIN_MS, RETRY_MIN_MS } from "@/lib/ice/ice-refresh";
import type { IceConfig } from "@/lib/ice/schemas";

// The browser keeps its TURN credentials fresh: fetched once the device is
// registered, renewed before they expire, retried with backoff on failure,
// and never replaced by something that does not parse.

const stun = { urls: "stun:chat.example:3478" };
const turnWith = (n: number) => ({ urls: ["turn:turn.example:3478?transport=udp"], username: `${n}:dev`, credential: `c${n}` });
const fromPage: IceConfig = { iceServers: [stun], ttlSeconds: null, turn: true };

async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ["queueMicrotask", "nextTick"] }));
afterEach(() => jest.useRealTimers());

describe("IceServers", () => {
  it("fetches credentials at start, then renews them with a quarter of their life left", async () => {
    let n = 0;
    const fetchConfig = jest.fn(async (): Promise<IceConfig> => ({ iceServers: [stun, turnWith(++n)], ttlSeconds: 3600, turn: true }));
    const ice = new IceServers(fromPage, { fetchConfig });
    const seen: RTCIceServer[][] = [];
    ice.changed.on((servers) => seen.push(servers));
    await ice.start();
    expect(ice.current).toEqual([stun, turnWith(1)]);
    jest.advanceTimersByTime(2700_000 - 1);
    await settle();
    expect(fetchConfig).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    await settle();
    expect(fetchConfig).toHaveBeenCalledTimes(2);
    expect(ice.current).toEqual([stun, turnWith(2)]);
    expect(seen).toEqual([
      [stun, turnWith(1)],
      [stun, turnWith(2)],
    ]);
    ice.stop();
  });

  it(`renews short-lived credentials at least ${RENEW_MARGIN_MS / 1000} s before they expire`, async () => {
    const fetchConfig = jest.fn(async (): Promise<IceConfig> => ({ iceServers: [turnWith(1)], ttlSeconds: 120, turn: true }));
    const ice = new IceServers(fromPage, { fetchConfig });
    await ice.start();
    jest.advanceTimersByTime(120_000 - RENEW_MARGIN_MS);
    await settle();
    expect(fetchConfig).toHaveBeenCalledTimes(2);
    ice.stop();
  });

  it("keeps what it has and retries with growing delays when renewal fails or answers nonsense", async () => {
    const answers: (() => Promise<unknown>)[] = [async () => Promise.reject(new Error("offline")), async () => ({ iceServers: "nonsense" }), async () => ({ iceServers: [turnWith(9)], ttlSeconds: 3600, turn: true })];
    const fetchConfig = jest.fn(() => answers.shift()!());
    const ice = new IceServers(fromPage, { fetchConfig });
    await ice.start();
    expect(ice.current).toEqual([stun]);
    jest.advanceTimersByTime(RETRY_MIN_MS);
    await settle();
    expect(fetchConfig).toHaveBeenCalledTimes(2);
    expect(ice.current).toEqual([stun]);
    jest.advanceTimersByTime(RETRY_MIN_MS * 2 - 1);
    await settle();
    expect(fetchConfig).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(1);
    await settle();
    expect(fetchConfig).toHaveBeenCalledTimes(3);
    expect(ice.current).toEqual([turnWith(9)]);
    ice.stop();
  });

  it("never fetches when the server has no TURN, and stops when told", async () => {
    const fetchConfig = jest.fn(async () => ({}));
    const none = new IceServers({ iceServers: [stun], ttlSeconds: null, turn: false }, { fetchConfig });
    await none.start();
    jest.advanceTimersByTime(24 * 3600_000);
    expect(fetchConfig).not.toHaveBeenCalled();
    expect(none.current).toEqual([stun]);

    const stopped = new IceServers(fromPage, { fetchConfig: jest.fn(async () => ({ iceServers: [turnWith(1)], ttlSeconds: 300, turn: true })) });
    await stopped.start();
    stopped.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
