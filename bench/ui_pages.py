#!/usr/bin/env python3
"""Server time per UI page with 1,000 repositories and 10,000 tags in one repository (issue #16: < 50 ms).

Seeds a running registry (auth off) through /v2, then times each page over keep-alive HTTP, side by side with the
/v2 listing that serves the same data (the anchor), and prints one table with the ratio page / anchor.
Usage: bench/ui_pages.py http://127.0.0.1:PORT [--repos 1000] [--tags 10000] [--samples 30] [--admin USER:PASSWORD]

With --admin (a registry with auth on) it seeds as that administrator, creates the organizations and a user `viewer`
who may pull half of them (a reader with a team grant), signs `viewer` in through the sign-in form and times the pages
with that session, beside /v2 called with viewer's Basic credentials: what the access filter costs a real user.
"""
import base64, hashlib, http.client, json, re, statistics, sys, time, urllib.parse

HEADERS = {}  # added to every request: Basic credentials (seeding, anchors) or the UI session cookie (pages)

def args():
    base, opts = sys.argv[1], {"--repos": 1000, "--tags": 10000, "--samples": 30, "--admin": None}
    rest = sys.argv[2:]
    for i in range(0, len(rest), 2): opts[rest[i]] = rest[i + 1] if rest[i] == "--admin" else int(rest[i + 1])
    return urllib.parse.urlparse(base), opts

def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    return response.status, response.getheader("Location"), data

def blob(conn, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, _, body = request(conn, "POST", f"/v2/{repo}/blobs/uploads/?digest={digest}", data, {"Content-Type": "application/octet-stream"})
    assert status == 201, (status, body)
    return digest, len(data)

def image(conn, repo, tag, seed):
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}, "seed": seed}).encode()
    layer = f"layer {seed}".encode()
    (cd, cs), (ld, ls) = blob(conn, repo, config), blob(conn, repo, layer)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ls}]}).encode()
    status, _, body = request(conn, "PUT", f"/v2/{repo}/manifests/{tag}", manifest, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    assert status == 201, (status, body)
    return "sha256:" + hashlib.sha256(manifest).hexdigest()

def timed(conn, path, samples):
    times = []
    for _ in range(3): request(conn, "GET", path)  # warm-up, unmeasured
    for _ in range(samples):
        start = time.perf_counter()
        status, _, _ = request(conn, "GET", path)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (path, status)
    return statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1]

def api(conn, method, path, body):
    status, _, data = request(conn, method, path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    assert status in (200, 201, 204), (method, path, status, data)
    return json.loads(data) if data else None

def personal_token(conn, user, actions):
    """A personal access token: checked by a hash lookup, where a password costs an Argon2id run per request."""
    return basic(user, api(conn, "POST", "/api/v1/user/tokens", {"name": f"bench-{time.time_ns()}", "actions": actions})["token"])

def seed_accounts(conn):
    """Organizations org0..org9 and big; viewer reads org0..org4 and big through a team grant on every repository."""
    api(conn, "POST", "/api/v1/users", {"name": "viewer", "password": VIEWER_PASSWORD, "isAdmin": False})
    for org in [f"org{i}" for i in range(10)] + ["big"]:
        api(conn, "POST", "/api/v1/orgs", {"name": org, "defaultVisibility": "private"})
        if org == "big" or int(org[3:]) < 5:
            api(conn, "PUT", f"/api/v1/orgs/{org}/members/viewer", {"role": "reader"})
            api(conn, "POST", f"/api/v1/orgs/{org}/teams", {"name": "readers"})
            api(conn, "POST", f"/api/v1/orgs/{org}/teams/readers/grants", {"pattern": "*", "actions": ["pull"]})
            request(conn, "PUT", f"/api/v1/orgs/{org}/teams/readers/members/viewer")

def sign_in(conn, user, password):
    """The sign-in form as a browser posts it: antiforgery cookie + token, then the session cookie."""
    HEADERS.clear()
    conn.request("GET", "/signin")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    token = re.search(r'name="__RequestVerificationToken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"_handler": "signin", "Form.User": user, "Form.Password": password, "__RequestVerificationToken": token})
    conn.request("POST", "/signin", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(cookies)})
    response = conn.getresponse()
    response.read()
    cookies += [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    assert response.status in (200, 302, 303) and len(cookies) > 1, ("sign-in failed", response.status)
    return {"Cookie": "; ".join(cookies)}

VIEWER_PASSWORD = "viewer-bench-password-1"

def main():
    url, opts = args()
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    if opts["--admin"]:
        admin, password = opts["--admin"].split(":", 1)
        HEADERS.update(basic(admin, password))
        seed_accounts(conn)  # a token does not carry administrator rights on /api/v1: the password does
        HEADERS.update(personal_token(conn, admin, ["pull", "push", "delete"]))
    start = time.perf_counter()
    for i in range(opts["--repos"] - 1): image(conn, f"org{i % 10}/repo{i:04d}", "v1", f"r{i}")
    digest = None
    for i in range(opts["--tags"]):
        d = image(conn, "big/app", f"t{i:05d}", f"t{i % 50}")  # 50 distinct images behind 10,000 tags
        digest = digest or d
    print(f"seeded {opts['--repos']} repositories, {opts['--tags']} tags in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    pairs = [
        ("repositories, first page", "/", "/v2/_catalog?n=50"),
        ("repositories, search", "/?q=repo09", "/v2/_catalog?n=50&last=org9"),
        ("repositories, page after org5", "/?after=org5%2Frepo0500", "/v2/_catalog?n=50&last=org5/repo0500"),
        ("tags, newest first", "/repositories/big/app", "/v2/big/app/tags/list?n=50"),
        ("tags, page 150 by name", "/repositories/big/app?sort=name&page=150", "/v2/big/app/tags/list?n=50&last=t07499"),
        ("manifest", f"/manifest?repository=big/app&reference={digest}", f"/v2/big/app/manifests/{digest}"),
    ]
    page_headers, anchor_headers = {}, {}
    if opts["--admin"]:
        HEADERS.clear(); HEADERS.update(basic("viewer", VIEWER_PASSWORD))
        anchor_headers = personal_token(conn, "viewer", ["pull"])
        page_headers = sign_in(conn, "viewer", VIEWER_PASSWORD)
        status, _, body = request(conn, "GET", "/", headers=page_headers)
        assert status == 200 and b"Signed in as" in body and b"org5/" not in body, "the session does not filter as viewer"
    print("| page | median ms | p95 ms | anchor | anchor median ms | ratio |")
    print("|---|---|---|---|---|---|")
    for name, page, anchor in pairs:
        HEADERS.clear(); HEADERS.update(page_headers)
        pm, p95 = timed(conn, page, opts["--samples"])
        HEADERS.clear(); HEADERS.update(anchor_headers)
        am, _ = timed(conn, anchor, opts["--samples"])
        print(f"| {name} | {pm:.1f} | {p95:.1f} | `GET {anchor.split('?')[0]}` | {am:.1f} | {pm / am:.1f}× |")

main()
