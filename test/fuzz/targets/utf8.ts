/**
 * The incremental UTF-8 validator, differentially: on complete inputs against Buffer.isUtf8 and
 * TextDecoder({fatal: true}); on random splits chunk by chunk against a streaming fatal
 * TextDecoder, which (per the WHATWG decoder) throws at the first byte that cannot continue
 * valid UTF-8, exactly when Utf8Validator.feed must return false.
 */
import { isUtf8 } from 'node:buffer';
import { Utf8Validator, isValidUtf8 } from '../../../src/engine';
import type { FuzzTarget } from '../harness';
import { mutate } from '../mutate';
import { Rng, chunking, hashBytes, split } from '../random';
import { randomUtf8 } from './gen';

/** Sequences that are invalid in the ways the RFC 3629 table forbids. */
const badBits = [[0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xfe], [0x80], [0xbf], [0xe1, 0x80], [0xf1, 0x80, 0x80]];

function textDecoderValid(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function validatorWhole(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.feed(bytes) && v.finish();
}

function checkSplit(input: Uint8Array, sizes: number[], reference: boolean, what: string): void {
  const validator = new Utf8Validator();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunks = split(input, sizes);
  let offset = 0;
  for (const chunk of chunks) {
    let expected = true;
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      expected = false;
    }
    const got = validator.feed(chunk);
    if (got !== expected) throw new Error(`${what}: feed() gave ${got}, a streaming TextDecoder ${expected}, for the chunk at ${offset}..${offset + chunk.length}`);
    if (!got) return;
    offset += chunk.length;
  }
  const finished = validator.finish();
  if (finished !== reference) throw new Error(`${what}: every chunk passed, finish() gave ${finished} but the whole input is ${reference ? 'valid' : 'invalid'}`);
  if (!validator.atBoundary) throw new Error(`${what}: finish() did not reset the validator`);
}

export const utf8Target: FuzzTarget = {
  name: 'utf8',
  generate(rng) {
    const kind = rng.int(0, 5);
    if (kind === 0) return rng.bytes(rng.size(300));
    let text = randomUtf8(rng, 400);
    if (kind === 1) return text;
    if (kind === 2) {
      // A long ASCII run (the native fast path) with a bad sequence at a random place.
      const bad = Uint8Array.from(rng.pick(badBits));
      const out = new Uint8Array(rng.int(0, 5000) + bad.length).fill(0x61);
      out.set(bad, rng.int(0, out.length - bad.length));
      return out;
    }
    if (kind === 3) {
      const bad = Uint8Array.from(rng.pick(badBits));
      const at = rng.int(0, text.length);
      const out = new Uint8Array(text.length + bad.length);
      out.set(text.subarray(0, at));
      out.set(bad, at);
      out.set(text.subarray(at), at + bad.length);
      return out;
    }
    if (kind === 4) text = text.subarray(0, rng.int(0, text.length)); // may end inside a sequence
    return mutate(rng, text, rng.int(1, 3), 1 << 16);
  },
  check(input) {
    const reference = textDecoderValid(input);
    if (isUtf8(input) !== reference) throw new Error(`Buffer.isUtf8 says ${!reference}, TextDecoder ${reference}`);
    if (isValidUtf8(input) !== reference) throw new Error(`isValidUtf8 says ${!reference}, TextDecoder ${reference}`);
    if (validatorWhole(input) !== reference) throw new Error(`Utf8Validator on the whole input says ${!reference}, TextDecoder ${reference}`);
    if (input.length <= 4096) checkSplit(input, new Array(input.length).fill(1), reference, 'byte by byte');
    const rng = new Rng(hashBytes(input));
    for (let i = 0; i < 3; i++) checkSplit(input, chunking(rng, input.length), reference, `split ${i}`);
  },
};
