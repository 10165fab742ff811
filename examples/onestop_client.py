"""An agency's one-stop software talking to the portal's API (/api/v1/).

A readable example, not a library: it gets a token (OAuth 2.0 client
credentials), pulls new and changed dossiers through the cursor feed,
receives one, asks for a supplement on another, completes a third with a
result file, and verifies a webhook's signature. Every write sends an
`Idempotency-Key`, kept across retries, so a retry never acts twice.

    python examples/onestop_client.py --base-url https://dichvucong.example.vn \\
        --client-id ID --client-secret SECRET [--cursor C] [--demo --result-file ket-qua.pdf]

Without --demo it only lists the new and changed dossiers and prints the
cursor to resume from. Needs `requests` (in the portal's requirements).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import time
import uuid
from pathlib import Path

import requests


class ApiError(Exception):
    """An RFC 9457 problem from the API."""

    def __init__(self, status: int, problem: dict):
        self.status, self.problem = status, problem
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")


class OneStopClient:
    def __init__(self, base_url: str, client_id: str, client_secret: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.credentials = (client_id, client_secret)
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "vi"
        self._token, self._token_expires = "", 0.0

    # ------------------------------------------------------------ token

    def token(self) -> str:
        """A bearer token from /o/token/ (HTTP Basic), renewed a minute before it expires."""
        if time.monotonic() > self._token_expires - 60:
            answer = self.http.post(f"{self.base_url}/o/token/", data={"grant_type": "client_credentials"},
                                    auth=self.credentials, timeout=self.timeout)
            answer.raise_for_status()
            body = answer.json()
            self._token, self._token_expires = body["access_token"], time.monotonic() + body["expires_in"]
        return self._token

    # ------------------------------------------------------------ calls

    def call(self, method: str, path: str, *, write: bool = False, attempts: int = 3, **kwargs):
        """One API call. A write gets an Idempotency-Key, the same one for
        every retry (a network error, a 5xx, or "still in progress")."""
        headers = {"Idempotency-Key": str(uuid.uuid4())} if write else {}
        for attempt in range(1, attempts + 1):
            headers["Authorization"] = f"Bearer {self.token()}"
            try:
                answer = self.http.request(method, f"{self.base_url}/api/v1{path}", headers=headers,
                                           timeout=self.timeout, **kwargs)
            except requests.ConnectionError:
                if attempt == attempts:
                    raise
                time.sleep(attempt)
                continue
            if (answer.status_code >= 500 or answer.status_code == 409 and answer.json().get("type", "").endswith(
                    "/idempotency-in-progress")) and attempt < attempts:
                time.sleep(attempt)
                continue
            if answer.status_code >= 400:
                raise ApiError(answer.status_code, answer.json())
            return answer.json()

    def changes(self, cursor: str | None = None, limit: int = 100):
        """Yield (dossier summary, cursor after it) for every new or changed
        dossier after `cursor`, page by page. Store the cursor once a dossier
        is safely in your own database."""
        while True:
            page = self.call("GET", "/dossiers", params={"limit": limit, **({"cursor": cursor} if cursor else {})})
            cursor = page["next_cursor"]
            for item in page["items"]:
                yield item, cursor
            if not page["has_more"]:
                return

    def dossier(self, code: str) -> dict:
        return self.call("GET", f"/dossiers/{code}")

    def acknowledge(self, code: str, reference: str) -> dict:
        return self.call("POST", f"/dossiers/{code}/acknowledge", write=True, json={"reference": reference})

    def act(self, code: str, action: str, **fields) -> dict:
        """A lifecycle action (receive, request_supplement, complete, …) with its fields."""
        return self.call("POST", f"/dossiers/{code}/actions/{action}", write=True, json=fields)

    def upload(self, code: str, path: Path, purpose: str = "result") -> str:
        """Upload a result (or supplement) file; returns its id for the action's `files`."""
        with path.open("rb") as handle:
            answer = self.call("POST", f"/dossiers/{code}/files", write=True, data={"purpose": purpose},
                               files={"file": (path.name, handle.read())})
        return answer["id"]


# ---------------------------------------------------------------- webhooks


def verify_webhook(secret: str, headers, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """True if a webhook delivery is genuine and fresh: `Webhook-Signature`
    holds `v1=<hex HMAC-SHA256>` (several, space-separated, while the secret
    is rotated) of "{Webhook-Id}.{Webhook-Timestamp}.{raw body}" with the
    endpoint's secret, and the timestamp is within `tolerance` seconds.
    Drop a delivery whose Webhook-Id you have already handled."""
    headers = {name.lower(): value for name, value in dict(headers).items()}
    event_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not event_id or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    signed = f"{event_id}.{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    given = headers.get("webhook-signature", "").replace(",", " ").split()
    return any(hmac.compare_digest(f"v1={expected}", candidate) for candidate in given)


# ---------------------------------------------------------------- the demo


def pull(client: OneStopClient, cursor: str | None) -> tuple[list[dict], str | None]:
    """Every new or changed dossier after `cursor` (printed, one a line), and the cursor after them."""
    items = []
    for item, after in client.changes(cursor):
        print(f"{item['code']}  {item['status']:<16} {item['procedure']['code']}  {item['applicant_name']}")
        items.append(item)
        cursor = after
    return items, cursor


def demo(client: OneStopClient, cursor: str | None, result_file: Path) -> str | None:
    """Take in every new dossier; with the first three submitted ones:
    receive the first, ask for a supplement on the second, complete the
    third with a result file. Returns the cursor to resume from."""
    items, cursor = pull(client, cursor)
    submitted = [item["code"] for item in items if item["status"] == "submitted"]
    if len(submitted) < 3:
        print(f"{len(submitted)} submitted dossier(s): the demo needs three.", file=sys.stderr)
        return cursor
    first, second, third = submitted[:3]
    for code in (first, second, third):
        client.acknowledge(code, reference=f"MC-{code}")
        client.act(code, "receive", note="Đã tiếp nhận vào phần mềm một cửa")
    print(f"received {first}, {second}, {third}")

    asked = client.act(second, "request_supplement", items=["Bản sao Căn cước công dân còn hạn"],
                       note="Đề nghị bổ sung trong hạn")
    print(f"supplement asked on {second}: {asked['dossier']['status']}")

    client.act(third, "start_processing")
    file_id = client.upload(third, result_file)
    done = client.act(third, "complete", result="Kết quả giải quyết thủ tục", files=[file_id])
    print(f"completed {third}: {done['dossier']['status']}, "
          f"documents {[d['form'] for d in done['documents']]}")
    return cursor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--cursor", help="resume the feed from here")
    parser.add_argument("--demo", action="store_true", help="receive, ask for a supplement, complete")
    parser.add_argument("--result-file", type=Path, help="the result file the demo uploads (a PDF)")
    args = parser.parse_args(argv)
    if args.demo and not args.result_file:
        parser.error("--demo needs --result-file")
    client = OneStopClient(args.base_url, args.client_id, args.client_secret)
    try:
        if args.demo:
            cursor = demo(client, args.cursor, args.result_file)
        else:
            _items, cursor = pull(client, args.cursor)
    except ApiError as error:
        print(json.dumps(error.problem, ensure_ascii=False), file=sys.stderr)
        return 1
    print(f"cursor: {cursor or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
