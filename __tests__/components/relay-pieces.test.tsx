import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { LogsSetting } from "@/app/_components/relay/logs-setting";
import type { HomeRelay, RelaySnapshot } from "@/lib/relay/home-relay";

// The settings UI's own logic (validation, what shows when), with a stand-in
// for the relay: the relay itself is tested in unit and end-to-end tests.

function fakeRelay() {
  const calls: string[] = [];
  const relay = {
    enableLogs: async (passphrase: string) => void calls.push(`enable:${passphrase}`),
    resumeLogs: async () => void calls.push("resume"),
    disableLogs: async () => void calls.push("disable"),
    clearLocally: async () => (calls.push("clear"), 3),
    exportFile: async () => "{}",
  };
  return { relay: relay as unknown as HomeRelay, calls };
}

const snapshot = (over: Partial<RelaySnapshot["settings"]> = {}, logCount = 0): RelaySnapshot => ({
  settings: { logBundle: null, logsEnabled: false, pingOnReceived: false, ...over },
  logCount,
});

describe("Enable Local Message Logs", () => {
  it("asks for a new passphrase twice and refuses a short or mismatched one", async () => {
    const { relay, calls } = fakeRelay();
    const user = userEvent.setup();
    render(<LogsSetting relay={relay} snapshot={snapshot()} />);
    await user.click(screen.getByRole("checkbox", { name: "Enable Local Message Logs" }));
    await user.type(screen.getByLabelText("New log passphrase"), "short");
    await user.type(screen.getByLabelText("Repeat log passphrase"), "short");
    await user.click(screen.getByRole("button", { name: "Enable logs" }));
    expect(screen.getByRole("alert")).toHaveTextContent("at least 12 characters");
    await user.clear(screen.getByLabelText("New log passphrase"));
    await user.type(screen.getByLabelText("New log passphrase"), "a long passphrase here");
    await user.clear(screen.getByLabelText("Repeat log passphrase"));
    await user.type(screen.getByLabelText("Repeat log passphrase"), "a long passphrase hare");
    await user.click(screen.getByRole("button", { name: "Enable logs" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The two passphrases differ.");
    expect(calls).toEqual([]);
    await user.clear(screen.getByLabelText("Repeat log passphrase"));
    await user.type(screen.getByLabelText("Repeat log passphrase"), "a long passphrase here");
    await user.click(screen.getByRole("button", { name: "Enable logs" }));
    expect(calls).toEqual(["enable:a long passphrase here"]);
  });

  it("turns back on with the keys made before, without asking again", async () => {
    const { relay, calls } = fakeRelay();
    render(<LogsSetting relay={relay} snapshot={snapshot({ logBundle: { v: 1 } as never })} />);
    await userEvent.click(screen.getByRole("checkbox", { name: "Enable Local Message Logs" }));
    expect(screen.queryByLabelText("New log passphrase")).toBeNull();
    expect(calls).toEqual(["resume"]);
  });

  it("shows the sealed record count and clears locally", async () => {
    const { relay, calls } = fakeRelay();
    render(<LogsSetting relay={relay} snapshot={snapshot({ logBundle: { v: 1 } as never, logsEnabled: true }, 3)} />);
    expect(screen.getByRole("status", { name: "Local log" })).toHaveTextContent("Local log: 3 sealed records");
    await userEvent.click(screen.getByRole("button", { name: "Clear local logs" }));
    expect(calls).toContain("clear");
    expect(await screen.findByText("Deleted 3 sealed records.")).toBeInTheDocument();
  });
});
