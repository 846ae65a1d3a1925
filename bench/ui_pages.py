#!/usr/bin/env python3
"""Server time per UI page with 1,000 repositories and 10,000 tags in one repository (issue #16: < 50 ms).

Seeds a running registry (auth off) through /v2, then times each page over keep-alive HTTP, side by side with the
/v2 listing that serves the same data (the anchor), and prints one table with the ratio page / anchor.
Usage: bench/ui_pages.py http://127.0.0.1:PORT [--repos 1000] [--tags 10000] [--samples 30]
"""
import hashlib, http.client, json, statistics, sys, time, urllib.parse

def args():
    base, opts = sys.argv[1], {"--repos": 1000, "--tags": 10000, "--samples": 30}
    rest = sys.argv[2:]
    for i in range(0, len(rest), 2): opts[rest[i]] = int(rest[i + 1])
    return urllib.parse.urlparse(base), opts

def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
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

def main():
    url, opts = args()
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
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
    print("| page | median ms | p95 ms | anchor | anchor median ms | ratio |")
    print("|---|---|---|---|---|---|")
    for name, page, anchor in pairs:
        pm, p95 = timed(conn, page, opts["--samples"])
        am, _ = timed(conn, anchor, opts["--samples"])
        print(f"| {name} | {pm:.1f} | {p95:.1f} | `GET {anchor.split('?')[0]}` | {am:.1f} | {pm / am:.1f}× |")

main()
