// One tab per device: the tab holding this lock owns the device's keys and
// its connections; another tab of the same browser says so instead of
// fighting over them. The lock is held for the life of the page and released
// by the browser when the tab closes or reloads.

export type LockResult = { held: true; release: () => void } | { held: false };

export async function holdDeviceLock(account: string, locks: LockManager | undefined = globalThis.navigator?.locks): Promise<LockResult> {
  // Web Locks need a secure context; without them (plain http on a LAN
  // address) every tab runs on its own, which is how browsers without the API behave.
  if (!locks) return { held: true, release: () => undefined };
  return new Promise<LockResult>((resolve) => {
    void locks.request(`communisp-device-${account}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve({ held: false });
        return undefined;
      }
      return new Promise<void>((release) => resolve({ held: true, release: () => release() }));
    });
  });
}
