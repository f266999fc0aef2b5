import { ApiRequestError, fetchJson } from "@/lib/api-client/fetch-json";
import type { Connection } from "@/lib/chat/connections";
import type { ReceivedMessage } from "@/lib/chat/delivery";
import { createLogKeys, type RandomSource } from "@/lib/crypto";
import type { Frame, LogOp } from "@/lib/protocol";
import type { Listenable } from "@/lib/rtc/byte-link";
import { Emitter } from "@/lib/shared/emitter";
import { exportLogs, importLogs } from "./export-file";
import { HomeService } from "./home-service";
import { requestLogs, type OnRecords, type Progress, type RelayConnections, type RetrieveResult } from "./log-requester";
import type { LogSink } from "./log-sink";
import { countLogs } from "./log-store";
import { PingScheduler } from "./ping-scheduler";
import { DEFAULT_SETTINGS, loadHomePin, loadRelaySettings, saveHomePin, saveRelaySettings, type RelaySettings } from "./relay-settings";

// The home relay on this device, whichever role it plays: the home tab that
// seals what it receives, serves retrieval and Clear, and pings the user's
// other devices; or another device that retrieves, clears and imports logs.

/** What the home relay needs of this tab's chat (lib/chat/messenger.ts provides it), and nothing more. */
export interface ChatHost {
  readonly account: string;
  readonly deviceId: string;
  /** This tab's connections, to reach the home relay and hear its answers on one connection. */
  readonly connections: RelayConnections;
  /** Frames other than chat and ack arriving on a connection; a handler answers true when it took the frame. */
  addFrameHandler(handler: (connection: Connection, frame: Frame) => Promise<boolean>): () => void;
  /** A chat message arrived for the first time, stored and acknowledged. */
  readonly received: Listenable<ReceivedMessage>;
}

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
    private readonly host: ChatHost,
    /** Where received messages go; this relay points it at the sealed log while logs are on. */
    private readonly logSink: LogSink,
    private readonly random: RandomSource,
    private readonly clock: () => number = Date.now,
  ) {
    const account = host.account;
    this.service = new HomeService({
      account,
      deviceId: host.deviceId,
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
    host.addFrameHandler((connection, frame) => this.service.onFrame(connection, frame));
    host.received.on(() => {
      if (this.settings.logsEnabled) void this.refreshCount();
      if (this.settings.pingOnReceived) this.pings.add(1);
    });
  }

  subscribe = (listener: () => void) => this.changed.on(listener);
  getSnapshot = (): RelaySnapshot => this.snapshot;

  async start(): Promise<void> {
    this.settings = await loadRelaySettings(this.host.account);
    this.logSink.apply(this.settings);
    await this.refreshCount();
  }

  stop(): void {
    this.pings.stop();
    this.logSink.close();
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
    return exportLogs(this.host.account, this.settings.logBundle, this.clock());
  }

  importFile(text: string, passphrase: string): Promise<RetrieveResult> {
    return importLogs(text, passphrase);
  }

  /** Retrieve or Clear on this account's own home relay (never another account's: only a rogue device would answer). */
  async request(op: LogOp, passphrase: string, onProgress?: (p: Progress) => void, onRecords?: OnRecords) {
    const { account, connections, deviceId } = this.host;
    const homePin = { load: () => loadHomePin(account), save: (pin: Parameters<typeof saveHomePin>[1]) => saveHomePin(account, pin) };
    return requestLogs({ account, deviceId, connections, random: this.random, clock: this.clock, homePin }, { op, passphrase, onProgress, onRecords });
  }

  /** The user moved the home relay: the next request pins whichever device the server lists now. */
  async trustNewHome(): Promise<void> {
    await saveHomePin(this.host.account, null);
  }

  private async update(change: Partial<RelaySettings>): Promise<void> {
    this.settings = { ...this.settings, ...change };
    await saveRelaySettings(this.host.account, this.settings);
    this.logSink.apply(this.settings);
    this.publish();
  }

  private async refreshCount(): Promise<void> {
    this.logCount = await countLogs(this.host.account);
    this.publish();
  }

  private publish(): void {
    this.snapshot = { settings: this.settings, logCount: this.logCount };
    this.changed.emit();
  }
}
