#!/usr/bin/env python3
"""Fill a folder with solara's front-end files from the npm registry, for machines without the CDN.

`solara run` proxies its JavaScript and CSS through /_solara/cdn/ from a public CDN. Where that
CDN cannot be reached the page is blank; started with SOLARA_ASSETS_PROXY_CACHE_DIR=DIR, the
server serves the files from DIR instead. This script fills DIR with `npm pack`, laid out as the
URL path after /_solara/cdn/ (DIR/requirejs@2.3.6/require.js, DIR/vega@5/build/vega.min.js, ...),
then checks that every file solara's templates name is there.

    python tools/fetch_solara_assets.py .cache/solara-assets

Idempotent: a complete cache for the same package list is left alone. Needs npm and access to
the npm registry; about 25 s on a fresh machine.
"""

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

#: The packages solara 1.64.1 asks for, as it names them in its URLs, and the parts it uses.
PACKAGES: dict[str, tuple[str, ...]] = {
    "@widgetti/solara-vuetify3-app@5.2.0": ("dist",),
    "@widgetti/solara-vuetify-app@10.1.1": ("dist",),
    "@widgetti/vue-grid-layout@2.3.13-alpha.2": ("dist",),
    "requirejs@2.3.6": ("require.js",),
    "font-awesome@4.5.0": ("css", "fonts"),
    "vega@5": ("build",),
    "vega-lite@5": ("build",),
    "vega-embed@6": ("build",),
    "katex@0.16.9": ("dist",),
    "mermaid@10.8.0": ("dist/mermaid.min.js",),
}
KNOWN_SOLARA = "1.64.1"
STAMP = ".complete"
#: Files solara names that the npm package lacks, made from one it has (same code, unminified).
ALIASES = {"requirejs@2.3.6/require.min.js": "requirejs@2.3.6/require.js"}
CDN_REFERENCE = re.compile(r"""(?:getCdn\(\)\}|\{\{ ?cdn ?\}\})/([^"'` )]+)""")


def manifest() -> str:
    """The text of the stamp file: what a complete cache holds."""
    return json.dumps({"packages": PACKAGES, "aliases": ALIASES}, sort_keys=True)


def pack(spec: str, parts: tuple[str, ...], target: Path, workdir: Path) -> None:
    """Download one package with `npm pack` and extract the parts solara uses into target/spec."""
    dest = workdir / re.sub(r"[^A-Za-z0-9.@-]", "_", spec)
    dest.mkdir(parents=True)
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed: {result.stderr.strip()[-400:]}")
    tarball = dest / json.loads(result.stdout)[0]["filename"].replace("@", "").replace("/", "-")
    if not tarball.exists():
        tarball = next(dest.glob("*.tgz"))
    out = target / spec
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            wanted = any(name == p or name.startswith(p + "/") for p in parts)
            if not member.isfile() or not wanted or name.endswith(".map"):
                continue
            member.name = name
            tar.extract(member, out, filter="data")


def referenced_files() -> set[str]:
    """Concrete asset paths that solara's own templates and components name."""
    import solara

    major = metadata.version("ipywidgets").split(".")[0]
    root = Path(solara.__file__).parent
    found: set[str] = set()
    for path in root.rglob("*"):
        if path.suffix not in {".vue", ".html", ".js", ".py"} or "website" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for ref in CDN_REFERENCE.findall(text):
            ref = re.sub(r"\{\{ ?ipywidget_major_version ?\}\}", major, ref)
            if "$" not in ref and "{" not in ref:
                found.add(ref)
    return found


def missing_files(cache: Path) -> list[str]:
    """Referenced files the cache lacks, for packages this script fetches."""
    specs = tuple(PACKAGES)
    return sorted(
        ref for ref in referenced_files() if ref.startswith(specs) and not (cache / ref).is_file()
    )


def fetch(cache: Path) -> None:
    """Fill `cache` (atomically: a partial download never looks complete)."""
    if (cache / STAMP).is_file() and (cache / STAMP).read_text() == manifest():
        print(f"solara assets: {cache} is complete")
        return
    if shutil.which("npm") is None:
        sys.exit("error: npm is needed to fetch solara's front-end files (apt-get install npm)")
    solara_version = metadata.version("solara")
    if solara_version != KNOWN_SOLARA:
        print(
            f"warning: package list made for solara {KNOWN_SOLARA}, found {solara_version};"
            " checking what its templates name",
            file=sys.stderr,
        )
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(cache.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    with tempfile.TemporaryDirectory() as work, ThreadPoolExecutor(max_workers=5) as pool:
        jobs = [pool.submit(pack, s, p, partial, Path(work)) for s, p in PACKAGES.items()]
        for job in jobs:
            job.result()
    for alias, original in ALIASES.items():
        if (partial / original).is_file():
            shutil.copyfile(partial / original, partial / alias)
    if missing := missing_files(partial):
        sys.exit("error: solara names files the fetched packages lack: " + ", ".join(missing))
    (partial / STAMP).write_text(manifest())
    shutil.rmtree(cache, ignore_errors=True)
    partial.rename(cache)
    print(f"solara assets: fetched {len(PACKAGES)} packages into {cache}")


def main() -> None:
    """Entry point: one argument, the cache folder."""
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} CACHE_DIR")
    try:
        fetch(Path(sys.argv[1]))
    except RuntimeError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
