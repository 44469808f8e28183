export { encodeRawFrame, repeatPayload, cryptoMaskSource, type RawFrameSpec, type EncodedFrame, type MaskSource } from './raw-frame';
export { chopOctets, planWrites, splitFrames, type OctetWrite } from './writes';
export { emptyWireCounters, countOctets, countFrame, type WireCounters, type Direction } from './stats';
export { hexPreview, payloadPreview, toHex, type PayloadPreview } from './log-preview';
export { octetsLines, txFrameLines, rxFrameLines, markerLine, pySeconds, pyBool, CONTINUATION_INDENT, type TxFrameFields, type RxFrameFields } from './log-lines';
export { wrapText } from './text-wrap';
