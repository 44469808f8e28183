"""Scripted client on python3-websockets 10.4, driven by the step language of ../steps.ts.

stdin: {"url", "steps", "options"}; stdout: one JSON PeerResult. Exit 0 even when the result
holds errors (they are data for the test); non-zero only if this script itself broke.
"""
import asyncio
import json
import ssl
import sys

import websockets
from websockets.exceptions import ConnectionClosed
from websockets.frames import OP_CLOSE, Close

from common import compression_kwargs, describe, payload_bytes


async def run(url, steps, options):
    timeout = options.get("timeoutMs", 10000) / 1000
    hex_limit = options.get("hexLimit", 65536)
    result = {"peer": "python", "opened": False, "extensions": "", "protocol": "",
              "messages": [], "pongs": [], "close": None, "errors": []}

    ssl_context = None
    if url.startswith("wss:"):
        ssl_context = ssl.create_default_context(cadata=options["ca"]) if options.get("ca") else ssl.create_default_context()
        if options.get("insecure"):
            ssl_context.check_hostname = False
            ssl_context.verify_mode = ssl.CERT_NONE

    try:
        ws = await asyncio.wait_for(websockets.connect(
            url,
            ssl=ssl_context,
            max_size=options.get("maxSize", 2**26),
            ping_interval=None,
            close_timeout=timeout,
            open_timeout=timeout,
            subprotocols=options.get("subprotocols") or None,
            **compression_kwargs(options.get("deflate"), server=False),
        ), timeout)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is reported as data
        result["errors"].append(f"connect: {type(exc).__name__}: {exc}")
        return result

    result["opened"] = True
    result["extensions"] = ws.response_headers.get("Sec-WebSocket-Extensions", "")
    result["protocol"] = ws.subprotocol or ""
    arrived = asyncio.Event()

    async def reader():
        try:
            async for message in ws:
                if isinstance(message, str):
                    result["messages"].append(describe("text", message.encode("utf-8"), hex_limit))
                else:
                    result["messages"].append(describe("binary", message, hex_limit))
                arrived.set()
        except ConnectionClosed:
            pass
        except Exception as exc:  # noqa: BLE001
            result["errors"].append(f"receive: {type(exc).__name__}: {exc}")

    reading = asyncio.create_task(reader())
    awaited = 0
    try:
        for i, step in enumerate(steps):
            op = step["op"]
            where = f"step {i} ({op})"
            bound = step.get("withinMs", timeout * 1000) / 1000 if op == "expect" else timeout
            try:
                if op == "send":
                    raw = payload_bytes(step["type"], step["data"])
                    await asyncio.wait_for(ws.send(raw.decode("utf-8") if step["type"] == "text" else raw), timeout)
                elif op == "expect":
                    awaited += step.get("count", 1)
                    loop = asyncio.get_running_loop()
                    deadline = loop.time() + bound
                    while len(result["messages"]) < awaited:
                        if reading.done():
                            raise RuntimeError(f"connection closed after {len(result['messages'])} of {awaited} messages")
                        arrived.clear()
                        remaining = deadline - loop.time()
                        if remaining <= 0:
                            raise asyncio.TimeoutError()
                        try:
                            await asyncio.wait_for(arrived.wait(), min(remaining, 0.1))
                        except asyncio.TimeoutError:
                            pass
                elif op == "ping":
                    raw = payload_bytes("binary", step["data"]) if step.get("data") else b""
                    waiter = await asyncio.wait_for(ws.ping(raw), timeout)
                    await asyncio.wait_for(waiter, timeout)
                    result["pongs"].append(raw.hex())
                elif op == "close":
                    if step.get("code") is None:
                        # websockets' close() always sends a code; an empty close frame needs the
                        # lower-level write (10.4 API), then the same wait as close().
                        await asyncio.wait_for(ws.write_close_frame(Close(1005, ""), b""), timeout)
                        await asyncio.wait_for(ws.wait_closed(), timeout)
                    else:
                        await asyncio.wait_for(ws.close(step["code"], step.get("reason", "")), timeout)
                elif op == "wait-close":
                    await asyncio.wait_for(ws.wait_closed(), timeout)
                elif op == "sleep":
                    await asyncio.sleep(step["ms"] / 1000)
                else:
                    raise ValueError(f"unknown op {op!r}")
            except asyncio.TimeoutError:
                result["errors"].append(f"{where}: timed out after {bound * 1000:.0f} ms")
                break
            except Exception as exc:  # noqa: BLE001
                result["errors"].append(f"{where}: {type(exc).__name__}: {exc}")
                break
    finally:
        if not ws.closed:
            try:
                await asyncio.wait_for(ws.close(1000), timeout)
            except Exception as exc:  # noqa: BLE001
                result["errors"].append(f"final close: {type(exc).__name__}: {exc}")
        try:
            await asyncio.wait_for(ws.wait_closed(), timeout)
        except asyncio.TimeoutError:
            result["errors"].append("final close: timed out")
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)

    result["close"] = {
        "code": ws.close_code,
        "reason": ws.close_reason,
        "wasClean": ws.close_rcvd is not None and ws.close_sent is not None,
    }
    return result


def main():
    job = json.load(sys.stdin)
    result = asyncio.run(run(job["url"], job["steps"], job.get("options", {})))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
