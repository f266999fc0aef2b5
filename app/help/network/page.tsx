import Link from "next/link";
import { env } from "@/lib/env";
import { builtinStunPort } from "@/lib/ice/builtin-stun";

export const dynamic = "force-dynamic";
export const metadata = { title: "Reaching people across networks · CommunisP" };

/** What "can't reach … from this network" means, and what this server offers (no secrets: browsers get all of it anyway). */
export default function NetworkHelpPage() {
  const config = env();
  const stunPort = builtinStunPort();
  const turn = config.TURN_URLS !== undefined;
  const extra = config.ICE_SERVERS?.length ?? 0;
  return (
    <main className="auth">
      <div className="panel stack">
        <h1>Reaching people across networks</h1>
        <p>
          Messages go straight from one browser to the other. Most home routers let that happen once both sides have asked a STUN server for their public
          address. Some networks do not: mobile networks, carrier-grade NAT and many office firewalls give every connection a different public port
          (a &ldquo;symmetric NAT&rdquo;) or block unknown traffic. Between such networks only a TURN server, which relays the encrypted bytes it cannot read,
          gets the conversation through.
        </p>
        <h2>This server</h2>
        <ul>
          <li>STUN: {stunPort !== null ? `built in, on UDP port ${stunPort}` : "no built-in STUN responder"}</li>
          <li>TURN: {turn ? "configured (credentials are minted for each device)" : "not configured"}</li>
          {extra > 0 && <li>Further STUN/TURN servers: {extra}</li>}
        </ul>
        <h2>For the server&apos;s administrator</h2>
        <p>
          {turn
            ? "TURN is configured but did not help: check that the TURN server runs, that its UDP and TCP ports (and its relay port range) are open, and that TURN_SECRET matches its static-auth-secret."
            : "Run a TURN server (coturn) and set TURN_URLS and TURN_SECRET; the README shows a coturn configuration that works with them (docs/nat.md explains the rest)."}
        </p>
        <p>
          <Link href="/chat">Back to the chat</Link>
        </p>
      </div>
    </main>
  );
}
