/** A group's cap: its own, within the organisation's. */
export function capOf(group: { cap?: number | null | undefined }, orgCap: number): number {
  return group.cap ? Math.min(group.cap, orgCap) : orgCap;
}
