import { ensureBuild } from "./build";
import { chromiumPath } from "./chromium";

// Runs once before the end-to-end tests: fail early, with instructions, when
// Chromium is missing, and make the production build current (as `npm start`
// would) so that each test's app starts in seconds.
export default async function globalSetup(): Promise<void> {
  chromiumPath();
  ensureBuild();
}
