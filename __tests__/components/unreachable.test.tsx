import { render, screen, within } from "@testing-library/react";
import { MessageList } from "@/app/_components/chat/message-list";
import { UnreachableHint } from "@/app/_components/chat/unreachable-hint";
import { giveListsAScreen } from "./support/layout";
import { message, openTimeline } from "./support/timeline";

giveListsAScreen(".messages");

// What a person sees when the peer is online but no network path works.

describe("an unreachable peer", () => {
  it("shows waiting messages as waiting for a network path, not for the peer to come online; delivered ones stay delivered", async () => {
    const timeline = await openTimeline([message("1", "out", "delivered"), message("2", "out", "pending"), message("3", "out", "waiting")]);
    render(<MessageList timeline={timeline} peer="bob" unreachable />);
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
