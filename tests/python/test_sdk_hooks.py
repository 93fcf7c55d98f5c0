"""Microsoft's Python SDK against the emulator's preflight and service-hook endpoints.

The SDK finds each resource through the emulator's ``OPTIONS`` table, builds the URL from the
route template, negotiates the version and deserializes the answer into its own models, so
these tests check locations, routes and wire shapes independently of the Rust tests.

The SDK caches location data per URL for the whole session, so these tests address the
emulator as ``localhost`` and leave ``test_sdk.py``'s ``127.0.0.1`` URLs uncached.
"""

import http.server
import json
import threading

from azure.devops.connection import Connection
from azure.devops.v7_1.git.models import GitPullRequestSearchCriteria
from azure.devops.v7_1.security.models import PermissionEvaluation, PermissionEvaluationBatch
from azure.devops.v7_1.service_hooks.models import Notification, NotificationDetails, Subscription
from msrest.authentication import BasicAuthentication

SERVICE_HOOKS = "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046"


def connect(url, token):
    return Connection(base_url=url, creds=BasicAuthentication("", token))


def fabrikam_url(info):
    url = next(u for u in info["organizationUrls"] if u.endswith("/fabrikam"))
    return url.replace("://127.0.0.1:", "://localhost:")


def fabrikam(info):
    return connect(fabrikam_url(info), info["pats"][0]["token"])


def pat_of(info, user):
    return next(p["token"] for p in info["pats"] if p["user"] == user and p["scopes"] == ["app_token"]
                and not p["expired"] and not p["revoked"])


def project_id(connection, name):
    return connection.clients.get_core_client().get_project(name).id


def test_preflight_probes_deserialize(emulator):
    connection = fabrikam(emulator)
    git = connection.clients_v7_1.get_git_client()
    prs = git.get_pull_requests_by_project("Fiber Cloud", GitPullRequestSearchCriteria(status="all"), top=1)
    assert [p.pull_request_id for p in prs] == [4]
    assert prs[0].created_by.display_name == "Dana Developer"
    assert prs[0].repository.name == "fiber-cloud-web"
    builds = connection.clients_v7_1.get_build_client().get_builds("Fiber Cloud", top=1)
    assert builds[0].id == 4 and builds[0].status == "inProgress"
    assert builds[0].definition.name == "fiber-cloud-web CI"
    types = connection.clients_v7_1.get_work_item_tracking_client().get_work_item_types("Fiber Cloud")
    assert {"Bug", "Task", "User Story", "Feature", "Epic"} <= {t.name for t in types}


def test_permission_evaluation_batch(emulator):
    connection = fabrikam(emulator)
    token = "PublisherSecurity/" + project_id(connection, "Fiber Cloud")
    batch = PermissionEvaluationBatch(always_allow_administrators=False, evaluations=[
        PermissionEvaluation(security_namespace_id=SERVICE_HOOKS, token=token, permissions=2)])
    answer = connection.clients_v7_1.get_security_client().has_permissions_batch(batch)
    assert answer.evaluations[0].value is True
    dana = connect(fabrikam_url(emulator), pat_of(emulator, "dana.dev@fabrikam.example"))
    assert dana.clients_v7_1.get_security_client().has_permissions_batch(batch).evaluations[0].value is False


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_subscriptions_and_test_notifications(emulator):
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        connection = fabrikam(emulator)
        hooks = connection.clients_v7_1.get_service_hooks_client()
        project = project_id(connection, "Fiber Cloud")
        created = hooks.create_subscription(Subscription(
            publisher_id="tfs", event_type="git.push", resource_version="1.0",
            consumer_id="webHooks", consumer_action_id="httpRequest",
            publisher_inputs={"projectId": project},
            consumer_inputs={"url": url, "basicAuthUsername": "robot", "basicAuthPassword": "s3cret"}))
        assert created.status == "enabled"
        assert created.consumer_inputs["basicAuthPassword"] == "********"
        assert "tfsSubscriptionId" in created.publisher_inputs
        listed = hooks.list_subscriptions(event_type="git.push")
        assert created.id in [s.id for s in listed]

        result = hooks.create_test_notification(
            Notification(subscription_id=created.id, details=NotificationDetails()), use_real_data=True)
        assert result.result == "succeeded" and result.status == "completed"
        assert Receiver.received[-1]["subscriptionId"] == created.id
        assert Receiver.received[-1]["resource"]["repository"]["project"]["id"] == project
        history = hooks.get_notifications(created.id)
        assert [n.id for n in history] == [result.id]
        assert hooks.get_notification(created.id, result.id).details.event_type == "git.push"

        types = hooks.list_event_types("tfs")
        assert "git.pullrequest.merged" in [t.id for t in types]
        consumer = hooks.get_consumer("webHooks")
        assert consumer.actions[0].id == "httpRequest"

        hooks.delete_subscription(created.id)
        assert created.id not in [s.id for s in hooks.list_subscriptions()]
    finally:
        server.shutdown()
