import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Composer } from "@/app/_components/chat/composer";
import { ConnectForm } from "@/app/_components/chat/connect-form";
import { KeyWarnings } from "@/app/_components/chat/key-warnings";
import { MessageList } from "@/app/_components/chat/message-list";
import { MessageRequest } from "@/app/_components/chat/message-request";
import type { ConversationView, Messenger } from "@/lib/chat/messenger";
import { SafetyNumberView } from "@/app/_components/chat/safety-number";
import { generateIdentity, safetyNumber } from "@/lib/crypto";
import { giveListsAScreen } from "./support/layout";
import { message, openTimeline } from "./support/timeline";

giveListsAScreen(".messages");

describe("MessageList", () => {
  it("is a log named Messages whose items say who wrote them and their status in words", async () => {
    const timeline = await openTimeline([message("1", "out", "delivered"), message("2", "out", "waiting"), message("3", "in", "received"), message("4", "out", "pending")]);
    render(<MessageList timeline={timeline} peer="bob" />);
    const log = screen.getByRole("log", { name: "Messages" });
    const items = within(log).getAllByRole("listitem").filter((li) => li.dataset.status);
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^You: text 1.*delivered$/),
      expect.stringMatching(/^You: text 2.*waiting for bob to come online$/),
      expect.stringMatching(/^bob: text 3.*received$/),
      expect.stringMatching(/^You: text 4.*sending$/),
    ]);
  });

  it("renders text as text, never as markup", async () => {
    render(<MessageList timeline={await openTimeline([message("1", "in", "received", "<img src=x onerror=alert(1)>")])} peer="bob" />);
    expect(screen.getByText("<img src=x onerror=alert(1)>")).toBeInTheDocument();
    expect(document.querySelector("img")).toBeNull();
  });
});

describe("Composer", () => {
  it("sends on Enter, keeps Shift+Enter for new lines, and clears at once", async () => {
    const sent: string[] = [];
    const user = userEvent.setup();
    render(<Composer disabled={false} onSend={async (text) => (sent.push(text), null)} />);
    const box = screen.getByRole("textbox", { name: "Message" });
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    await user.type(box, "line one{Shift>}{Enter}{/Shift}line two{Enter}");
    expect(sent).toEqual(["line one\nline two"]);
    expect(box).toHaveValue("");
  });

  it("puts the text back and shows the reason when sending is refused", async () => {
    const user = userEvent.setup();
    render(<Composer disabled={false} onSend={async () => "Sending is paused: a security key of bob changed. Review it first."} />);
    await user.type(screen.getByRole("textbox", { name: "Message" }), "keep me");
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Sending is paused");
    expect(screen.getByRole("textbox", { name: "Message" })).toHaveValue("keep me");
  });
});

describe("ConnectForm", () => {
  it("connects to the nickname typed, and not to an empty one", async () => {
    const asked: string[] = [];
    const user = userEvent.setup();
    render(<ConnectForm onConnect={async (n) => void asked.push(n)} />);
    expect(screen.getByRole("button", { name: "Connect" })).toBeDisabled();
    await user.type(screen.getByRole("textbox", { name: "Nickname to contact" }), "bob{Enter}");
    expect(asked).toEqual(["bob"]);
  });
});

describe("KeyWarnings", () => {
  it("explains a changed key and lets the user accept it or review the safety number", async () => {
    const accepted: string[] = [];
    let reviewed = false;
    render(<KeyWarnings peer="bob" warnings={[{ deviceId: "dev1", deviceName: "Bob's phone", newKey: "k" }]} onAccept={(d) => accepted.push(d)} onReview={() => (reviewed = true)} />);
    expect(screen.getByRole("alert")).toHaveTextContent(/security key of bob's device “Bob's phone” changed.*Sending to bob is paused/);
    await userEvent.click(screen.getByRole("button", { name: "Accept new key" }));
    await userEvent.click(screen.getByRole("button", { name: "Safety number" }));
    expect(accepted).toEqual(["dev1"]);
    expect(reviewed).toBe(true);
  });
});

describe("SafetyNumberView", () => {
  it("shows the 60 digits in groups and a QR code of the same number", async () => {
    const number = safetyNumber({ stableId: "alice", signPublicKey: generateIdentity((n) => new Uint8Array(n).fill(1)).signPublicKey }, { stableId: "bob", signPublicKey: generateIdentity((n) => new Uint8Array(n).fill(2)).signPublicKey });
    render(<SafetyNumberView peer="bob" numbers={[{ deviceId: "d", number }]} onClose={() => undefined} />);
    expect(screen.getByLabelText("Safety number digits")).toHaveTextContent(number.groups.join(" "));
    expect(number.digits).toMatch(/^\d{60}$/);
    const qr = await screen.findByRole("img", { name: "Safety number as a QR code" });
    await waitFor(() => expect(qr.getAttribute("src")).toMatch(/^data:image\/png;base64,/));
  });

  it("says to connect first when no device proved its key yet", () => {
    render(<SafetyNumberView peer="bob" numbers={[]} onClose={() => undefined} />);
    expect(screen.getByRole("dialog")).toHaveTextContent("Connect first");
  });
});

describe("MessageRequest", () => {
  const view = async (over: Partial<ConversationView> = {}, messages = [message("m1", "in", "received", "hi, remember me?", 1, "mallory")]): Promise<ConversationView> => ({
    peer: "mallory",
    timeline: await openTimeline(messages, "mallory"),
    connection: "direct",
    keyWarnings: [],
    newDevices: [],
    problem: null,
    notice: null,
    stranger: true,
    blocked: false,
    ...over,
  });
  const fakeMessenger = () => {
    const calls: string[] = [];
    return { calls, messenger: { acceptPeer: async (p: string) => void calls.push(`accept:${p}`), blockPeer: async (p: string) => void calls.push(`block:${p}`) } as unknown as Messenger };
  };

  it("shows a stranger's first message as a request to accept or block", async () => {
    const { calls, messenger } = fakeMessenger();
    render(<MessageRequest messenger={messenger} conversation={await view()} />);
    const request = screen.getByRole("region", { name: "Message request" });
    expect(request).toHaveTextContent("mallory is not in your contacts");
    await userEvent.click(screen.getByRole("button", { name: "Block" }));
    await userEvent.click(screen.getByRole("button", { name: "Accept" }));
    expect(calls).toEqual(["block:mallory", "accept:mallory"]);
  });

  it("shows nothing for a contact, or for a stranger who has not written", async () => {
    const { messenger } = fakeMessenger();
    const { container, rerender } = render(<MessageRequest messenger={messenger} conversation={await view({ stranger: false })} />);
    expect(container).toBeEmptyDOMElement();
    rerender(<MessageRequest messenger={messenger} conversation={await view({}, [])} />);
    expect(container).toBeEmptyDOMElement();
  });

  it("offers to unblock a blocked nickname", async () => {
    const { calls, messenger } = fakeMessenger();
    render(<MessageRequest messenger={messenger} conversation={await view({ blocked: true })} />);
    expect(screen.getByRole("region", { name: "Blocked" })).toHaveTextContent("You blocked mallory");
    await userEvent.click(screen.getByRole("button", { name: "Unblock" }));
    expect(calls).toEqual(["accept:mallory"]);
  });
});
