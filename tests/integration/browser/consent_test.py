#!/usr/bin/python3
"""`paymand auth login` completed in a real browser (Debian's chromium, headless, driven by
chromedriver through python3-selenium) against payman-sandbox, then the daemon pays from the
grant with the sandbox's ledger as the witness.

Cases: Approve, then two payments in two processes (a restart) each renewing the grant (a
rotation); the running daemon paying a rule every (accelerated) minute across several
rotations and a restart; --no-listen; Deny; a forged state; a timeout; a revoked refresh
token. Screenshots of the consent page and
the final page go to --out.

Run by ctest (label integration):
  /usr/bin/python3 consent_test.py --paymand PATH --sandbox PATH --crashpoints PATH --out DIR
A missing browser is a failure, not a skip: scripts/setup installs chromium, chromium-driver and
python3-selenium.
"""

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

ARGS = None
SANDBOX = None
BROWSER = None

CLIENT_ID = "pm-test-client"
CLIENT_SECRET = "test-secret-123"
DEADLINE = 30  # seconds for any one wait

SANDBOX_CONFIG = """listen: 127.0.0.1:0
clients:
  - id: pm-test-client
    secret: test-secret-123
    name: Household Rent Robot
    purpose: Pays the flat's monthly rent from your Payman wallet
    scopes: read_balance,read_list_wallets,read_list_payees,read_list_transactions,write_send_payment
    redirect_uris: ["http://127.0.0.1/callback"]
  - id: pm-test-short
    secret: test-secret-123
    name: Household Rent Robot
    purpose: Pays the flat's monthly rent from your Payman wallet
    token_lifetime: 62          # renewed 60 s before expiry: a rotation every 2 s of use
    redirect_uris: ["http://127.0.0.1/callback"]
default_wallet: Household
wallets:
  - name: Household
    currency: TSD
    balance: "1000.00"
payees:
  - name: John Doe
    email: john.doe@example.com
"""

RULES = """rules:
  - id: rent-john
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 120.00}
  - id: rent-garage
    schedule: monthly on day 2 at 09:00
    pay: {payee: John Doe, amount: 30.00}
"""


