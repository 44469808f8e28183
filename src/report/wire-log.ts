/**
 * The numbered "Wire Log" section: each entry's lines plus the colour class Autobahn gives it
 * (sync writes and chopped or sync frames get their own colour).
 */
import type { WireLogEntry } from '../cases/result';
import { markerLine, octetsLines, pySeconds, rxFrameLines, txFrameLines } from '../wire/log-lines';

export interface WireLogRow {
  cssClass: string;
  lines: string[];
}

export function wireLogRows(entries: WireLogEntry[]): WireLogRow[] {
  return entries.map((entry, index) => wireLogRow(entry, index));
}

function wireLogRow(entry: WireLogEntry, index: number): WireLogRow {
  switch (entry.kind) {
    case 'tx-octets':
      return { cssClass: entry.sync ? 'wirelog_tx_octets_sync' : 'wirelog_tx_octets', lines: octetsLines(index, 'TX', entry.data) };
    case 'rx-octets':
      return { cssClass: 'wirelog_rx_octets', lines: octetsLines(index, 'RX', entry.data) };
    case 'tx-frame': {
      const cssClass = entry.sync || entry.chopSize !== null ? 'wirelog_tx_frame_sync' : 'wirelog_tx_frame';
      return { cssClass, lines: txFrameLines(index, entry) };
    }
    case 'rx-frame':
      return { cssClass: 'wirelog_rx_frame', lines: rxFrameLines(index, entry) };
    case 'delay':
      return marker('wirelog_delay', index, `DELAY ${pySeconds(entry.seconds)} sec for TAG ${entry.tag ?? 'None'}`);
    case 'delay-timeout':
      return marker('wirelog_delay', index, `DELAY TIMEOUT on TAG ${entry.tag ?? 'None'}`);
    case 'wirelog-mode':
      return marker('wirelog_delay', index, entry.enabled ? 'WIRELOG ENABLED' : 'WIRELOG DISABLED');
    case 'kill-after':
      return marker('wirelog_kill_after', index, `FAIL CONNECTION AFTER ${pySeconds(entry.seconds)} sec`);
    case 'failing-connection':
      return marker('wirelog_kill_after', index, 'FAILING CONNECTION');
    case 'close-connection-after':
      return marker('wirelog_kill_after', index, `CLOSE CONNECTION AFTER ${pySeconds(entry.seconds)} sec`);
    case 'closing-connection':
      return marker('wirelog_kill_after', index, 'CLOSING CONNECTION');
    case 'tcp-dropped-by-me':
      return marker('wirelog_tcp_closed_by_me', index, 'TCP DROPPED BY ME');
    case 'tcp-dropped-by-peer':
      return marker('wirelog_tcp_closed_by_peer', index, 'TCP DROPPED BY PEER');
  }
}

/** Autobahn's `createWirelog`: false when the case switched the wire log off and left it off. */
export function wirelogEnabledAtEnd(entries: WireLogEntry[]): boolean {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry.kind === 'wirelog-mode') return entry.enabled;
  }
  return true;
}

/** Autobahn's notice above a wire log that ends switched off. */
export const WIRELOG_DISABLED_NOTICE = 'Wire log after handshake disabled!';

function marker(cssClass: string, index: number, text: string): WireLogRow {
  return { cssClass, lines: [markerLine(index, text)] };
}
