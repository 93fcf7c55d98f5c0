#!/usr/bin/env python3
"""Extracts what ADO Connect checks against from Microsoft's published on-prem REST specs.

Usage: scripts/extract-onprem-spec.py PATH-TO-vsts-rest-api-specs > crates/emulator/spec/onprem.txt

Reads specification/{core,git,build,wit,security,hooks}/{tfs-4.1,azure-devops-server-5.0,-6.0,-7.0}
(Team Foundation Server 2018, Azure DevOps Server 2019, 2020, 2022) and writes one line per
operation and per definition the emulator renders:

    op 2019 GET {project?}/_apis/git/repositories 5.0
    def 2019 GitRepository _links defaultBranch id isFork name ...

An optional path parameter (`x-ms-required: false`) is written `{name?}`; a preview operation's
version keeps its suffix (`5.0-preview.1`). Paths are relative to the collection.
"""

import json
import subprocess
import sys

RELEASES = [
    ("2018", "tfs-4.1"),
    ("2019", "azure-devops-server-5.0"),
    ("2020", "azure-devops-server-6.0"),
    ("2022", "azure-devops-server-7.0"),
]
AREAS = ["core", "git", "build", "wit", "security", "hooks"]
DEFINITIONS = [
    "TeamProjectReference", "TeamProject", "GitRepository", "GitPullRequest", "GitCommitRef",
    "Build", "WorkItemType", "PermissionEvaluationBatch", "PermissionEvaluation",
    "Subscription", "Notification", "NotificationDetails", "SubscriptionsQuery",
    "EventTypeDescriptor", "Publisher", "Consumer", "ConsumerAction",
]


def load(root, area, folder):
    listing = subprocess.run(
        ["git", "-C", root, "ls-tree", "--name-only", "HEAD", f"specification/{area}/{folder}/"],
        check=True, capture_output=True, text=True).stdout.split()
    name = next(n for n in listing if n.endswith(".json"))
    text = subprocess.run(["git", "-C", root, "show", f"HEAD:{name}"], check=True,
                          capture_output=True, text=True).stdout
    return json.loads(text.lstrip("\ufeff"))


def properties(definitions, name, seen=()):
    d = definitions.get(name)
    if d is None or name in seen:
        return set()
    out = set(d.get("properties", {}))
    for part in d.get("allOf", []):
        ref = part.get("$ref", "")
        if ref.startswith("#/definitions/"):
            out |= properties(definitions, ref.split("/")[-1], seen + (name,))
        out |= set(part.get("properties", {}))
    return out


def main():
    root = sys.argv[1]
    commit = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    print(f"# MicrosoftDocs/vsts-rest-api-specs {commit}: scripts/extract-onprem-spec.py")
    for year, folder in RELEASES:
        found = {}
        for area in AREAS:
            spec = load(root, area, folder)
            for path, ops in sorted(spec["paths"].items()):
                for method, op in ops.items():
                    if method == "parameters":
                        continue
                    optional = {p["name"] for p in op.get("parameters", [])
                                if p.get("in") == "path" and p.get("x-ms-required") is False}
                    segments = []
                    for segment in path.split("/")[2:]:
                        name = segment.strip("{}")
                        if segment.startswith("{") and name in optional:
                            segment = "{" + name + "?}"
                        segments.append(segment)
                    version = op.get("x-ms-docs-override-version") or spec["info"]["version"]
                    print(f"op {year} {method.upper()} {'/'.join(segments)} {version}")
            for name in DEFINITIONS:
                if name in spec["definitions"] and name not in found:
                    found[name] = properties(spec["definitions"], name)
        for name in DEFINITIONS:
            if name in found:
                print(f"def {year} {name} {' '.join(sorted(found[name]))}")


if __name__ == "__main__":
    main()
