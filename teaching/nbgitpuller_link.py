"""Print the nbgitpuller link that gives every learner on a JupyterHub their own copy of the course.

    python teaching/nbgitpuller_link.py --hub https://hub.example.edu \
        --repo https://github.com/OWNER/art-of-pooling-embeddings

A learner who clicks the link gets the repository cloned into their home folder the first time and
updated on every later click, with their own edits kept (nbgitpuller's automatic merging; see the
teacher's guide). The link opens JupyterLab on ``--open`` (default: the set-up notebook).
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote, urlencode

from course_lib._checks import check_choice, check_str


def nbgitpuller_link(hub: str, repo: str, branch: str = "main",
                     open_path: str = "notebooks/00_setup.ipynb", interface: str = "lab") -> str:
    """The ``/hub/user-redirect/git-pull`` URL for ``repo``; opens ``open_path`` inside the clone."""
    for name, value in (("hub", hub), ("repo", repo)):
        if not check_str(name, value).startswith(("https://", "http://")):
            raise ValueError(f"{name}: expected an http(s):// URL, got {value!r}")
    check_str("branch", branch)
    check_str("open_path", open_path)
    check_choice("interface", interface, ("lab", "tree"))
    folder = repo.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    urlpath = f"{interface}/tree/{folder}/{open_path.lstrip('/')}"
    query = urlencode({"repo": repo, "urlpath": urlpath, "branch": branch}, quote_via=quote, safe="")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hub", required=True, help="your JupyterHub, e.g. https://hub.example.edu")
    parser.add_argument("--repo", required=True, help="the course repository's clone URL")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--open", default="notebooks/00_setup.ipynb", help="file to open after the pull")
    parser.add_argument("--interface", default="lab", choices=("lab", "tree"))
    args = parser.parse_args(argv)
    print(nbgitpuller_link(args.hub, args.repo, args.branch, args.open, args.interface))
    return 0


if __name__ == "__main__":
    sys.exit(main())
