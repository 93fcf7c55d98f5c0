//! api-version: per-release limits, from the query or the Accept header.

use reqwest::Method;

use crate::support::*;

async fn with_accept(emu: &ado_emulator::Emulator, path: &str, accept: &str) -> Reply {
    let response = client()
        .get(format!("{}{path}", emu.base_url()))
        .basic_auth("", Some(FULL))
        .header("Accept", accept)
        .send()
        .await
        .unwrap();
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

#[tokio::test]
async fn each_server_release_refuses_newer_versions() {
    let emu = demo().await;
    let cases = [
        ("/tfs/DefaultCollection", "7.1", "7.0"),
        ("/azdo/DefaultCollection", "6.1", "6.0"),
        ("/LegacyCollection", "5.1", "5.0"),
    ];
    for (collection, too_new, max) in cases {
        let reply = get(
            &emu,
            &format!("{collection}/_apis/projects?api-version={too_new}"),
        )
        .await;
        assert_eq!(reply.status, 400, "{collection}");
        assert_eq!(reply.type_key(), "VssVersionOutOfRangeException");
        assert_eq!(
            reply.json()["typeName"],
            "Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi"
        );
        assert_eq!(
            reply.message(),
            format!("The requested REST API version of {too_new} is out of range for this server. The latest REST API version this server supports is {max}.")
        );
        let ok = get(
            &emu,
            &format!("{collection}/_apis/projects?api-version={max}"),
        )
        .await;
        assert_eq!(ok.status, 200, "{collection} accepts {max}");
    }
}

#[tokio::test]
async fn the_accept_header_carries_the_version_too() {
    let emu = demo().await;
    let refused = with_accept(
        &emu,
        "/tfs/DefaultCollection/_apis/projects",
        "application/json;api-version=7.1-preview.4",
    )
    .await;
    assert_eq!(refused.status, 400);
    let accepted = with_accept(
        &emu,
        "/tfs/DefaultCollection/_apis/projects",
        "application/json;api-version=7.0",
    )
    .await;
    assert_eq!(accepted.status, 200);
    assert_eq!(
        accepted.header("content-type"),
        Some("application/json; charset=utf-8; api-version=7.0")
    );
}

#[tokio::test]
async fn services_accept_7_2_only_as_preview() {
    let emu = demo().await;
    assert_eq!(
        get(&emu, "/fabrikam/_apis/projects?api-version=7.2-preview.4")
            .await
            .status,
        200
    );
    let released = get(&emu, "/fabrikam/_apis/projects?api-version=7.2").await;
    assert_eq!(released.status, 400);
    assert_eq!(released.type_key(), "VssInvalidPreviewVersionException");
    let future = get(&emu, "/fabrikam/_apis/projects?api-version=7.3").await;
    assert_eq!(future.type_key(), "VssVersionOutOfRangeException");
}

#[tokio::test]
async fn connection_data_is_a_preview_resource_and_needs_no_version() {
    let emu = demo().await;
    assert_eq!(
        get(&emu, "/fabrikam/_apis/connectionData").await.status,
        200
    );
    assert_eq!(
        get(
            &emu,
            "/fabrikam/_apis/connectionData?api-version=7.1-preview"
        )
        .await
        .status,
        200
    );
    let plain = get(&emu, "/fabrikam/_apis/connectionData?api-version=7.1").await;
    assert_eq!(plain.status, 400);
    assert_eq!(
        plain.message(),
        "The requested version \"7.1\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"7.1-preview\""
    );
}

#[tokio::test]
async fn a_garbled_version_is_a_400() {
    let emu = demo().await;
    let reply = get(&emu, "/fabrikam/_apis/projects?api-version=latest").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.type_key(), "VssInvalidApiResourceVersionException");
}

#[tokio::test]
async fn writes_are_not_served() {
    let emu = demo().await;
    let reply = send(
        Method::POST,
        &format!("{}/fabrikam/_apis/projects", emu.base_url()),
        Auth::Pat(FULL),
        true,
    )
    .await;
    assert_eq!(reply.status, 405);
}
