import { Emitter } from "@/lib/shared/emitter";
import { iceConfigSchema, type IceConfig } from "./schemas";

// The browser's STUN/TURN servers. The chat page brings the ones that never
// expire; when the server mints TURN credentials, they are fetched once this
// device is registered and again before they expire (new links read
// `current`, live links hear `changed`). A failed renewal is retried with
// backoff and never loses the servers already known.

/** Renew when this share of a credential's lifetime is left... */
export const RENEW_AT_REMAINING = 0.25;
/** ...but at least this long before it expires. */
export const RENEW_MARGIN_MS = 60_000;
export const RETRY_MIN_MS = 5_000;
export const RETRY_MAX_MS = 5 * 60_000;

export interface IceRefreshDeps {
  /** GET /api/ice-servers, unparsed. */
  fetchConfig: () => Promise<unknown>;
}

export class IceServers {
  readonly changed = new Emitter<RTCIceServer[]>();
  private config: IceConfig;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = RETRY_MIN_MS;
  private stopped = false;

  constructor(
    initial: IceConfig,
    private readonly deps: IceRefreshDeps,
  ) {
    this.config = initial;
  }

  get current(): RTCIceServer[] {
    return this.config.iceServers;
  }

  /** Fetches this device's TURN credentials (if the server has TURN) and keeps them fresh. */
  async start(): Promise<void> {
    if (!this.config.turn) return;
    await this.renew();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    let fresh: IceConfig | null = null;
    try {
      const parsed = iceConfigSchema.safeParse(await this.deps.fetchConfig());
      if (parsed.success) fresh = parsed.data;
    } catch {
      // Offline, or the server is restarting: retried below.
    }
    if (this.stopped) return;
    if (!fresh) {
      this.schedule(this.retryMs);
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      return;
    }
    this.retryMs = RETRY_MIN_MS;
    this.config = fresh;
    this.changed.emit(fresh.iceServers);
    if (fresh.ttlSeconds !== null) {
      const lifetime = fresh.ttlSeconds * 1000;
      this.schedule(Math.max(0, Math.min(lifetime * (1 - RENEW_AT_REMAINING), lifetime - RENEW_MARGIN_MS)));
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew(), ms);
  }
}
