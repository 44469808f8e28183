"""Shared by echo_server.py and client.py: payloads (the step language's `fill`) and deflate set-up.

Run with Debian's /usr/bin/python3 and python3-websockets 10.4 (see scripts/setup-peers.sh).
"""
import hashlib

from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)

FILL_PERIOD = 65521
_TEXT_TABLE = bytes(0x20 + (b % 95) for b in range(256))


def fill_bytes(length, seed=1, text=False):
    """Same algorithm as fillBytes() in ../steps.ts: LCG block of min(length, 65521) bytes, repeated."""
    block = bytearray(min(length, FILL_PERIOD))
    x = seed & 0x7FFFFFFF
    for i in range(len(block)):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        block[i] = (x >> 16) & 0xFF
    data = bytes(block)
    if text:
        data = data.translate(_TEXT_TABLE)
    if length > len(block):
        data = (data * (length // len(block) + 1))[:length]
    return data


def payload_bytes(kind, data):
    if "text" in data:
        return data["text"].encode("utf-8")
    if "hex" in data:
        return bytes.fromhex(data["hex"])
    return fill_bytes(data["fill"], data.get("seed", 1), kind == "text")


def describe(kind, raw, hex_limit):
    message = {"type": kind, "length": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    if len(raw) <= hex_limit:
        message["hex"] = raw.hex()
    return message


def compression_kwargs(deflate, server):
    """Maps the harness's `deflate` option to websockets.serve()/connect() keyword arguments.

    False/None: no permessage-deflate; True: the library default; a dict: explicit parameters.
    """
    if not deflate:
        return {"compression": None}
    if deflate is True:
        return {"compression": "deflate"}
    kwargs = dict(
        server_no_context_takeover=bool(deflate.get("serverNoContextTakeover", False)),
        client_no_context_takeover=bool(deflate.get("clientNoContextTakeover", False)),
        server_max_window_bits=deflate.get("serverMaxWindowBits"),
        client_max_window_bits=deflate.get("clientMaxWindowBits"),
    )
    factory = ServerPerMessageDeflateFactory if server else ClientPerMessageDeflateFactory
    return {"compression": None, "extensions": [factory(**kwargs)]}
