"""Echo server on python3-websockets 10.4: text back as text, binary back as binary.

argv[1] is a JSON object: {host, port, deflate, tls: {certPath, keyPath} | null, maxSize, subprotocols}.
stdout, one JSON object per line: {"event": "listening", "port": N} once ready, then
{"event": "open", ...} and {"event": "close", ...} per connection. Stops on SIGTERM/SIGINT.
"""
import asyncio
import json
import signal
import ssl
import sys

import websockets
from websockets.exceptions import ConnectionClosed

from common import compression_kwargs


def emit(obj):
    print(json.dumps(obj), flush=True)


async def main(config):
    counter = 0

    async def handler(ws):
        nonlocal counter
        counter += 1
        cid = counter
        emit({
            "event": "open",
            "id": cid,
            "path": ws.path,
            "requestHeaders": {k.lower(): v for k, v in ws.request_headers.raw_items()},
            "extensions": ws.response_headers.get("Sec-WebSocket-Extensions", ""),
            "protocol": ws.subprotocol or "",
        })
        try:
            async for message in ws:
                await ws.send(message)
        except ConnectionClosed:
            pass
        finally:
            await ws.wait_closed()
            emit({"event": "close", "id": cid, "code": ws.close_code, "reason": ws.close_reason})

    ssl_context = None
    if config.get("tls"):
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_context.load_cert_chain(config["tls"]["certPath"], config["tls"]["keyPath"])

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    async with websockets.serve(
        handler,
        config.get("host", "127.0.0.1"),
        config.get("port", 0),
        ssl=ssl_context,
        max_size=config.get("maxSize", 2**26),
        ping_interval=None,
        close_timeout=5,
        subprotocols=config.get("subprotocols") or None,
        **compression_kwargs(config.get("deflate"), server=True),
    ) as server:
        port = server.sockets[0].getsockname()[1]
        emit({"event": "listening", "port": port})
        await stop


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
