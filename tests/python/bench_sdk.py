"""The preflight's probes with Microsoft's Python SDK, for `make bench`.

Usage: bench_sdk.py COLLECTION_URL  (PAT in ADO_PAT). One untimed warm-up run first (imports,
the SDK's lazy model loading), then one timed run per line read on stdin, so that the Rust
harness can interleave these runs with its own. Prints one JSON line per timed run:
{"ms": float, "requests": int} - requests counted at the HTTP layer.
"""
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("AZURE_DEVOPS_CACHE_DIR", tempfile.mkdtemp())

import requests  # noqa: E402
from azure.devops.connection import Connection  # noqa: E402
from azure.devops.v7_0.git.models import GitPullRequestSearchCriteria  # noqa: E402
from azure.devops.v7_0.security.models import (  # noqa: E402
    PermissionEvaluation,
    PermissionEvaluationBatch,
)
from msrest.authentication import BasicAuthentication  # noqa: E402

COUNT = {"n": 0}
_send = requests.Session.send


def counting_send(self, request, **kwargs):
    COUNT["n"] += 1
    return _send(self, request, **kwargs)


requests.Session.send = counting_send


def run(url, pat):
    # A fresh connection each run: the SDK discovers locations (OPTIONS, ResourceAreas) per client.
    connection = Connection(base_url=url, creds=BasicAuthentication("", pat))
    core = connection.clients.get_core_client()
    git = connection.clients.get_git_client()
    build = connection.clients.get_build_client()
    wit = connection.clients.get_work_item_tracking_client()
    hooks = connection.clients.get_service_hooks_client()
    security = connection.clients.get_security_client()
    connection.authenticate()
    projects = core.get_projects()
    git.get_repositories()
    hooks.list_subscriptions()
    project = projects[0]
    git.get_pull_requests_by_project(project.name, GitPullRequestSearchCriteria(status="all"), top=1)
    build.get_builds(project.name, top=1)
    wit.get_work_item_types(project.name)
    security.has_permissions_batch(
        PermissionEvaluationBatch(
            always_allow_administrators=False,
            evaluations=[
                PermissionEvaluation(
                    security_namespace_id="cb594ebe-87dd-4fc9-ac2c-6a10a4c92046",
                    token="PublisherSecurity/" + project.id,
                    permissions=2,
                )
            ],
        )
    )


def main():
    url = sys.argv[1]
    pat = os.environ["ADO_PAT"]
    run(url, pat)  # warm-up, not timed
    for _ in sys.stdin:
        COUNT["n"] = 0
        start = time.perf_counter()
        run(url, pat)
        elapsed = (time.perf_counter() - start) * 1000
        print(json.dumps({"ms": elapsed, "requests": COUNT["n"]}), flush=True)


if __name__ == "__main__":
    main()
