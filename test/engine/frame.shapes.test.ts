/**
 * V8 shapes on the receive path. A field's representation (small integer or double) is part of
 * its object's map: when a field that has only held small integers gets a double, V8 makes a new
 * map and throws away every optimized function that relied on the old one. In a server that
 * had run for a while on small messages, the first frame of 64 KiB or more (the first with a
 * 64-bit length) did that to the whole receive path, which ran in V8's slower tiers until
 * recompiled. A file of its own: a process in which no other test has shaped these objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { FrameParser, encodeFrame, type FrameHeader, type FrameSink } from '../../src/engine/frame';
import { Opcode } from '../../src/engine/constants';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

test('a 64-bit length that fits in 32 bits leaves the parser and its header in the shape a 16-bit length gives them', () => {
  const headers: FrameHeader[] = [];
  const sink: FrameSink = { onFrameHeader: (header) => void headers.push(header), onFramePayload() {}, onFrameEnd() {} };
  const parserFor = (length: number) => {
    const parser = new FrameParser(sink, { expectMasked: false, allowedRsv: 0, maxFrameSize: 1 << 30 });
    // Only the header: the parser then holds the length still to come in `remaining`.
    parser.push(encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(length) })[0]);
    return parser;
  };
  const sixteenBit = parserFor(1000);
  const sixtyFourBit = parserFor(65536);
  assert.equal(headers[1].length, 65536);
  assert.ok(haveSameMap(sixteenBit, sixtyFourBit), 'the parser changed shape on a 64-bit length');
  assert.ok(haveSameMap(headers[0], headers[1]), 'the frame header changed shape on a 64-bit length');
});
