/**
 * The payload corpora of 12.x and 13.x. Autobahn slices its messages from five files shipped in
 * autobahntestsuite/testdata (a JSON report, a bitmap, Goethe's Faust from Project Gutenberg, an
 * HTML report, a PDF paper). We don't ship those files (licences): each corpus here is generated
 * deterministically from a fixed seed, with the same kind of content, the same size in octets and
 * the same text/binary flag, so the cases send the same message sizes and types and the section
 * titles stay Autobahn's. Compression ratios differ somewhat from Autobahn's.
 */
import { greyscaleBitmap, pdfDocument } from './binary-corpora';
import { faustText, reportHtml, reportJson } from './text-corpora';

export type CorpusName = 'json_data1' | 'lena512' | 'gutenberg_faust' | 'html_data1' | 'ooms';

export interface CorpusInfo {
  name: CorpusName;
  /** Autobahn's description of its file. */
  description: string;
  /** Sent as binary messages (and sliced by octet) or as text (sliced by character). */
  binary: boolean;
  /** Autobahn's file size in octets; ours is generated to match. */
  size: number;
}

/** In Autobahn's order of subsections 12.1-12.5. */
export const CORPORA: readonly CorpusInfo[] = [
  { name: 'json_data1', description: 'Large JSON data file', binary: false, size: 194056 },
  { name: 'lena512', description: 'Lena Picture, Bitmap 512x512 bw', binary: true, size: 263222 },
  { name: 'gutenberg_faust', description: "Human readable text, Goethe's Faust I (German)", binary: true, size: 222218 },
  { name: 'html_data1', description: 'Large HTML file', binary: false, size: 263647 },
  { name: 'ooms', description: 'A larger PDF', binary: true, size: 1042328 },
];

export interface Corpus extends CorpusInfo {
  octets: Uint8Array;
  /** The decoded text of text corpora. */
  text?: string;
}

function generate(info: CorpusInfo): Corpus {
  const encode = (text: string): Corpus => ({ ...info, octets: new TextEncoder().encode(text), text: info.binary ? undefined : text });
  switch (info.name) {
    case 'json_data1':
      return encode(reportJson(info.size));
    case 'html_data1':
      return encode(reportHtml(info.size));
    case 'gutenberg_faust':
      return encode(faustText(info.size));
    case 'lena512':
      return { ...info, octets: greyscaleBitmap() };
    case 'ooms':
      return { ...info, octets: pdfDocument(info.size) };
  }
}

// Generated once per process on first use: the output never varies, so caching can't change a result.
const generated = new Map<CorpusName, Corpus>();

export function loadCorpus(info: CorpusInfo): Corpus {
  let corpus = generated.get(info.name);
  if (!corpus) {
    corpus = generate(info);
    generated.set(info.name, corpus);
  }
  return corpus;
}
