import { ApiRequestError, fetchJson } from "@/lib/api-client/fetch-json";
import { historySink } from "@/lib/chat/delivery";
import type { Messenger } from "@/lib/chat/messenger";
import { createLogKeys, type RandomSource } from "@/lib/crypto";
import type { LogOp } from "@/lib/protocol";
import { Emitter } from "@/lib/shared/emitter";
import { exportLogs, importLogs } from "./export-file";
import { HomeService } from "./home-service";
import { requestLogs, type Progress, type RetrieveResult } from "./log-requester";
import { countLogs } from "./log-store";
import { PingScheduler } from "./ping-scheduler";
import { DEFAULT_SETTINGS, loadHomePin, loadRelaySettings, saveHomePin, saveRelaySettings, type RelaySettings } from "./relay-settings";
import { sealedLogSink } from "./sealed-sink";

// The home relay on this device, whichever role it plays: the home tab that
// seals what it receives, serves retrieval and Clear, and pings the user's
// other devices; or another device that retrieves, clears and imports logs.

export interface RelaySnapshot {
  settings: RelaySettings;
  logCount: number;
}

export class HomeRelay {
  readonly changed = new Emitter<void>();
  private settings: RelaySettings = DEFAULT_SETTINGS;
  private logCount = 0;
  private snapshot: RelaySnapshot = { settings: DEFAULT_SETTINGS, logCount: 0 };
  private readonly service: HomeService;
  private readonly pings: PingScheduler;

  constructor(
    private readonly messenger: Messenger,
    private readonly random: RandomSource,
    private readonly clock: () => number = Date.now,
  ) {
    const account = messenger.account;
    this.service = new HomeService({
      account,
      deviceId: messenger.device.deviceId,
      random,
      clock,
      settings: () => this.settings,
      accountDevices: async () => (await fetchJson<{ devices: { id: string }[] }>("/api/devices")).devices.map((d) => d.id),
      onCleared: () => void this.refreshCount(),
    });
    this.pings = new PingScheduler(async (count) => {
      try {
        await fetchJson("/api/push/ping", { method: "POST", json: { count } });
        return {};
      } catch (error) {
        if (error instanceof ApiRequestError && error.status === 429) return { retryAfterSec: error.retryAfterSec ?? 30 };
        throw error;
      }
    }, clock);
    messenger.addFrameHandler((connection, frame) => this.service.onFrame(connection, frame));
    messenger.delivery.received.on(() => {
      if (this.settings.logsEnabled) void this.refreshCount();
      if (this.settings.pingOnReceived) this.pings.add(1);
    });
  }

  subscribe = (listener: () => void) => this.changed.on(listener);
  getSnapshot = (): RelaySnapshot => this.snapshot;

  async start(): Promise<void> {
    this.settings = await loadRelaySettings(this.messenger.account);
    this.applySink();
    await this.refreshCount();
  }

  stop(): void {
    this.pings.stop();
  }

  /** Derives the log keys from a new passphrase and keeps only the public halves and the salt. */
  async enableLogs(passphrase: string, onProgress?: (fraction: number) => void): Promise<void> {
    const { keys, bundle } = await createLogKeys(passphrase, this.random, undefined, { onProgress });
    keys.logSecretKey.fill(0);
    keys.authoritySecretKey.fill(0);
    await this.update({ logBundle: bundle, logsEnabled: true });
  }

  /** Logs back on with the keys made before (same passphrase; older records stay readable). */
  async resumeLogs(): Promise<void> {
    if (!this.settings.logBundle) throw new Error("No log keys yet: enable logs with a passphrase.");
    await this.update({ logsEnabled: true });
  }

  async disableLogs(): Promise<void> {
    await this.update({ logsEnabled: false });
  }

  async setPingOnReceived(on: boolean): Promise<void> {
    await this.update({ pingOnReceived: on });
  }

  clearLocally(): Promise<number> {
    return this.service.clearLocally();
  }

  async exportFile(): Promise<string> {
    if (!this.settings.logBundle) throw new Error("This device keeps no logs to export.");
    return exportLogs(this.messenger.account, this.settings.logBundle, this.clock());
  }

  importFile(text: string, passphrase: string): Promise<RetrieveResult> {
    return importLogs(text, passphrase);
  }

  /** Retrieve or Clear on this account's own home relay (never another account's: only a rogue device would answer). */
  async request(op: LogOp, passphrase: string, onProgress?: (p: Progress) => void) {
    const { account, connections, device } = this.messenger;
    const homePin = { load: () => loadHomePin(account), save: (pin: Parameters<typeof saveHomePin>[1]) => saveHomePin(account, pin) };
    return requestLogs({ account, deviceId: device.deviceId, connections, random: this.random, clock: this.clock, frames: connections.frame, homePin }, { op, passphrase, onProgress });
  }

  /** The user moved the home relay: the next request pins whichever device the server lists now. */
  async trustNewHome(): Promise<void> {
    await saveHomePin(this.messenger.account, null);
  }

  private async update(change: Partial<RelaySettings>): Promise<void> {
    this.settings = { ...this.settings, ...change };
    await saveRelaySettings(this.messenger.account, this.settings);
    this.applySink();
    this.publish();
  }

  /** With logs on, received messages go to the sealed log instead of the history. */
  private applySink(): void {
    const { logBundle, logsEnabled } = this.settings;
    this.messenger.delivery.sink = logsEnabled && logBundle ? sealedLogSink(this.messenger.account, logBundle, this.random, this.clock) : historySink;
  }

  private async refreshCount(): Promise<void> {
    this.logCount = await countLogs(this.messenger.account);
    this.publish();
  }

  private publish(): void {
    this.snapshot = { settings: this.settings, logCount: this.logCount };
    this.changed.emit();
  }
}
