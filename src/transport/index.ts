/** Sockets, TLS and timers: the only I/O below src/extension. */
export * from './client';
export * from './server';
export * from './websocket';
export * from './errors';
export * from './url';
export * from './deflate-codec';
export * from './self-signed';
export * from './raw-channel';
export * from './raw-server';
export * from './paced-send';
