import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConversationList } from "@/app/_components/chat/conversation-list";
import type { ContactView } from "@/lib/chat/recent-contacts";

// The rows of /chat's conversation list: each one button named exactly by the
// nickname (what the e2e tests and screen readers find it by), with the newest
// message, its time and the unread count as its description.

const NOW = new Date(2026, 11, 2, 15, 30).getTime();
const row = (nickname: string, over: Partial<ContactView> = {}): ContactView => ({ nickname, unread: 0, request: false, lastAt: NOW - 60_000, last: null, ...over });

describe("ConversationList", () => {
  it("names each row's button by the nickname alone, the open one marked current", async () => {
    const opened: string[] = [];
    render(<ConversationList now={NOW} active="carol" onOpen={(n) => opened.push(n)} contacts={[row("bob", { unread: 2 }), row("carol")]} />);
    const nav = screen.getByRole("navigation", { name: "Recent contacts" });
    const buttons = within(nav).getAllByRole("button");
    expect(buttons.map((b) => b.getAttribute("aria-current"))).toEqual([null, "true"]);
    expect(within(nav).getByRole("button", { name: "bob" })).toBe(buttons[0]);
    expect(within(nav).getByRole("button", { name: "carol" })).toBe(buttons[1]);
    await userEvent.click(within(nav).getByRole("button", { name: "bob" }));
    expect(opened).toEqual(["bob"]);
  });

  it("describes a row by its unread count, newest message and time", () => {
    const at = new Date(2026, 11, 2, 9, 5).getTime();
    render(
      <ConversationList
        now={NOW}
        active={null}
        onOpen={() => undefined}
        contacts={[row("bob", { unread: 3, last: { id: "m2", text: "see you\nat  nine", at, direction: "in" } }), row("carol", { last: { id: "m1", text: "on my way", at, direction: "out" } })]}
      />,
    );
    const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(at);
    expect(screen.getByRole("button", { name: "bob" })).toHaveAccessibleDescription(`3 unread, see you at nine, ${time}`);
    expect(screen.getByRole("button", { name: "carol" })).toHaveAccessibleDescription(`You: on my way, ${time}`);
    // What the eye sees: the unread badge, the one-line preview.
    expect(screen.getByRole("button", { name: "bob" })).toHaveTextContent(/^bob.*see you at nine3$/);
  });

  it("says when a conversation has no message here, and marks a message request", () => {
    render(<ConversationList now={NOW} active={null} onOpen={() => undefined} contacts={[row("dave", { request: true })]} />);
    expect(screen.getByRole("button", { name: "dave" }).getAttribute("aria-describedby")).toBeTruthy();
    expect(screen.getByRole("button", { name: "dave" })).toHaveAccessibleDescription(/^message request, No messages yet, /);
  });

  it("cuts a long message to one short line", () => {
    const long = "x".repeat(500);
    render(<ConversationList now={NOW} active={null} onOpen={() => undefined} contacts={[row("erin", { last: { id: "m", text: long, at: NOW, direction: "in" } })]} />);
    const description = screen.getByRole("button", { name: "erin" }).getAttribute("aria-describedby")!;
    expect(document.getElementById(description)!.textContent).toContain(`${"x".repeat(80)}…`);
    expect(document.getElementById(description)!.textContent).not.toContain("x".repeat(81));
  });

  it("shows the time today, the weekday this week, the date before that", () => {
    const yesterday = NOW - 24 * 60 * 60 * 1000;
    const lastMonth = NOW - 40 * 24 * 60 * 60 * 1000;
    render(<ConversationList now={NOW} active={null} onOpen={() => undefined} contacts={[row("fay", { lastAt: yesterday }), row("gus", { lastAt: lastMonth })]} />);
    expect(screen.getByRole("button", { name: "fay" })).toHaveAccessibleDescription(`No messages yet, ${new Intl.DateTimeFormat(undefined, { weekday: "short" }).format(yesterday)}`);
    expect(screen.getByRole("button", { name: "gus" })).toHaveAccessibleDescription(`No messages yet, ${new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" }).format(lastMonth)}`);
  });

  it("invites to connect when there is no conversation yet", () => {
    render(<ConversationList now={NOW} active={null} onOpen={() => undefined} contacts={[]} />);
    expect(screen.queryByRole("navigation", { name: "Recent contacts" })).toBeNull();
    expect(screen.getByText(/No conversations yet/)).toBeInTheDocument();
  });
});
