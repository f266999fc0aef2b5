import Link from "next/link";

/** Why messages to `peer` wait although `peer` is online, and what fixes it. */
export function UnreachableHint({ peer, turn }: { peer: string; turn: boolean }) {
  return (
    <div role="alert" className="warning stack">
      {turn ? (
        <p>
          Can&apos;t reach {peer} from this network, not even through this server&apos;s TURN relay. {peer} is online, but the relay could not be used: the
          TURN server may be down or blocked from here.
        </p>
      ) : (
        <p>
          Can&apos;t reach {peer} from this network. {peer} is online, but no direct connection works between your two networks (a mobile network or a
          strict router is in the way), and this server has no TURN server to relay it.
        </p>
      )}
      <p>
        Your messages wait on this device and go out as soon as a connection works. <Link href="/help/network">How to fix this</Link>
      </p>
    </div>
  );
}
