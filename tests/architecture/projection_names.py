#!/usr/bin/env python3
"""Fails when production code outside a projection's folder names a projection.

A projection is a folder under projections/ (other than domain/, runtime/ and
registry/, the layers every projection shares or that lists them); its
names are the folder name and its kebab-case form ("customer_view",
"customer-view"). A string literal in events/, storage/, models/,
projections/domain/, projections/runtime/ or services/ that is an identifier, a
route or a settings key (no spaces) holding one of those names as a word, such as
"churn", "/v1/customers/{id}/loyalty" or "domain.satisfaction.x", is code that
picks a projection by name: it belongs in the projection's module. Prose (a message
that mentions churn alerts) is not a name. The one registration list is exempt
(argument 2).
  projection_names.py ROOT REGISTRATION_FILE
"""
import pathlib
import re
import sys

SHARED = ["events", "storage", "models", "projections/domain", "projections/runtime", "services"]
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def projection_names(root):
    names = set()
    for folder in (root / "projections").iterdir():
        if folder.is_dir() and folder.name not in ("domain", "runtime", "registry"):
            names.update({folder.name, folder.name.replace("_", "-")})
    return names


def literals_naming(path, pattern):
    text = path.read_text(errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("//", "#include")):
            continue
        for literal in LITERAL.findall(line):
            if not re.search(r"\s", literal) and pattern.search(literal):
                yield number, literal


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    exempt = (root / sys.argv[2]).resolve()
    names = projection_names(root)
    if not names:
        print("no projection folders found", file=sys.stderr)
        return 2
    pattern = re.compile(r"(?<![A-Za-z0-9_-])(" + "|".join(map(re.escape, sorted(names))) + r")(?![A-Za-z0-9_-])")
    found = 0
    for shared in SHARED:
        for path in sorted((root / shared).rglob("*")):
            if path.suffix not in (".h", ".cc") or path.resolve() == exempt:
                continue
            for number, literal in literals_naming(path, pattern):
                found += 1
                print(f'{path.relative_to(root)}:{number}: "{literal}" names a projection')
    print(f"projections: {', '.join(sorted(names))}; {found} literal(s) naming one outside its folder")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
