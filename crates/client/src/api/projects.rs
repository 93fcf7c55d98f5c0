//! `GET {base}/_apis/projects`, paged with `$top` and `continuationToken`; the next token comes in
//! the `x-ms-continuationtoken` response header, not the body (vsts-rest-api-specs#155).

use ado_core::ids::ProjectId;
use serde::Deserialize;

use super::{encode_segment, List, Page, API_VERSION};
use crate::{AdoClient, Error, Request};

/// A project as lists return it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TeamProjectReference {
    /// The project id (a GUID).
    pub id: ProjectId,
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

/// The most pages [`AdoClient::all_projects`] reads: 512 × 100 projects is far past any real
/// collection, and it bounds a server that keeps handing out tokens.
const MAX_PAGES: usize = 512;

/// Projects per page: the service's default page size. Microsoft documents no maximum for `$top`
/// here (see the emulator's FIDELITY.md), so the wizard does not rely on a larger one.
const PAGE: u32 = 100;

/// Pages read at once once the first page has said there are more.
const PAGES_AT_ONCE: usize = 8;

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

    /// Every project. The first page says whether there are more; Microsoft documents the
    /// continuation token of this list as "how many projects already been fetched" (a count), so
    /// the following pages are known in advance and are read [`PAGES_AT_ONCE`] at a time instead
    /// of one round trip after another. A token that is not a count is followed page by page.
    pub async fn all_projects(&self) -> Result<Vec<TeamProjectReference>, Error> {
        let first = self.projects_page(PAGE, None).await?;
        let mut projects = first.items;
        let Some(token) = first.continuation else {
            return Ok(projects);
        };
        let Ok(mut fetched) = token.trim().parse::<u64>() else {
            return self.follow_tokens(projects, token).await;
        };
        for _ in 0..MAX_PAGES / PAGES_AT_ONCE {
            let batch = (0..PAGES_AT_ONCE as u64).map(|i| {
                let offset = (fetched + i * u64::from(PAGE)).to_string();
                async move { self.projects_page(PAGE, Some(&offset)).await }
            });
            let pages = futures_util::future::try_join_all(batch).await?;
            for page in pages {
                let full = page.items.len() >= PAGE as usize;
                projects.extend(page.items);
                if page.continuation.is_none() || !full {
                    return Ok(projects);
                }
            }
            fetched += PAGES_AT_ONCE as u64 * u64::from(PAGE);
        }
        Ok(projects)
    }

    /// The rest of the projects after `projects`, following opaque tokens one page at a time.
    async fn follow_tokens(
        &self,
        mut projects: Vec<TeamProjectReference>,
        first_token: String,
    ) -> Result<Vec<TeamProjectReference>, Error> {
        let mut token = first_token;
        for _ in 1..MAX_PAGES {
            let page = self.projects_page(PAGE, Some(&token)).await?;
            projects.extend(page.items);
            match page.continuation {
                // A server repeating its token would loop forever.
                Some(next) if next != token => token = next,
                _ => break,
            }
        }
        Ok(projects)
    }
}
