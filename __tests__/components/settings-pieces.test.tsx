import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { NewDeviceNotices } from "@/app/_components/chat/new-device-notices";
import { ChangePasswordForm } from "@/app/_components/settings/change-password-form";

// The pieces of /settings and the new-device notices that need no server;
// the rest runs against the real app in __tests__/e2e/devices-and-password.test.ts.

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

describe("ChangePasswordForm", () => {
  it("names its fields and button, and explains a new password that cannot be accepted without asking the server", async () => {
    const fetchSpy = jest.fn();
    globalThis.fetch = fetchSpy as unknown as typeof fetch;
    const user = userEvent.setup();
    render(<ChangePasswordForm />);
    const form = screen.getByRole("region", { name: "Change password" });
    await user.type(screen.getByLabelText("Current password"), "the old one, long");
    await user.type(screen.getByLabelText("New password"), "short");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(form).toHaveTextContent("The new password must be at least 10 characters.");
    await user.clear(screen.getByLabelText("New password"));
    await user.type(screen.getByLabelText("New password"), "the old one, long");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The new password must differ from the current password.");
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe("NewDeviceNotices", () => {
  it("says a contact has a new device, as an alert with OK, and says nothing without one", async () => {
    const acknowledged: string[] = [];
    const { rerender } = render(<NewDeviceNotices peer="bob" devices={[{ deviceId: "d1", deviceName: "Firefox on Android (phone)" }]} onAcknowledge={(id) => acknowledged.push(id)} />);
    expect(screen.getByRole("alert")).toHaveTextContent("bob has a new device: “Firefox on Android (phone)”. Your messages to bob go to it too.");
    await userEvent.setup().click(screen.getByRole("button", { name: "OK" }));
    expect(acknowledged).toEqual(["d1"]);
    rerender(<NewDeviceNotices peer="bob" devices={[]} onAcknowledge={() => undefined} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
