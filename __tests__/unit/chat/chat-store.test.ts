import { ChatStore, EMPTY_SNAPSHOT, type ConversationView } from "@/lib/chat/chat-store";
import { Timeline } from "@/lib/chat/timeline";

// The snapshot a tab's React tree reads: replaced on every change, kept as
// it is (same object) when nothing changed, so useSyncExternalStore wakes
// only the components whose part changed.

const view = (peer: string): ConversationView => ({
  peer,
  timeline: new Timeline(peer, async () => []),
  connection: "connecting",
  keyWarnings: [],
  newDevices: [],
  problem: null,
  notice: null,
  stranger: false,
  blocked: false,
});

describe("ChatStore", () => {
  it("starts empty and publishes a new snapshot on a change, keeping the parts that did not change", () => {
    const store = new ChatStore();
    expect(store.getSnapshot()).toBe(EMPTY_SNAPSHOT);
    const woke = jest.fn();
    store.subscribe(woke);
    const contacts = store.getSnapshot().contacts;
    store.update({ signaling: "connected" });
    expect(woke).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot()).not.toBe(EMPTY_SNAPSHOT);
    expect(store.getSnapshot().signaling).toBe("connected");
    expect(store.getSnapshot().contacts).toBe(contacts);
  });

  it("publishes nothing when a change changes nothing", () => {
    const store = new ChatStore();
    store.update({ signaling: "connected", droppedFrames: 2 });
    const snapshot = store.getSnapshot();
    const woke = jest.fn();
    store.subscribe(woke);
    store.update({ signaling: "connected", droppedFrames: 2 });
    expect(woke).not.toHaveBeenCalled();
    expect(store.getSnapshot()).toBe(snapshot);
  });

  it("changes the open conversation only when it is that peer's, and keeps its timeline", () => {
    const store = new ChatStore();
    const bob = view("bob");
    store.update({ conversation: bob });
    const woke = jest.fn();
    store.subscribe(woke);
    store.updateConversation("carol", { connection: "direct" });
    expect(woke).not.toHaveBeenCalled();
    store.updateConversation("bob", { connection: "connecting" });
    expect(woke).not.toHaveBeenCalled();
    store.updateConversation("bob", { connection: "direct" });
    expect(woke).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot().conversation).toMatchObject({ peer: "bob", connection: "direct" });
    expect(store.getSnapshot().conversation!.timeline).toBe(bob.timeline);
    expect(store.openPeer).toBe("bob");
  });

  it("stops waking a listener once it unsubscribes", () => {
    const store = new ChatStore();
    const woke = jest.fn();
    const off = store.subscribe(woke);
    off();
    store.update({ notice: { code: "home-relay-received", count: 1 } });
    expect(woke).not.toHaveBeenCalled();
  });
});
