#!/usr/bin/env python3
"""A Payman client that speaks exactly as the official Python SDK (payman_sdk) does.

On the wire: a requests.Session; the token from POST {base}/oauth2/token with the grant in
the query string (?grant_type=client_credentials) and HTTP Basic client credentials, an
empty body; then one JSON-RPC `tasks.send` POST per ask to {base}/a2a/tasks/send with the
token in `x-payman-access-token`, new task and request ids per ask, one session id per
client. Used by the sandbox's interoperability test; it runs the seed examples from Payman's
docs and prints each reply.

Usage: sdk_client.py BASE_URL CLIENT_ID CLIENT_SECRET PAYEE_NAME PAYEE_EMAIL
Exit status 0 when every ask completed and the payment went through.
"""

import sys
import time
import uuid
from datetime import datetime, timezone

import requests


class PaymanClient:
    def __init__(self, base_url, client_id, client_secret):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.session = requests.Session()
        self.session_id = f"ses-{uuid.uuid4()}"
        self.token = None
        self.expires_at = 0.0

    def get_access_token(self):
        # Reused until 60 s before it expires, as the SDK does.
        if self.token and time.time() < self.expires_at - 60:
            return self.token
        response = self.session.post(
            f"{self.base_url}/oauth2/token",
            params={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        self.token = body.get("accessToken") or body.get("access_token")
        expires_in = body.get("expiresIn") or body.get("expires_in") or 0
        self.expires_at = time.time() + float(expires_in)
        return self.token

    def ask(self, text):
        request = {
            "jsonrpc": "2.0",
            "id": f"req-{uuid.uuid4()}",
            "method": "tasks.send",
            "params": {
                "id": f"tsk-{uuid.uuid4()}",
                "sessionId": self.session_id,
                "message": {
                    "role": "user",
                    "parts": [{"type": "text", "text": text, "metadata": None}],
                    "metadata": None,
                },
                "metadata": {
                    "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z")
                },
            },
        }
        response = self.session.post(
            f"{self.base_url}/a2a/tasks/send",
            json=request,
            headers={"x-payman-access-token": self.get_access_token()},
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            raise RuntimeError(f"JSON-RPC error {body['error'].get('code')}")
        return body["result"]


def reply_text(result):
    texts = []
    for artifact in result.get("artifacts") or []:
        for part in artifact.get("parts") or []:
            if part.get("type") == "text":
                texts.append(part.get("text", ""))
    return "\n".join(texts)


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    base_url, client_id, secret, payee, email = argv[1:]
    client = PaymanClient(base_url, client_id, secret)
    ok = True
    for prompt in (
        "list all wallets and their balances",
        f"create a new payee named {payee} with email {email}",
        f"send 100 TSD to {payee}",
        "show my last 5 transactions",
    ):
        result = client.ask(prompt)
        state = result["status"]["state"].lower()
        text = reply_text(result)
        print(f"> {prompt}\n[{state}]\n{text}\n")
        if state != "completed" or not text:
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
