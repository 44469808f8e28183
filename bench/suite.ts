/**
 * Hook for the conformance-catalogue timing: the whole Autobahn catalogue against `wsw serve`,
 * serial and with --parallel. The conformance runner does not exist yet; once it does, this
 * returns the wall time of one run of each, and `npm run bench` reports them (median of runs)
 * instead of "n/a (runner not built yet)".
 */
export interface SuiteTiming {
  serialMs: number;
  parallelMs: number;
}

/** One timing of the catalogue against the echo server at `url`, or null while there is no runner. */
export async function timeConformanceSuite(url: string): Promise<SuiteTiming | null> {
  void url;
  return null;
}
