import { usesRelay } from "@/lib/rtc/route-kind";

const report = (entries: Record<string, object>) => new Map(Object.entries(entries)) as unknown as RTCStatsReport;

describe("usesRelay", () => {
  it("reads the selected pair's candidates: relay on either side means relayed", () => {
    const base = { t: { type: "transport", selectedCandidatePairId: "p" }, p: { type: "candidate-pair", localCandidateId: "l", remoteCandidateId: "r" } };
    expect(usesRelay(report({ ...base, l: { candidateType: "host" }, r: { candidateType: "srflx" } }))).toBe(false);
    expect(usesRelay(report({ ...base, l: { candidateType: "relay" }, r: { candidateType: "host" } }))).toBe(true);
    expect(usesRelay(report({ ...base, l: { candidateType: "host" }, r: { candidateType: "relay" } }))).toBe(true);
  });

  it("says direct when no pair is selected yet", () => {
    expect(usesRelay(report({ t: { type: "transport" }, l: { candidateType: "relay" } }))).toBe(false);
  });
});
