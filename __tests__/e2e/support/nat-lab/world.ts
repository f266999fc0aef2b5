import { startApp, type RunningApp } from "../app";
import { closePeople, launchPerson, type Person } from "../people";
import { startCoturn, TURN_TOOL, type RunningCoturn } from "./coturn";
import { NatLab, requireTools } from "./lab";
import { PUBLIC, type HostName } from "./topology";

// One lab per test file: the namespaces, the app as `npm start` runs it on
// the public net (HOST bound to its public address), coturn when the file
// wants TURN, and people's browsers each inside a host's namespace.

export const APP_PORT = 3000;
export const STUN_PORT = 3478;
export const TURN_SECRET = "nat-lab-turn-secret-0123456789";

export interface LabWorld {
  lab: NatLab;
  app: RunningApp;
  coturn: RunningCoturn | null;
  url: string;
  /** A person whose Chromium runs behind `host`'s router; closed by close() (or closeCase()). */
  person(nickname: string, host: HostName, opts?: { phone?: boolean }): Promise<Person>;
  /** Closes the people of the case that just ran. */
  closeCase(): Promise<void>;
  close(): Promise<void>;
}

export async function startLabWorld(name: string, opts: { turn: boolean }): Promise<LabWorld> {
  requireTools(opts.turn ? [TURN_TOOL] : []);
  const lab = NatLab.create(name);
  let app: RunningApp | undefined;
  try {
    const coturn = opts.turn ? await startCoturn(lab, { secret: TURN_SECRET, realm: "turn.lab.example", address: PUBLIC.turn }) : null;
    const turnEnv: Record<string, string> = opts.turn ? { TURN_URLS: `turn:${PUBLIC.turn}:3478?transport=udp,turn:${PUBLIC.turn}:3478?transport=tcp`, TURN_SECRET } : {};
    app = await startApp({ ...turnEnv, STUN_PORT: String(STUN_PORT) }, { netns: lab.ns("srv"), host: PUBLIC.srv, port: APP_PORT });
    const url = app.url;
    const people: Person[] = [];
    const started = app;
    return {
      lab,
      app,
      coturn,
      url,
      async person(nickname, host, personOpts = {}) {
        const p = await launchPerson(nickname, {
          executablePath: lab.chromiumIn(host),
          // Plain http from a lab address is no secure context; the https path is tested elsewhere.
          extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${url}`],
          ...(personOpts.phone ? { viewport: { width: 375, height: 812 }, isMobile: true } : {}),
        });
        people.push(p);
        return p;
      },
      async closeCase() {
        await closePeople(people.splice(0));
      },
      async close() {
        await closePeople(people.splice(0));
        await started.stop();
        lab.teardown();
      },
    };
  } catch (error) {
    await app?.stop();
    lab.teardown();
    throw error;
  }
}
