"""Microsoft's own Python SDK (azure-devops 7.1.0b4) against the emulator.

An independent client: if the SDK can discover locations, negotiate versions and list projects
and repositories here, the emulator's location tables, resource areas, routes and bodies have
the shapes real Azure DevOps has. Run: ``tests/python/.venv/bin/pytest tests/python``.
"""

from urllib.parse import urlsplit

import pytest
import requests.adapters
from azure.devops.connection import Connection
from azure.devops.exceptions import AzureDevOpsServiceError
from msrest.authentication import BasicAuthentication

DEFAULT_COLLECTION_PROJECTS = {"Fabrikam Fiber", "Contoso Web", "Parts Unlimited"}
DEFAULT_COLLECTION_REPOS = {"fiber-api", "Fabrikam Fiber", "web portal", "contoso-web", "parts-unlimited"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Fails any request the SDK sends off this machine (e.g. to app.vssps.visualstudio.com,
    where it goes for resource areas the emulator did not list). Records every URL sent."""
    sent = []
    original = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        host = urlsplit(request.url).hostname
        assert host in ("127.0.0.1", "localhost"), f"the SDK tried to reach {request.url}"
        sent.append((request.method, request.url, dict(request.headers)))
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


def connect(url, token):
    return Connection(base_url=url, creds=BasicAuthentication("", token))


def full_pat(info):
    first = info["pats"][0]
    assert first["scopes"] == ["app_token"] and not first["expired"], "pats[0] has full access"
    return first["token"]


def collection_url(info, name):
    return next(u for u in info["collectionUrls"] if u.endswith("/tfs/" + name))


def org_url(info, name):
    return next(u for u in info["organizationUrls"] if u.endswith("/" + name))


def test_lists_projects_of_a_server_collection(emulator, loopback_only):
    core = connect(collection_url(emulator, "DefaultCollection"), full_pat(emulator)).clients.get_core_client()
    projects = core.get_projects()
    assert {p.name for p in projects} == DEFAULT_COLLECTION_PROJECTS
    assert all(p.state == "wellFormed" for p in projects)
    # The SDK asked for the location table first, on the lowercased URL, then negotiated
    # api-version 7.0 (Server 2022's maximum) in the Accept header.
    methods = [(m, u) for m, u, _ in loopback_only]
    assert ("OPTIONS", collection_url(emulator, "DefaultCollection").lower() + "/_apis") in methods
    project_calls = [h for m, u, h in loopback_only if u.split("?")[0].endswith("/_apis/projects")]
    assert project_calls and "api-version=7.0" in project_calls[0]["Accept"]
    assert project_calls[0]["X-TFS-FedAuthRedirect"] == "Suppress"


def test_lists_repositories_of_a_server_collection(emulator):
    git = connect(collection_url(emulator, "DefaultCollection"), full_pat(emulator)).clients.get_git_client()
    assert {r.name for r in git.get_repositories()} == DEFAULT_COLLECTION_REPOS
    fiber = git.get_repositories("Fabrikam Fiber")
    assert {r.name for r in fiber} == {"fiber-api", "Fabrikam Fiber", "web portal"}
    assert all(r.project.name == "Fabrikam Fiber" for r in fiber)
    portal = next(r for r in fiber if r.name == "web portal")
    assert portal.remote_url.endswith("/tfs/DefaultCollection/Fabrikam%20Fiber/_git/web%20portal")


def test_the_7_1_clients_negotiate_down_to_what_the_server_supports(emulator, loopback_only):
    connection = connect(collection_url(emulator, "DefaultCollection"), full_pat(emulator))
    projects = connection.clients_v7_1.get_core_client().get_projects()
    assert {p.name for p in projects} == DEFAULT_COLLECTION_PROJECTS
    repos = connection.clients_v7_1.get_git_client().get_repositories("Contoso Web")
    assert [r.name for r in repos] == ["contoso-web"]
    accepts = [h["Accept"] for m, u, h in loopback_only if m == "GET" and "/_apis/" in u]
    assert accepts and all("api-version=7.0" in a for a in accepts), accepts


def test_lists_projects_and_repositories_of_a_services_organization(emulator, loopback_only):
    connection = connect(org_url(emulator, "fabrikam"), full_pat(emulator))
    projects = connection.clients_v7_1.get_core_client().get_projects()
    assert {p.name for p in projects} == {"Fiber Cloud", "Tailwind Traders"}
    git = connection.clients_v7_1.get_git_client()
    assert {r.name for r in git.get_repositories()} == {
        "fiber-cloud-api", "fiber-cloud-web", "sandbox", "tailwind-traders"}
    [tailwind] = git.get_repositories("Tailwind Traders")
    assert tailwind.remote_url.startswith("http://fabrikam@127.0.0.1:")
    # Services list resource areas; the SDK took core's and git's location from them.
    assert any(u.endswith("/fabrikam/_apis/ResourceAreas") for _, u, _ in loopback_only)


def test_a_2019_server_without_virtual_directory(emulator, loopback_only):
    url = next(u for u in emulator["collectionUrls"] if u.endswith("/LegacyCollection"))
    connection = connect(url, full_pat(emulator))
    assert [p.name for p in connection.clients_v7_1.get_core_client().get_projects()] == ["Old Project"]
    assert [r.name for r in connection.clients_v7_1.get_git_client().get_repositories()] == ["old-repo"]
    accepts = [h["Accept"] for m, u, h in loopback_only if m == "GET" and "/_apis/" in u]
    assert accepts and all("api-version=5.0" in a for a in accepts), accepts


def test_a_project_can_be_named_by_id(emulator):
    connection = connect(collection_url(emulator, "DefaultCollection"), full_pat(emulator))
    project = connection.clients.get_core_client().get_project("Parts Unlimited")
    repos = connection.clients.get_git_client().get_repositories(project.id)
    assert [r.name for r in repos] == ["parts-unlimited"]


def test_an_unknown_pat_gets_tf400813(emulator):
    # The SDK sends X-TFS-FedAuthRedirect: Suppress, so the answer is a 401 with a VSS body,
    # which the SDK raises as a service error carrying the message.
    connection = connect(org_url(emulator, "fabrikam"), "not-a-real-token")
    with pytest.raises(AzureDevOpsServiceError) as error:
        connection.clients.get_core_client().get_projects()
    assert "TF400813: The user '' is not authorized" in str(error.value)


def test_a_pat_without_code_scope_cannot_list_repositories(emulator):
    project_only = next(p["token"] for p in emulator["pats"] if p["scopes"] == ["vso.project"])
    connection = connect(org_url(emulator, "fabrikam"), project_only)
    assert connection.clients.get_core_client().get_projects(), "vso.project lists projects"
    with pytest.raises(AzureDevOpsServiceError) as error:
        connection.clients.get_git_client().get_repositories()
    assert "TF400813" in str(error.value)


def test_an_expired_pat_is_refused(emulator):
    expired = next(p["token"] for p in emulator["pats"] if p["expired"])
    connection = connect(org_url(emulator, "fabrikam"), expired)
    with pytest.raises(AzureDevOpsServiceError) as error:
        connection.clients.get_core_client().get_projects()
    assert "The Personal Access Token used has expired" in str(error.value)


def test_an_unknown_project_is_the_real_error(emulator):
    git = connect(collection_url(emulator, "DefaultCollection"), full_pat(emulator)).clients.get_git_client()
    with pytest.raises(AzureDevOpsServiceError) as error:
        git.get_repositories("No Such Project")
    assert "TF200016" in str(error.value)
