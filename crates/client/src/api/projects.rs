//! `GET {base}/_apis/projects`, paged with `$top` and `continuationToken`; the next token comes in
//! the `x-ms-continuationtoken` response header, not the body (vsts-rest-api-specs#155).

use serde::Deserialize;

use super::{encode_segment, List, Page, API_VERSION};
use crate::{AdoClient, Error, Request};

/// A project as lists return it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TeamProjectReference {
    /// The project id (a GUID).
    pub id: String,
    /// The project name.
    pub name: String,
    /// The description, if any.
    #[serde(default)]
    pub description: Option<String>,
    /// The REST URL of the project.
    #[serde(default)]
    pub url: Option<String>,
    /// `wellFormed` for usable projects.
    #[serde(default)]
    pub state: Option<String>,
    /// `private` or `public`.
    #[serde(default)]
    pub visibility: Option<String>,
}

/// The most pages [`AdoClient::all_projects`] follows: 500 × 100 projects is far past any real
/// collection, and it bounds a server that keeps handing out tokens.
const MAX_PAGES: usize = 500;

impl AdoClient {
    /// One page of projects. `continuation` is the token from the previous page.
    pub async fn projects_page(
        &self,
        top: u32,
        continuation: Option<&str>,
    ) -> Result<Page<TeamProjectReference>, Error> {
        let mut request = Request::get("_apis/projects")
            .query("$top", top)
            .api_version(API_VERSION);
        if let Some(token) = continuation {
            request = request.query("continuationToken", token);
        }
        let response = self.send(request).await?;
        let list: List<TeamProjectReference> = response.json()?;
        let continuation = response
            .header("x-ms-continuationtoken")
            .map(str::to_string)
            .filter(|t| !t.is_empty());
        Ok(Page {
            items: list.value,
            continuation,
        })
    }

    /// The request [`AdoClient::projects_page`] sends for the first page.
    pub fn projects_request(&self, top: u32) -> Request {
        Request::get("_apis/projects")
            .query("$top", top)
            .api_version(API_VERSION)
    }

    /// One project by name or id.
    pub async fn project(&self, name_or_id: &str) -> Result<TeamProjectReference, Error> {
        self.get_json(
            Request::get(format!("_apis/projects/{}", encode_segment(name_or_id)))
                .api_version(API_VERSION),
        )
        .await
    }

    /// Every project, following continuation tokens.
    pub async fn all_projects(&self) -> Result<Vec<TeamProjectReference>, Error> {
        let mut projects = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.projects_page(100, token.as_deref()).await?;
            projects.extend(page.items);
            match page.continuation {
                // A server repeating its token would loop forever.
                Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                _ => break,
            }
        }
        Ok(projects)
    }
}
