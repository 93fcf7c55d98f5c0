"""The preflight's probes with Microsoft's Python SDK, for `make bench`.

Usage: bench_sdk.py COLLECTION_URL RUNS  (PAT in ADO_PAT). Prints one JSON line:
{"bestMs": float, "requests": int} - requests counted at the HTTP layer for the best run.
"""
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("AZURE_DEVOPS_CACHE_DIR", tempfile.mkdtemp())

import requests  # noqa: E402
from azure.devops.connection import Connection  # noqa: E402
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
    from azure.devops.v7_0.git.models import GitPullRequestSearchCriteria

    git.get_pull_requests_by_project(project.name, GitPullRequestSearchCriteria(status="all"), top=1)
    build.get_builds(project.name, top=1)
    wit.get_work_item_types(project.name)
    from azure.devops.v7_0.security.models import PermissionEvaluation, PermissionEvaluationBatch

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
    url, runs = sys.argv[1], int(sys.argv[2])
    pat = os.environ["ADO_PAT"]
    best, best_requests = None, 0
    for _ in range(runs):
        COUNT["n"] = 0
        start = time.perf_counter()
        run(url, pat)
        elapsed = (time.perf_counter() - start) * 1000
        if best is None or elapsed < best:
            best, best_requests = elapsed, COUNT["n"]
    print(json.dumps({"bestMs": best, "requests": best_requests}))


if __name__ == "__main__":
    main()
