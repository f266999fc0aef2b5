import { render, screen, within } from "@testing-library/react";
import { MessageList } from "@/app/_components/chat/message-list";
import { UnreachableHint } from "@/app/_components/chat/unreachable-hint";
import type { StoredMessage } from "@/lib/store/history-store";

// What a person sees when the peer is online but no network path works.

beforeAll(() => {
  Element.prototype.scrollIntoView = () => undefined;
});

const message = (id: string, status: StoredMessage["status"]): StoredMessage => ({ account: "alice", id, peer: "bob", direction: "out", text: `text ${id}`, at: 1_700_000_000_000, status });

describe("an unreachable peer", () => {
  it("shows waiting messages as waiting for a network path, not for the peer to come online; delivered ones stay delivered", () => {
    render(<MessageList peer="bob" unreachable messages={[message("1", "delivered"), message("2", "pending"), message("3", "waiting")]} />);
    const items = within(screen.getByRole("log", { name: "Messages" }))
      .getAllByRole("listitem")
      .filter((li) => li.dataset.status);
    expect(items.map((li) => li.querySelector(".status")?.textContent)).toEqual(["delivered", "waiting: can't reach bob from this network", "waiting: can't reach bob from this network"]);
  });

  it("says a TURN server is needed when the server has none, and links to how to fix it", () => {
    render(<UnreachableHint peer="bob" turn={false} />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Can't reach bob from this network.");
    expect(alert).toHaveTextContent("no TURN server to relay it");
    expect(within(alert).getByRole("link", { name: "How to fix this" })).toHaveAttribute("href", "/help/network");
  });

  it("says the TURN relay could not be used when the server has one", () => {
    render(<UnreachableHint peer="bob" turn />);
    expect(screen.getByRole("alert")).toHaveTextContent("not even through this server's TURN relay");
  });
});
