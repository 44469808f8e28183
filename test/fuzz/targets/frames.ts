/**
 * The frame parser through a Connection, both roles: random bytes, and valid frame streams
 * (text, binary, fragments with control frames between, close) broken by mutations, fed whole,
 * byte by byte and in random chunkings. Invariant: events or one 1002/1007/1009 failure, the same
 * transcript for every chunking, and nothing past the limits.
 */
import type { ConnectionOptions, Limits, Role } from '../../../src/engine';
import type { FuzzTarget } from '../harness';
import { mutate, concat } from '../mutate';
import { Rng, chunking, hashBytes, split } from '../random';
import { FIXED_MASK, closePayload, frameBytes, pieces, randomUtf8 } from './gen';
import { drive, outcome, sameTranscript } from './drive';

const smallLimits: Limits = { maxFrameSize: 512, maxMessageSize: 2048, maxFragments: 6 };

function validStream(rng: Rng, masked: boolean): Uint8Array {
  const frames: Uint8Array[] = [];
  const count = rng.int(1, 10);
  const control = () => {
    const opcode = rng.pick([0x9, 0xa]);
    frames.push(frameBytes(rng, { opcode, payload: rng.bytes(rng.size(125)) }, masked));
  };
  for (let i = 0; i < count; i++) {
    const kind = rng.int(0, 5);
    if (kind === 0) control();
    else if (kind === 5 && rng.chance(0.3)) frames.push(frameBytes(rng, { opcode: 0x8, payload: closePayload(rng) }, masked));
    else {
      const binary = rng.chance(0.4);
      const big = rng.chance(0.03);
      const payload = binary ? rng.bytes(big ? rng.int(126, 70000) : rng.size(700)) : randomUtf8(rng, big ? 30000 : 300);
      const parts = rng.chance(0.5) ? [payload] : pieces(rng, payload, 8);
      parts.forEach((part, index) => {
        frames.push(frameBytes(rng, { opcode: index === 0 ? (binary ? 0x2 : 0x1) : 0x0, payload: part, fin: index === parts.length - 1 }, masked));
        if (index < parts.length - 1 && rng.chance(0.3)) control();
      });
    }
  }
  if (rng.chance(0.3)) frames.push(frameBytes(rng, { opcode: 0x8, payload: closePayload(rng) }, masked));
  return concat(...frames);
}

export const framesTarget: FuzzTarget = {
  name: 'frames',
  generate(rng) {
    const kind = rng.int(0, 9);
    if (kind === 0) return rng.bytes(rng.size(4096));
    const stream = validStream(rng, rng.chance(0.5));
    if (kind <= 2) return stream;
    return mutate(rng, stream);
  },
  check(input) {
    const h = hashBytes(input);
    const rng = new Rng(h);
    for (const role of ['server', 'client'] as Role[]) {
      const options: ConnectionOptions = {
        role,
        limits: (h & 3) === 0 ? smallLimits : undefined,
        frameEvents: (h & 4) !== 0,
        autoPong: (h & 8) === 0,
        maskKey: () => FIXED_MASK.slice(),
      };
      const codes = [1002, 1007, 1009];
      const whole = drive(options, split(input, [input.length]), codes);
      if (input.length <= 2048) sameTranscript(whole, drive(options, split(input, new Array(input.length).fill(1)), codes), `${role}, byte by byte`);
      for (let i = 0; i < 2; i++) {
        const sizes = chunking(rng, input.length);
        sameTranscript(whole, drive(options, split(input, sizes), codes), `${role}, chunks ${sizes.slice(0, 20).join(',')}${sizes.length > 20 ? ',…' : ''}`);
      }
    }
  },
  outcomes(input) {
    const as = (role: Role) => outcome(drive({ role, maskKey: () => FIXED_MASK.slice() }, [input], [1002, 1007, 1009]));
    return { server: as('server'), client: as('client') };
  },
};
