/** The engine's public surface: sans-I/O WebSocket (RFC 6455) with permessage-deflate (RFC 7692). */
export * from './constants';
export * from './errors';
export * from './buffers';
export * from './frame';
export * from './mask';
export * from './utf8';
export * from './close';
export * from './extensions';
export * from './deflate';
export * from './http';
export * from './handshake';
export * from './connection';
