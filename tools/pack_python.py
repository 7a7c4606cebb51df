#!/usr/bin/env python3
"""Packs the pure-Python libraries a learner's program may import in the page (httpx, requests and what
they import) from Debian's packages into one zip that the page's Python worker unpacks onto sys.path.

    tools/pack_python.py OUT.zip [SITE_DIR]

SITE_DIR defaults to Debian's /usr/lib/python3/dist-packages (python3-httpx, python3-requests and their
dependencies, installed by tools/setup). Only sources and package metadata go in: no caches, no tests, no
command-line entry points. The zip's entries are sorted and dated 1980-01-01, so the same packages give the
same bytes (the browser's cache keeps it while they do not change)."""
import os
import sys
import zipfile

# Packages (folders) and modules (single files) that `import httpx` and `import requests` reach, as
# Debian bookworm ships them: httpx 0.23 -> httpcore, h11, sniffio, idna, rfc3986, certifi (anyio for
# httpcore's async backends); requests 2.28 -> urllib3 1.26 (-> six), charset_normalizer, chardet, idna,
# certifi.
PACKAGES = ["httpx", "httpcore", "h11", "sniffio", "idna", "rfc3986", "certifi", "anyio",
            "requests", "urllib3", "charset_normalizer", "chardet"]
MODULES = ["six.py"]
SKIP_DIRS = {"__pycache__", "tests", "test"}


def metadata_dirs(site, name):
    prefix = name.replace("-", "_").lower() + "-"
    return sorted(d for d in os.listdir(site)
                  if d.lower().startswith(prefix) and d.endswith((".dist-info", ".egg-info")))


def add_tree(z, site, top):
    root = os.path.join(site, top)
    if os.path.isfile(root):
        add_file(z, site, top)
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for f in sorted(files):
            if f.endswith((".pyc", ".pyo")):
                continue
            add_file(z, site, os.path.relpath(os.path.join(folder, f), site))


def add_file(z, site, rel):
    info = zipfile.ZipInfo(rel.replace(os.sep, "/"), date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with open(os.path.join(site, rel), "rb") as f:
        z.writestr(info, f.read())


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out = argv[1]
    site = argv[2] if len(argv) > 2 else "/usr/lib/python3/dist-packages"
    missing = [p for p in PACKAGES + MODULES if not os.path.exists(os.path.join(site, p))]
    if missing:
        sys.exit(f"pack_python: {', '.join(missing)} not in {site}: run tools/setup (Debian's python3-httpx, "
                 "python3-requests and their dependencies)")
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for p in PACKAGES:
            add_tree(z, site, p)
            for d in metadata_dirs(site, p):
                add_tree(z, site, d)
        for m in MODULES:
            add_tree(z, site, m)
            for d in metadata_dirs(site, m[:-3]):
                add_tree(z, site, d)
    os.replace(tmp, out)
    print(f"pack_python: {out}: {os.path.getsize(out):,} bytes")


if __name__ == "__main__":
    main(sys.argv)
