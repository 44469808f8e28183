/**
 * The empty list a connection's queues and buffers start with and go back to. It is shared and
 * frozen: an idle connection then holds no arrays of its own (they were a tenth of its heap),
 * and a push that bypassed `append` throws instead of writing into every connection's list.
 */
export const NONE: never[] = Object.freeze([]) as unknown as never[];

/** `list` with `item` at the end: a new array when `list` is NONE, else `list` itself. */
export function append<T>(list: T[], item: T): T[] {
  if (list === NONE) return [item];
  list.push(item);
  return list;
}
