/**
 * Whether the candidate pair a connection uses goes through a TURN relay,
 * read from getStats(): the transport's selected pair, then its candidates.
 */
export function usesRelay(stats: RTCStatsReport): boolean {
  let relayed = false;
  stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
    if (report.type !== "transport" || !report.selectedCandidatePairId) return;
    const pair = stats.get(report.selectedCandidatePairId) as { localCandidateId?: string; remoteCandidateId?: string } | undefined;
    const local = pair?.localCandidateId ? (stats.get(pair.localCandidateId) as { candidateType?: string } | undefined) : undefined;
    const remote = pair?.remoteCandidateId ? (stats.get(pair.remoteCandidateId) as { candidateType?: string } | undefined) : undefined;
    relayed = local?.candidateType === "relay" || remote?.candidateType === "relay";
  });
  return relayed;
}
