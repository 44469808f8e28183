/**
 * How anything keeps bytes it was lent: received payloads can be views of a socket read, which
 * the engine unmasks in place.
 */

/**
 * A copy that holds only these bytes. `Buffer#slice`, unlike `Uint8Array#slice`, is a view of the
 * same memory: it keeps a whole socket read alive and sees later writes to it (the engine
 * unmasks received frames in place).
 */
export function copyBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}
