import { startApp, type RunningApp, type StartAppOptions } from "./app";
import { closePeople, launchPerson, signUp, type LaunchOptions, type Person } from "./people";

// The app and the people of one e2e file: the app started before its tests
// and stopped after them, with every browser the tests launched. Each test
// launches (and signs up) its own people through it.

export interface Cast {
  /** The running app (started in beforeAll). */
  readonly app: RunningApp;
  /** A browser of the test's own, closed after the file's tests. */
  launch(nickname: string, opts?: LaunchOptions): Promise<Person>;
  /** The same, signed up at the app as `nickname`. */
  signedUp(nickname: string, opts?: LaunchOptions): Promise<Person>;
}

export function castOf(extraEnv: Record<string, string> = {}, opts: StartAppOptions = {}): Cast {
  let running: RunningApp | undefined;
  const people: Person[] = [];
  beforeAll(async () => {
    running = await startApp(extraEnv, opts);
  });
  afterAll(async () => {
    await closePeople(people);
    await running?.stop();
  });
  const cast: Cast = {
    get app() {
      if (!running) throw new Error("the app starts in beforeAll: use cast.app inside a test");
      return running;
    },
    async launch(nickname, launchOpts) {
      const person = await launchPerson(nickname, launchOpts);
      people.push(person);
      return person;
    },
    async signedUp(nickname, launchOpts) {
      const person = await cast.launch(nickname, launchOpts);
      await signUp(person, cast.app.url);
      return person;
    },
  };
  return cast;
}
