/**
 * The newest of overlapping requests for one thing (e.g. the payload pane's row): `begin()` gives
 * a check that stays true only while no newer request began and nothing cancelled it, so a reply
 * that arrives late (after the user moved on or closed the pane) is dropped, not shown.
 */
export class Latest {
  private generation = 0;

  begin(): () => boolean {
    const mine = ++this.generation;
    return () => mine === this.generation;
  }

  cancel(): void {
    this.generation++;
  }
}
