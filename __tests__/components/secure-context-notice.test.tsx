import { render, screen, within } from "@testing-library/react";
import { SecureContextNotice } from "@/app/_components/secure-context-notice";
import { featuresOffHere } from "@/lib/this-device/secure-context";

describe("featuresOffHere", () => {
  it("finds nothing off on a secure origin", () => {
    expect(featuresOffHere({ isSecureContext: true })).toEqual([]);
  });

  it("names each feature the browser withheld on plain http", () => {
    expect(featuresOffHere({ isSecureContext: false, navigator: {}, crypto: {} })).toEqual(["notifications", "one-tab-guard", "fast-log-opening"]);
    expect(featuresOffHere({ isSecureContext: false, navigator: { serviceWorker: {}, locks: {} }, crypto: {} })).toEqual(["fast-log-opening"]);
  });
});

describe("SecureContextNotice", () => {
  const original = Object.getOwnPropertyDescriptor(window, "isSecureContext");
  afterEach(() => {
    if (original) Object.defineProperty(window, "isSecureContext", original);
  });

  it("says nothing on a secure origin", () => {
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    const { container } = render(<SecureContextNotice />);
    expect(container).toBeEmptyDOMElement();
  });

  it("says which features are off on plain http, and why", () => {
    Object.defineProperty(window, "isSecureContext", { value: false, configurable: true });
    render(<SecureContextNotice />);
    const notice = screen.getByRole("status", { name: "This page is not on a secure (https) address" });
    const items = within(notice).getAllByRole("listitem").map((li) => li.textContent);
    // jsdom has no service worker, no Web Locks and no crypto.subtle here.
    expect(items).toEqual([expect.stringMatching(/^Pings \(notifications\)/), expect.stringMatching(/^The guard that keeps CommunisP to one tab/), expect.stringMatching(/^Fast opening of retrieved logs/)]);
  });
});
