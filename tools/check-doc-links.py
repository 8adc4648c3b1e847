#!/usr/bin/env python3
"""Checks that every relative link and image in the repository's Markdown files resolves.

Usage: tools/check-doc-links.py [FILE.md ...]      (default: README.md, docs/**/*.md and the other tracked *.md
                                                    outside tests/)

A link [text](target) or image ![alt](target) is checked unless its target is a URL (scheme:...) or a pure
"#anchor" into the same file, which is checked against that file's headings. For a relative target:

* the path (without its #anchor) must name a file or folder inside the repository: a link that leaves the
  repository (../shared, an absolute /path) is an error, as is one to a file that does not exist;
* an #anchor into a Markdown file must match one of its headings (GitHub's rule: lower case, punctuation
  dropped, spaces to hyphens, -1, -2, ... for repeats).

Links inside fenced code blocks and `inline code` are ignored. A repository path written as inline code outside
fenced blocks (`src/...`, `docs/...`, `bench/...`, `tools/...`, `tests/...`, `samples/...`, `examples/...`,
`python/...`, `shared/...`; relative to the repository root, without wildcards or placeholders) must exist too. Standard library only; exit code 0 when every link
resolves, 1 otherwise (one line per broken link: file:line: target: reason).
"""

import os
import re
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
CODE_PATH = re.compile(r"`((?:src|docs|tests|bench|tools|samples|examples|python|shared)/[^`\s]*)`")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_files(args):
    if args:
        return [os.path.realpath(a) for a in args]
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "*.md"], capture_output=True, text=True, check=True).stdout
        names = [n for n in out.splitlines() if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for d, dirs, files in os.walk(ROOT):
            dirs[:] = [x for x in dirs if not x.startswith(".") and x not in ("bin", "obj", "runs")]
            names += [os.path.relpath(os.path.join(d, f), ROOT) for f in files if f.endswith(".md")]
    return sorted(os.path.join(ROOT, n) for n in names if not n.startswith("tests/"))


def prose_lines(path, keep_code=False):
    """Yields (line number, text) outside fenced code blocks, with inline code spans blanked unless keep_code."""
    fence = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.lstrip()
            marker = stripped[:3]
            if marker in ("```", "~~~"):
                if fence is None:
                    fence = marker
                elif marker == fence:
                    fence = None
                continue
            if fence is None:
                yield number, line if keep_code else re.sub(r"`[^`]*`", "``", line)


def slug(heading):
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


_anchors = {}


def anchors(path):
    if path not in _anchors:
        seen, found = {}, set()
        for _, line in prose_lines(path, keep_code=True):
            m = HEADING.match(line)
            if m:
                s = slug(m.group(2))
                n = seen.get(s, 0)
                seen[s] = n + 1
                found.add(s if n == 0 else f"{s}-{n}")
        _anchors[path] = found
    return _anchors[path]


def check(path):
    problems, count = [], 0
    here = os.path.dirname(path)
    for number, line in prose_lines(path):
        for m in LINK.finditer(line):
            target = m.group(1)
            if SCHEME.match(target):
                continue
            count += 1
            file_part, _, anchor = target.partition("#")
            if file_part == "":
                resolved = path
            elif file_part.startswith("/"):
                problems.append((number, target, "absolute path"))
                continue
            else:
                resolved = os.path.realpath(os.path.join(here, file_part))
            if resolved != ROOT and not resolved.startswith(ROOT + os.sep):
                problems.append((number, target, "outside the repository"))
            elif not os.path.exists(resolved):
                problems.append((number, target, "no such file"))
            elif anchor and resolved.endswith(".md") and os.path.isfile(resolved) and anchor not in anchors(resolved):
                problems.append((number, target, f"no heading #{anchor} in {os.path.relpath(resolved, ROOT)}"))
    for number, line in prose_lines(path, keep_code=True):
        for m in CODE_PATH.finditer(line):
            target = m.group(1)
            if any(c in target for c in "*<>{}|…"):
                continue
            count += 1
            if not os.path.exists(os.path.join(ROOT, target.rstrip("/"))):
                problems.append((number, target, "no such file in the repository (path in inline code)"))
    return count, problems


def main(argv):
    files = markdown_files(argv[1:])
    total, broken = 0, 0
    for path in files:
        count, problems = check(path)
        total += count
        for number, target, reason in problems:
            broken += 1
            print(f"{os.path.relpath(path, ROOT)}:{number}: {target}: {reason}")
    print(f"check-doc-links: {len(files)} files, {total} relative links and repository paths, {broken} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
