#!/usr/bin/env python3
"""Drives headless Chromium through the class board page (netlab class serve), as a test judge
and to take a screenshot of the board.

    board-browser.py URL SCREENSHOT.png [--wait-for TEXT]

Opens URL in headless Chromium (Debian `chromium`), talking to it over the DevTools protocol
(Python `websockets`, Debian `python3-websockets`). Prints `LIVE` once the page has drawn its
first snapshot from the server-sent events. With --wait-for, it then waits (up to 30 s) until
TEXT is on the page, and checks that the page was not reloaded to show it (a mark set on the
first page survives); prints `SEEN`. Then it saves a screenshot and exits 0. Any failure: a
line starting `FAIL` and exit 1. Every wait is bounded; Chromium is killed on the way out.
"""
import asyncio
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets


class Failure(Exception):
    pass


def fail(why):
    raise Failure(why)


async def drive(url, screenshot, wait_for):
    profile = tempfile.mkdtemp(prefix="netlab-board-chromium-")
    browser = subprocess.Popen(
        ["chromium", "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "--window-size=1200,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        endpoint = None
        deadline = time.monotonic() + 30
        while endpoint is None and time.monotonic() < deadline:
            line = browser.stderr.readline().decode(errors="replace")
            if not line and browser.poll() is not None:
                fail("chromium exited before it listened")
            if "DevTools listening on " in line:
                endpoint = line.split("DevTools listening on ", 1)[1].strip()
        if endpoint is None:
            fail("chromium did not start within 30 s")
        port = endpoint.split(":")[2].split("/")[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(page["webSocketDebuggerUrl"], max_size=64 << 20, open_timeout=10) as ws:
            counter = 0

            async def call(method, **params):
                nonlocal counter
                counter += 1
                await ws.send(json.dumps({"id": counter, "method": method, "params": params}))
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if message.get("id") == counter:
                        if "error" in message:
                            fail(f"{method}: {message['error']}")
                        return message.get("result", {})
                    if message.get("method") == "Runtime.exceptionThrown":
                        fail("the page threw: " + json.dumps(message["params"]["exceptionDetails"])[:300])

            async def evaluate(expression):
                result = await call("Runtime.evaluate", expression=expression, returnByValue=True)
                return result.get("result", {}).get("value")

            async def until(expression, seconds, what):
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    if await evaluate(expression):
                        return
                    await asyncio.sleep(0.1)
                fail(f"{what} within {seconds} s")

            await call("Runtime.enable")
            await call("Page.enable")
            await call("Page.navigate", url=url)
            await until("document.getElementById('status') && document.getElementById('status').className === 'live'", 30,
                        "the page did not go live")
            await evaluate("window.netlabFirstPage = true")
            print("LIVE", flush=True)
            if wait_for is not None:
                await until(f"document.body.innerText.includes({json.dumps(wait_for)})", 30, f"{wait_for!r} did not appear")
                if not await evaluate("window.netlabFirstPage === true"):
                    fail("the page was reloaded to show it")
                print("SEEN", flush=True)
            shot = await call("Page.captureScreenshot", format="png")
            with open(screenshot, "wb") as out:
                out.write(base64.b64decode(shot["data"]))
    finally:
        browser.kill()
        browser.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def main():
    args = sys.argv[1:]
    wait_for = None
    if "--wait-for" in args:
        i = args.index("--wait-for")
        wait_for = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(asyncio.wait_for(drive(args[0], args[1], wait_for), 120))
    except Failure as failure:
        print(f"FAIL {failure}", flush=True)
        sys.exit(1)
    except (asyncio.TimeoutError, OSError, websockets.WebSocketException) as error:
        print(f"FAIL {type(error).__name__}: {error}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
