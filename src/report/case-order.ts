/** Case ids in catalogue order: numerically by each dotted part, so 1.10 follows 1.9 and 10.1 follows 9.9. */
export function compareCaseIds(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return comparePart(pa[i], pb[i]);
  }
  return pa.length - pb.length;
}

function comparePart(x: string, y: string): number {
  const nx = Number(x);
  const ny = Number(y);
  if (Number.isNaN(nx) || Number.isNaN(ny) || nx === ny) return x < y ? -1 : 1;
  return nx - ny;
}
