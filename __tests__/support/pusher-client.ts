import PusherJs from "pusher-js";
import { request } from "./test-env";

// The official pusher-js (Node build) as a page would use it, except that its
// channel authorization calls the real POST /api/pusher/auth handler in
// process, with the given session cookie.

export type PusherClient = InstanceType<typeof PusherJs>;
type AuthRoute = { POST: (req: Request, context: unknown) => Promise<Response> };

export function pusherClientFor(opts: { key: string; port: number; cookie: string; authRoute: AuthRoute }): PusherClient {
  return new PusherJs(opts.key, {
    cluster: "local",
    wsHost: "127.0.0.1",
    wsPort: opts.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        const body = new URLSearchParams({ socket_id: socketId, channel_name: channelName }).toString();
        opts.authRoute
          .POST(request("POST", "/api/pusher/auth", { cookie: opts.cookie, body, contentType: "application/x-www-form-urlencoded" }), {})
          .then(async (res) => (res.ok ? callback(null, await res.json()) : callback(new Error(`auth ${res.status}`), null)))
          .catch((error: Error) => callback(error, null));
      },
    },
  });
}