def wait_for(condition, what, timeout=DEADLINE):
    """Polls `condition` until it returns something true, or fails naming `what`."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Sandbox:
    def __init__(self, workdir):
        config = os.path.join(workdir, "sandbox.yaml")
        with open(config, "w") as f:
            f.write(SANDBOX_CONFIG)
        self.url_file = os.path.join(workdir, "sandbox.url")
        self.admin_file = os.path.join(workdir, "sandbox.admin")
        for stale in (self.url_file, self.admin_file):  # a previous run's
            if os.path.exists(stale):
                os.remove(stale)
        self.log = open(os.path.join(workdir, "sandbox.log"), "w")
        self.proc = subprocess.Popen(
            [ARGS.sandbox, "--config", config, "--url-file", self.url_file, "--admin",
             "--admin-url-file", self.admin_file],
            stdout=self.log, stderr=subprocess.STDOUT)

        def read(path):
            try:
                with open(path) as f:
                    text = f.read()
                return text.strip() if text.endswith("\n") else None
            except FileNotFoundError:
                return None
        self.base_url = wait_for(lambda: read(self.url_file), "the sandbox's URL file")
        self.admin_url = wait_for(lambda: read(self.admin_file), "the sandbox's admin URL file")

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.loads(res.read() or b"{}")

    def payments(self):
        return [(t["payee"], t["amount"]) for t in self.admin("GET", "/admin/ledger")["transactions"]]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def start_browser():
    # Imported here so that a missing python3-selenium fails the test with the fix named.
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=900,760", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def setUpModule():
    global SANDBOX, BROWSER
    missing = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not os.path.exists(p)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing:
        raise AssertionError("the browser test needs " + ", ".join(missing) +
                             ": run scripts/setup (it installs chromium, chromium-driver and "
                             "python3-selenium)")
    os.makedirs(ARGS.out, exist_ok=True)
    SANDBOX = Sandbox(ARGS.out)
    BROWSER = start_browser()
    BROWSER.set_page_load_timeout(DEADLINE)


def tearDownModule():
    if BROWSER is not None:
        BROWSER.quit()
    if SANDBOX is not None:
        SANDBOX.stop()


class Paymand:
    """One operator's setup: configuration, rules, secret file, state directory."""

    def __init__(self, workdir, client_id=CLIENT_ID, rules=RULES):
        self.dir = workdir
        os.makedirs(os.path.join(workdir, "rules"))
        with open(os.path.join(workdir, "rules", "rent.yaml"), "w") as f:
            f.write(rules)
        secret = os.path.join(workdir, "client-secret")
        with open(secret, "w") as f:
            f.write(CLIENT_SECRET)
        os.chmod(secret, 0o600)
        self.config = os.path.join(workdir, "paymand.yaml")
        with open(self.config, "w") as f:
            f.write(f"""payman:
  base_url: {SANDBOX.base_url}
  client_id: {client_id}
  client_secret: {{file: client-secret}}
  grant: authorization_code
  pkce: true
rules_directory: rules
state_directory: state
timezone: Europe/Berlin
min_pay_interval: 1m
payees: [John Doe]
limits:
  currencies:
    TSD: {{per_transaction: 500.00, daily: 1000.00, monthly: 3000.00}}
engine:
  retry: {{max_attempts: 1}}
""")
        os.chmod(self.config, 0o600)
        self.state = os.path.join(workdir, "state")
        self.grant_file = os.path.join(self.state, "grant.json")
        self.outputs = []

    def run(self, *args, stdin=None):
        res = subprocess.run([ARGS.paymand, *args, "--config", self.config], cwd=self.dir,
                             capture_output=True, text=True, timeout=DEADLINE, input=stdin)
        self.outputs.append(res.stdout + res.stderr)
        return res

    def start_login(self, *extra, timeout=DEADLINE):
        """Starts `auth login`; returns the process and the consent URL it printed."""
        proc = subprocess.Popen(
            [ARGS.paymand, "auth", "login", "--config", self.config, "--no-browser",
             "--timeout", str(timeout), *extra],
            cwd=self.dir, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        url = None
        lines = []
        until = time.monotonic() + DEADLINE
        while url is None and time.monotonic() < until:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.match(r"\s+(http://127\.0\.0\.1:\d+/api/oauth/authorize\?\S+)$", line)
            if m:
                url = m.group(1)
        if url is None:
            proc.kill()
            raise AssertionError("auth login printed no consent URL: " + "".join(lines) +
                                 proc.stderr.read())
        return proc, url, lines

    def finish_login(self, proc, lines, pasted=None):
        out, err = proc.communicate(input=pasted, timeout=DEADLINE)
        text = "".join(lines) + out + err
        self.outputs.append(text)
        return proc.returncode, text

    def audit(self):
        path = os.path.join(self.state, "audit.jsonl")
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def grant(self):
        with open(self.grant_file) as f:
            return json.load(f)


class consent_in_a_browser(unittest.TestCase):
    def setUp(self):
        SANDBOX.admin("POST", "/admin/reset")
        self.tmp = tempfile.mkdtemp(prefix="paymand-browser-")
        self.p = Paymand(self.tmp)

    def tearDown(self):
        if not os.environ.get("PAYMAND_KEEP_TEST_DIRS"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def consent_page(self, url, screenshot=None):
        from selenium.webdriver.common.by import By
        BROWSER.get(url)
        heading = BROWSER.find_element(By.ID, "app-name").text
        self.assertIn("Household Rent Robot", heading)
        page = BROWSER.find_element(By.TAG_NAME, "body").text
        self.assertIn("Pays the flat's monthly rent", page)
        self.assertIn("Send money from your wallets to your payees", page)
        self.assertIn("Household (household-tsd, TSD)", page)
        if screenshot:
            BROWSER.save_screenshot(os.path.join(ARGS.out, screenshot))
        return By

    def approve(self, screenshots=False):
        proc, url, lines = self.p.start_login()
        By = self.consent_page(url, "consent.png" if screenshots else None)
        BROWSER.find_element(By.ID, "approve").click()
        wait_for(lambda: "paymand may now act for you" in BROWSER.title,
                 "the loopback page after Approve (title: %r)" % BROWSER.title)
        self.assertIn("You can close this window", BROWSER.find_element(By.TAG_NAME, "body").text)
        if screenshots:
            BROWSER.save_screenshot(os.path.join(ARGS.out, "final.png"))
        code, text = self.p.finish_login(proc, lines)
        self.assertEqual(code, 0, text)
        return text

    def assert_token_never_shown(self):
        token = self.p.grant()["refresh_token"]
        for output in self.p.outputs:
            self.assertNotIn(token, output)
        with open(os.path.join(self.p.state, "audit.jsonl")) as f:
            self.assertNotIn(token, f.read())

    def test_approve_then_the_daemon_pays_across_a_restart_and_a_rotation(self):
        self.approve(screenshots=True)
        mode = stat.S_IMODE(os.stat(self.p.grant_file).st_mode)
        self.assertEqual(mode, 0o600)
        made = [r for r in self.p.audit() if r["type"] == "grant"]
        self.assertEqual([(r["event"], r["rotation"]) for r in made], [("made", 0)])
        self.assertIn("write_send_payment", made[0]["scopes"])
        first_token = self.p.grant()["refresh_token"]

        status = self.p.run("auth", "status")
        self.assertEqual(status.returncode, 0, status.stdout + status.stderr)
        self.assertIn("state: valid", status.stdout)

        # First process: renews the grant (rotation 1), stores it, pays.
        first = self.p.run("trigger", "rent-john")
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(SANDBOX.payments(), [("John Doe", "120.00")])
        self.assertEqual(self.p.grant()["rotations"], 1)
        self.assertNotEqual(self.p.grant()["refresh_token"], first_token)

        # Second process (a restart): works only with the rotated token, which it rotates again.
        second = self.p.run("trigger", "rent-garage")
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(SANDBOX.payments(), [("John Doe", "120.00"), ("John Doe", "30.00")])
        self.assertEqual(self.p.grant()["rotations"], 2)
        rotations = [r["rotation"] for r in self.p.audit()
                     if r["type"] == "grant" and r["event"] == "rotated"]
        self.assertEqual(rotations, [1, 2])
        self.assert_token_never_shown()

    def test_deny_stores_nothing(self):
        proc, url, lines = self.p.start_login()
        By = self.consent_page(url)
        BROWSER.find_element(By.ID, "deny").click()
        wait_for(lambda: "Login failed" in BROWSER.title, "the loopback page after Deny")
        self.assertIn("denied", BROWSER.find_element(By.TAG_NAME, "body").text)
        code, text = self.p.finish_login(proc, lines)
        self.assertEqual(code, 3, text)
        self.assertIn("access was denied on the consent page", text)
        self.assertFalse(os.path.exists(self.p.grant_file))
        self.assertEqual(self.p.run("trigger", "rent-john").returncode, 77)
        self.assertEqual(SANDBOX.payments(), [])

    def test_a_forged_state_is_refused(self):
        proc, url, lines = self.p.start_login()
        port = re.search(r"redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)", url).group(1)
        # What a forged link would deliver: a code of the attacker's with another state.
        BROWSER.get(f"http://127.0.0.1:{port}/callback?code=pmac_forged&state=forged")
        wait_for(lambda: "Login failed" in BROWSER.title, "the loopback page after a forged state")
        code, text = self.p.finish_login(proc, lines)
        self.assertEqual(code, 4, text)
        self.assertIn("state does not match", text)
        self.assertFalse(os.path.exists(self.p.grant_file))
        self.assertEqual(SANDBOX.admin("GET", "/admin/stats")["requests"]["token"], 0,
                         "nothing was exchanged")

    def test_the_running_daemon_pays_from_the_grant_across_rotations_and_a_restart(self):
        # paymand-crashpoints reads PAYMAND_TEST_CLOCK: its wall clock runs 60 times as fast,
        # so a rule due every minute is due every second; the client's access tokens live
        # 62 s with a 60 s margin, so the grant rotates every 2 s of real time.
        shutil.rmtree(self.tmp)
        os.makedirs(self.tmp)
        self.p = Paymand(self.tmp, client_id="pm-test-short", rules="""rules:
  - id: allowance
    schedule: "* * * * *"
    pay: {payee: John Doe, amount: 1.00}
""")
        self.approve()
        env = dict(os.environ, PAYMAND_TEST_CLOCK=f"{int(time.time())}:60")
        for key in ("NOTIFY_SOCKET", "PAYMAND_CRASH_AT", "PAYMAND_CLIENT_SECRET"):
            env.pop(key, None)

        def run_until(paid, rotations):
            with open(os.path.join(self.tmp, "daemon.log"), "a") as log:
                daemon = subprocess.Popen([ARGS.crashpoints, "run", "--config", self.p.config],
                                          cwd=self.tmp, env=env, stdout=log,
                                          stderr=subprocess.STDOUT)
                try:
                    if paid == 3:  # the daemon holds the grant: a login now must wait
                        wait_for(lambda: self.p.grant()["rotations"] >= 1, "a first rotation")
                        login = self.p.run("auth", "login", "--no-browser", "--timeout", "1")
                        self.assertEqual(login.returncode, 75, login.stderr)
                        self.assertIn("stop it first", login.stderr)
                    wait_for(lambda: len(SANDBOX.payments()) >= paid and
                             self.p.grant()["rotations"] >= rotations,
                             f"{paid} payments and {rotations} rotations")
                finally:
                    daemon.terminate()
                    self.assertEqual(daemon.wait(timeout=DEADLINE), 0)

        run_until(paid=3, rotations=2)
        before = (len(SANDBOX.payments()), self.p.grant()["rotations"])
        run_until(paid=before[0] + 2, rotations=before[1] + 1)  # a restart
        records = self.p.audit()
        self.assertEqual([r for r in records if r["type"] in ("in_doubt", "failed")], [])
        completed = [r for r in records if r["type"] == "result" and r["outcome"] == "completed"]
        self.assertEqual(len(completed), len(SANDBOX.payments()), "the ledger is the witness")
        rotations = [r["rotation"] for r in records if r["type"] == "grant" and
                     r["event"] == "rotated"]
        self.assertEqual(rotations, list(range(1, self.p.grant()["rotations"] + 1)))
        with open(os.path.join(self.tmp, "daemon.log")) as f:
            self.p.outputs.append(f.read())
        self.assert_token_never_shown()

    def test_no_listen_reads_the_redirected_url_pasted_back(self):
        proc, url, lines = self.p.start_login("--no-listen")
        By = self.consent_page(url)
        BROWSER.find_element(By.ID, "approve").click()
        # Nothing listens on the redirect URI: the browser shows an error, the address stays.
        redirected = wait_for(lambda: "code=" in BROWSER.current_url and BROWSER.current_url,
                              "the browser at the redirect URI")
        code, text = self.p.finish_login(proc, lines, pasted=redirected + "\n")
        self.assertEqual(code, 0, text)
        self.assertEqual(self.p.grant()["rotations"], 0)
        # auth test in authorization_code mode renews the grant as the daemon would.
        tested = self.p.run("auth", "test")
        self.assertEqual(tested.returncode, 0, tested.stdout + tested.stderr)
        self.assertIn("ok      write_send_payment", tested.stdout)
        self.assertEqual(self.p.grant()["rotations"], 1)
        self.assertEqual(self.p.run("trigger", "rent-john").returncode, 0)
        self.assertEqual(SANDBOX.payments(), [("John Doe", "120.00")])
        self.assert_token_never_shown()
        # Logout deletes the grant and says so in the audit log; the daemon then refuses.
        logout = self.p.run("auth", "logout")
        self.assertEqual(logout.returncode, 0, logout.stderr)
        self.assertFalse(os.path.exists(self.p.grant_file))
        self.assertEqual([r["event"] for r in self.p.audit() if r["type"] == "grant"],
                         ["made", "rotated", "rotated", "removed"])
        refused = self.p.run("trigger", "rent-garage")
        self.assertEqual(refused.returncode, 77)
        self.assertIn("paymand auth login", refused.stderr)
        self.assertEqual(len(SANDBOX.payments()), 1)

    def test_no_browser_coming_back_is_a_timeout(self):
        proc, url, lines = self.p.start_login(timeout=1)
        code, text = self.p.finish_login(proc, lines)
        self.assertEqual(code, 6, text)
        self.assertIn("no browser came back", text)
        self.assertFalse(os.path.exists(self.p.grant_file))

    def test_a_revoked_refresh_token_stops_payments_with_a_clear_state(self):
        self.approve()
        SANDBOX.admin("POST", "/admin/faults", {"endpoint": "token", "action": "revoke_tokens"})
        refused = self.p.run("trigger", "rent-john")
        self.assertEqual(refused.returncode, 77, refused.stderr)
        self.assertRegex(refused.stderr,
                         r"error the user's grant is no longer valid: run paymand auth login")
        self.assertEqual(SANDBOX.payments(), [], "no payment attempted")
        self.assertEqual(SANDBOX.admin("GET", "/admin/stats")["requests"]["tasks_send"], 0)
        events = [r["event"] for r in self.p.audit() if r["type"] == "grant"]
        self.assertEqual(events, ["made", "refused"])
        status = self.p.run("status")
        self.assertIn("CRITICAL: the user's grant is no longer valid: run paymand auth login",
                      status.stdout)
        self.assertEqual(self.p.run("auth", "status").returncode, 77)
        again = self.p.run("trigger", "rent-john")
        self.assertEqual(again.returncode, 77)
        self.assertIn("the user's grant is no longer valid: run paymand auth login", again.stderr)
        self.assert_token_never_shown()


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--paymand", required=True)
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--crashpoints", required=True,
                        help="paymand-crashpoints: paymand with an accelerated clock")
    parser.add_argument("--out", required=True, help="sandbox log and screenshots")
    ARGS, rest = parser.parse_known_args()
    ARGS.paymand = os.path.abspath(ARGS.paymand)
    ARGS.sandbox = os.path.abspath(ARGS.sandbox)
    ARGS.crashpoints = os.path.abspath(ARGS.crashpoints)
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
