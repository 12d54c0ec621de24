#!/usr/bin/env python3
"""What users run instead of paymand: the official Payman Python SDK (payman_sdk) called from a
loop. That package cannot be installed here, so this client does on the wire exactly what the
SDK does (see payman-protocol.md):

- one requests.Session per client;
- the token from POST {base}/oauth2/token?grant_type=client_credentials (the grant in the query
  string), HTTP Basic client credentials, an empty body; reused until 60 s before it expires;
- one JSON-RPC `tasks.send` POST per ask to {base}/a2a/tasks/send with the token in
  `x-payman-access-token`, a new request id and task id per ask, one session id per client,
  `params.metadata.timestamp`; the reply parsed as JSON and its status and artifacts read.

Load: ASKS asks at CONCURRENCY, one thread per concurrent caller, each thread with its own client
(and so its own Session and token), as SDK users write it.

Usage: payman_sdk_like.py --base-url URL --client-id ID --asks N --concurrency C --prompt TEXT
       (secret from PAYMAN_CLIENT_SECRET)
Prints one JSON line {"asks","ok","errors","concurrency","seconds","rate"}; exit 0 when every
ask completed, 1 otherwise.
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

# The wire client is the one the sandbox's interoperability test uses (tests/interop), so the
# baseline and that test speak exactly the same protocol.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "interop"))
from sdk_client import PaymanClient as WireClient  # noqa: E402


class PaymanClient(WireClient):
    """The SDK's PaymanClient.with_credentials(...).ask(text): the shared wire client, plus
    the reply reading the SDK does before it hands the task back."""

    def ask(self, text):
        result = super().ask(text)
        texts = [
            part.get("text", "")
            for artifact in result.get("artifacts") or []
            for part in artifact.get("parts") or []
            if part.get("type") == "text"
        ]
        return result["status"]["state"].lower(), "\n".join(texts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--asks", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--prompt", required=True)
    args = parser.parse_args()
    secret = os.environ.get("PAYMAN_CLIENT_SECRET")
    if not secret:
        print("payman_sdk_like.py: PAYMAN_CLIENT_SECRET is not set", file=sys.stderr)
        return 2
    if args.asks < 1 or not 1 <= args.concurrency <= 1024:
        print("payman_sdk_like.py: bad --asks or --concurrency", file=sys.stderr)
        return 2

    lock = threading.Lock()
    counts = {"next": 0, "ok": 0, "errors": 0}
    first_error = []

    def caller():
        client = PaymanClient(args.base_url, args.client_id, secret)
        while True:
            with lock:
                if counts["next"] >= args.asks:
                    return
                counts["next"] += 1
            try:
                state, _ = client.ask(args.prompt)
                ok = state == "completed"
                error = None if ok else f"task state {state}"
            except Exception as e:  # a failed ask is counted, the loop goes on
                ok, error = False, str(e)
            with lock:
                if ok:
                    counts["ok"] += 1
                else:
                    counts["errors"] += 1
                    if not first_error:
                        first_error.append(error)

    start = time.monotonic()
    threads = [threading.Thread(target=caller) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    print(
        json.dumps(
            {
                "asks": args.asks,
                "ok": counts["ok"],
                "errors": counts["errors"],
                "concurrency": args.concurrency,
                "seconds": round(seconds, 6),
                "rate": round(counts["ok"] / seconds, 1),
            }
        )
    )
    if counts["errors"]:
        print(f"payman_sdk_like.py: {counts['errors']} failed; first: {first_error[0]}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
