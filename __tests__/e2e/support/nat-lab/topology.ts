// The NAT lab's network, in documentation ranges only (RFC 5737):
// 203.0.113.0/24 is "the Internet", 192.0.2.0/24 is cut into three home
// LANs, and 198.51.100.0/24 is the mobile network the phone moves to.
//
//                      203.0.113.0/24 (bridge in <lab>-wan)
//        ┌──────────┬──────────┬──────────┬──────────┬──────────┐
//      srv .10    turn .11    r1 .21     r2 .22     r3 .23     r4 .24
//    app + STUN   coturn    cone NAT  symmetric NAT cone NAT   cone NAT ("mobile")
//                             │          │           │          │
//                        home .2     phone .66    bob .130   (phone .2 after the move)
//                     192.0.2.0/26  192.0.2.64/26 192.0.2.128/26 198.51.100.0/24
//
// Every router masquerades its LAN behind its public address and drops
// whatever arrives unsolicited; r2 picks a fresh random port for every
// destination (`masquerade fully-random`), which is what makes it symmetric.
// Routers forward only towards 203.0.113.0/24, and the servers' default route
// ends at the bridge (.1), which forwards nothing: nothing leaves the lab.

export const PUBLIC_NET = "203.0.113.0/24";
/** The servers' default gateway: the bridge's own address, which forwards nothing. */
export const INTERNET_CORE = "203.0.113.1";

export const PUBLIC = { srv: "203.0.113.10", turn: "203.0.113.11", r1: "203.0.113.21", r2: "203.0.113.22", r3: "203.0.113.23", r4: "203.0.113.24" } as const;

export type NatKind = "port-restricted-cone" | "symmetric";

export interface RouterPlan {
  name: "r1" | "r2" | "r3" | "r4";
  nat: NatKind;
  lan: { router: string; host: string; prefix: number };
  /** The host namespace behind it at the start (r4 gets the phone only when it moves). */
  host: "home" | "phone" | "bob" | null;
}

export const ROUTERS: RouterPlan[] = [
  { name: "r1", nat: "port-restricted-cone", lan: { router: "192.0.2.1", host: "192.0.2.2", prefix: 26 }, host: "home" },
  { name: "r2", nat: "symmetric", lan: { router: "192.0.2.65", host: "192.0.2.66", prefix: 26 }, host: "phone" },
  { name: "r3", nat: "port-restricted-cone", lan: { router: "192.0.2.129", host: "192.0.2.130", prefix: 26 }, host: "bob" },
  { name: "r4", nat: "port-restricted-cone", lan: { router: "198.51.100.1", host: "198.51.100.2", prefix: 24 }, host: null },
];

export const HOSTS = ["home", "phone", "bob"] as const;
export type HostName = (typeof HOSTS)[number];
export type NamespaceRole = "wan" | "srv" | "turn" | RouterPlan["name"] | HostName;
export const ROLES: NamespaceRole[] = ["wan", "srv", "turn", "r1", "r2", "r3", "r4", "home", "phone", "bob"];

/** nftables for one router: masquerade out of wan0, nothing in that it did not ask for. */
export function routerRuleset(nat: NatKind): string {
  return `
table inet lab_filter {
  counter unsolicited {}
  chain input {
    type filter hook input priority filter; policy drop;
    iifname "lo" accept
    ct state established,related accept
    iifname "lan0" accept
    counter name unsolicited drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "wan0" ip daddr ${PUBLIC_NET} accept
    counter name unsolicited drop
  }
}
table ip lab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" masquerade${nat === "symmetric" ? " fully-random" : ""}
  }
}
`;
}
