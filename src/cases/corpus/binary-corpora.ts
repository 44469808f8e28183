/**
 * Synthetic stand-ins for Autobahn's binary test files (lena512.bmp, a PDF paper): same format
 * and size, generated from fixed seeds with integer arithmetic only (no platform-dependent floats).
 */
import { concatBytes } from '../bytes';
import { createPrng, octetsOfSize } from './generate';

const SIDE = 512;
/** File header (14) + BITMAPINFOHEADER (40) + 256-entry grey palette (1024). */
const PIXEL_OFFSET = 14 + 40 + 256 * 4;

/**
 * A 512x512 8-bit greyscale BMP of smooth value noise plus a little grain: compresses like a
 * photograph rather than like text or random data.
 */
export function greyscaleBitmap(): Uint8Array {
  const size = PIXEL_OFFSET + SIDE * SIDE;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]); // "BM"
  view.setUint32(2, size, true);
  view.setUint32(10, PIXEL_OFFSET, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, SIDE, true);
  view.setInt32(22, SIDE, true);
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 8, true); // bits per pixel
  view.setUint32(34, SIDE * SIDE, true);
  view.setUint32(46, 256, true); // palette entries
  for (let grey = 0; grey < 256; grey++) out.set([grey, grey, grey, 0], 54 + grey * 4);

  const prng = createPrng(0x5eed0004);
  const cell = 32;
  const lattice = SIDE / cell + 1;
  const knots = Array.from({ length: lattice * lattice }, () => prng.below(256));
  for (let y = 0; y < SIDE; y++) {
    const row = Math.floor(y / cell) * lattice;
    const fy = y % cell;
    for (let x = 0; x < SIDE; x++) {
      const knot = row + Math.floor(x / cell);
      const fx = x % cell;
      // Bilinear interpolation between the four surrounding knots, in integers.
      const top = knots[knot] * (cell - fx) + knots[knot + 1] * fx;
      const bottom = knots[knot + lattice] * (cell - fx) + knots[knot + lattice + 1] * fx;
      const smooth = Math.floor((top * (cell - fy) + bottom * fy) / (cell * cell));
      out[PIXEL_OFFSET + y * SIDE + x] = Math.min(255, smooth + prng.below(8));
    }
  }
  return out;
}

const ascii = (text: string) => new TextEncoder().encode(text);
const PDF_WORDS = 'the protocol frame message server client close handshake extension deflate payload mask opcode fragment latency throughput'.split(' ');

/**
 * A PDF-like document of `size` octets: page content streams in plain text operators
 * (compressible) alternating with "FlateDecode" streams of random octets (incompressible), as in
 * a paper with embedded fonts and images.
 */
export function pdfDocument(size: number): Uint8Array {
  const prng = createPrng(0x5eed0005);
  const parts: Uint8Array[] = [];
  let length = 0;
  const push = (part: Uint8Array) => {
    parts.push(part);
    length += part.length;
  };
  for (let object = 1; length < size; object++) {
    if (object % 2 === 1) {
      const lines = Array.from({ length: 40 }, (_, i) => {
        const words = Array.from({ length: 8 }, () => prng.pick(PDF_WORDS)).join(' ');
        return `BT /F1 10 Tf 72 ${760 - i * 12} Td (${words}) Tj ET`;
      });
      const content = lines.join('\n');
      push(ascii(`${object} 0 obj\n<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\n`));
    } else {
      const data = new Uint8Array(2048 + prng.below(8192)).map(() => prng.below(256));
      push(ascii(`${object} 0 obj\n<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`));
      push(data);
      push(ascii('\nendstream\nendobj\n'));
    }
  }
  return octetsOfSize(size, ascii('%PDF-1.4\n'), concatBytes(...parts), ascii('\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'));
}
