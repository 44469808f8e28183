/** Every fuzz target, by name. */
import type { FuzzTarget } from '../harness';
import { deflateTarget } from './deflate';
import { framesTarget } from './frames';
import { handshakeTarget } from './handshake';
import { utf8Target } from './utf8';

export const fuzzTargets: readonly FuzzTarget[] = [framesTarget, handshakeTarget, deflateTarget, utf8Target];
