/** The sandbox processes of one run tree (a run and all its child runs), for the tree-wide memory
 *  budget: each session's watchdog reports its process's resident memory here. Past the budget,
 *  the process that reported growth is the one stopped: a process holding steady keeps its
 *  variables, and the one still asking for memory is refused. */
/** A process idle between cells still moves by a few pages; only growth beyond this counts. */
const GROWTH_NOISE_MB = 1;

export class SandboxTree {
  private readonly members = new Map<object, number>();

  /** Resident megabytes of all members, as last sampled. */
  get totalMb(): number {
    let sum = 0;
    for (const mb of this.members.values()) sum += mb;
    return sum;
  }

  /** Records `member`'s latest sample; true when the tree is over `limitMb` and this member grew
   *  (by more than page-level noise) since its last sample. */
  report(member: object, rssMb: number, limitMb: number): boolean {
    const before = this.members.get(member) ?? 0;
    this.members.set(member, rssMb);
    return rssMb > before + GROWTH_NOISE_MB && this.totalMb > limitMb;
  }

  /** The member's process is gone (killed, replaced or disposed). */
  leave(member: object): void {
    this.members.delete(member);
  }
}
