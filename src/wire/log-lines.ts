/**
 * The text of one wire log entry as Autobahn's case report prints it: "NNN PREFIX: value" with
 * every value wrapped at 100 characters and continuation lines indented under the value.
 * Entries that print nothing (empty octets, empty payloads) still use up their number.
 */
import { hexPreview, payloadPreview, toHex } from './log-preview';
import { wrapText } from './text-wrap';

const WRAP_WIDTH = 100;
/** Autobahn indents continuation lines by 2 + 4 + len(prefix), prefixes being 9 characters wide. */
export const CONTINUATION_INDENT = ' '.repeat(15);

export interface TxFrameFields {
  opcode: number;
  fin: boolean;
  rsv: number;
  /** Length of the payload as given, before any repeat. */
  payloadLen: number;
  mask: Uint8Array | null;
  payloadRepeatLen: number | null;
  chopSize: number | null;
  sync: boolean;
  payload: Uint8Array;
}

export interface RxFrameFields {
  opcode: number;
  fin: boolean;
  rsv: number;
  payloadLen: number;
  masked: boolean;
  mask: Uint8Array | null;
  payload: Uint8Array;
}

/** "000 TX OCTETS: 474554…" and its continuation lines; nothing for zero octets. */
export function octetsLines(index: number, direction: 'TX' | 'RX', data: Uint8Array): string[] {
  const [first, ...rest] = wrapText(hexPreview(data), WRAP_WIDTH);
  if (first === undefined) return [];
  return [`${entryNumber(index)} ${direction} OCTETS: ${first}`, ...rest.map((line) => CONTINUATION_INDENT + line)];
}

export function txFrameLines(index: number, frame: TxFrameFields): string[] {
  const header =
    `OPCODE=${frame.opcode}, FIN=${pyBool(frame.fin)}, RSV=${frame.rsv}, PAYLOAD-LEN=${frame.payloadLen}, ` +
    `MASK=${frame.mask ? toHex(frame.mask) : 'None'}, PAYLOAD-REPEAT-LEN=${frame.payloadRepeatLen ?? 'None'}, ` +
    `CHOPSIZE=${frame.chopSize ?? 'None'}, SYNC=${pyBool(frame.sync)}`;
  return [`${entryNumber(index)} TX FRAME : ${header}`, ...payloadLines(frame.payload)];
}

export function rxFrameLines(index: number, frame: RxFrameFields): string[] {
  const header =
    `OPCODE=${frame.opcode}, FIN=${pyBool(frame.fin)}, RSV=${frame.rsv}, PAYLOAD-LEN=${frame.payloadLen}, ` +
    `MASKED=${pyBool(frame.masked)}, MASK=${frame.mask ? toHex(frame.mask) : 'None'}`;
  return [`${entryNumber(index)} RX FRAME : ${header}`, ...payloadLines(frame.payload)];
}

/** A one-line entry such as "006 DELAY 1.000000 sec for TAG None". */
export function markerLine(index: number, text: string): string {
  return `${entryNumber(index)} ${text}`;
}

/** Python's "%f": six decimals. */
export function pySeconds(seconds: number): string {
  return seconds.toFixed(6);
}

export function pyBool(value: boolean): string {
  return value ? 'True' : 'False';
}

function payloadLines(payload: Uint8Array): string[] {
  return wrapText(payloadPreview(payload).value, WRAP_WIDTH).map((line) => CONTINUATION_INDENT + line);
}

function entryNumber(index: number): string {
  return String(index).padStart(3, '0');
}
