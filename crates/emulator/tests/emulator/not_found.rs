//! 404s carry the VSS body Azure DevOps sends for each kind of miss.

use crate::support::*;

#[tokio::test]
async fn unknown_project_by_name() {
    let emu = demo().await;
    let reply = get(&emu, "/tfs/DefaultCollection/_apis/projects/Nope").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.type_key(), "ProjectDoesNotExistWithNameException");
    assert_eq!(
        reply.message(),
        "TF200016: The following project does not exist: Nope. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server."
    );
    let repos = get(&emu, "/fabrikam/No%20Such/_apis/git/repositories").await;
    assert_eq!(repos.status, 404);
    assert!(
        repos.message().contains("does not exist: No Such."),
        "{}",
        repos.message()
    );
}

#[tokio::test]
async fn unknown_project_by_id() {
    let emu = demo().await;
    let id = "11111111-2222-3333-4444-555555555555";
    let reply = get(&emu, &format!("/fabrikam/_apis/projects/{id}")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.type_key(), "ProjectDoesNotExistException");
    assert!(
        reply.message().starts_with("VS800075:"),
        "{}",
        reply.message()
    );
}

#[tokio::test]
async fn unknown_repository() {
    let emu = demo().await;
    let reply = get(
        &emu,
        "/tfs/DefaultCollection/Fabrikam%20Fiber/_apis/git/repositories/nope",
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.type_key(), "GitRepositoryNotFoundException");
    assert_eq!(
        reply.message(),
        "TF401019: The Git repository with name or identifier nope does not exist or you do not have permissions for the operation you are attempting."
    );
    let other_project = get(
        &emu,
        "/tfs/DefaultCollection/Contoso%20Web/_apis/git/repositories/fiber-api",
    )
    .await;
    assert_eq!(
        other_project.status, 404,
        "a repository is looked up within its project"
    );
}

#[tokio::test]
async fn unknown_organization_and_collection() {
    let emu = demo().await;
    let org = get(&emu, "/nobody/_apis/projects").await;
    assert_eq!(org.status, 404);
    assert!(org.json()["typeKey"].is_string());
    let collection = get(&emu, "/tfs/NoCollection/_apis/projects").await;
    assert_eq!(collection.status, 404);
    assert_eq!(collection.type_key(), "CollectionDoesNotExistException");
}

#[tokio::test]
async fn unknown_routes_name_the_request() {
    let emu = demo().await;
    let reply = get(&emu, "/fabrikam/_apis/wit/workitems/1").await;
    assert_eq!(reply.status, 404);
    assert!(
        reply
            .message()
            .contains("GET /fabrikam/_apis/wit/workitems/1"),
        "{}",
        reply.message()
    );
}

/// A Server lists its collections (`GET {server}/_apis/projectCollections`): what a client names
/// when a collection is not found. Only to a credential that works on the server.
#[tokio::test]
async fn a_servers_collections_are_listed_to_a_caller_it_knows() {
    let emu = demo().await;
    let reply = get(&emu, "/TFS/_apis/projectcollections?api-version=7.0").await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(names(&body), ["DefaultCollection", "Big", "Empty"]);
    let first = &body["value"][0];
    assert!(
        first["id"].as_str().is_some_and(|id| id.len() == 36),
        "{first}"
    );
    assert_eq!(
        first["url"].as_str().unwrap(),
        format!(
            "{}/tfs/_apis/projectCollections/{}",
            emu.base_url(),
            first["id"].as_str().unwrap()
        )
    );
    let stranger = get_as(
        &emu,
        "/tfs/_apis/projectCollections",
        "not-a-known-token-0123456789",
    )
    .await;
    assert_eq!(stranger.status, 401, "nothing is listed to a stranger");
    let anonymous = send(
        reqwest::Method::GET,
        &format!("{}/tfs/_apis/projectCollections", emu.base_url()),
        Auth::None,
        true,
    )
    .await;
    assert_eq!(anonymous.status, 401);
}
