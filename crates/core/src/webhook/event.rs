//! The events the wizard offers, with their `eventType`, CLI names, labels and fixed filters.

use serde::{Deserialize, Serialize};

/// An event the wizard can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// `git.pullrequest.created`.
    #[serde(rename = "git.pullrequest.created")]
    PullRequestCreated,
    /// `git.pullrequest.updated`: pushes, reviewers, votes, status changes.
    #[serde(rename = "git.pullrequest.updated")]
    PullRequestUpdated,
    /// `git.pullrequest.merged` with `mergeResult = Succeeded`. Without that filter the event
    /// ("Pull request merge attempted") also fires on create and on every push
    /// (microsoft/azure-pipelines-tasks#5813).
    #[serde(rename = "git.pullrequest.merged")]
    PullRequestMerged,
    /// `git.push`.
    #[serde(rename = "git.push")]
    CodePushed,
    /// `build.complete`.
    #[serde(rename = "build.complete")]
    BuildCompleted,
}

impl EventKind {
    /// Every event, in the order the UI lists them.
    pub const ALL: [EventKind; 5] = [
        EventKind::PullRequestCreated,
        EventKind::PullRequestUpdated,
        EventKind::PullRequestMerged,
        EventKind::CodePushed,
        EventKind::BuildCompleted,
    ];

    /// The `eventType` Azure DevOps uses, e.g. `git.push`.
    pub fn event_type(self) -> &'static str {
        match self {
            EventKind::PullRequestCreated => "git.pullrequest.created",
            EventKind::PullRequestUpdated => "git.pullrequest.updated",
            EventKind::PullRequestMerged => "git.pullrequest.merged",
            EventKind::CodePushed => "git.push",
            EventKind::BuildCompleted => "build.complete",
        }
    }

    /// The event for an `eventType`, case-insensitively; `None` for events the wizard does not offer.
    pub fn from_event_type(event_type: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|e| e.event_type().eq_ignore_ascii_case(event_type.trim()))
    }

    /// The CLI's name: `pr-created`, `pr-updated`, `pr-merged`, `push`, `build-completed`.
    pub fn cli_name(self) -> &'static str {
        match self {
            EventKind::PullRequestCreated => "pr-created",
            EventKind::PullRequestUpdated => "pr-updated",
            EventKind::PullRequestMerged => "pr-merged",
            EventKind::CodePushed => "push",
            EventKind::BuildCompleted => "build-completed",
        }
    }

    /// Parses a CLI name; the `eventType` is accepted too.
    pub fn from_cli_name(name: &str) -> Option<EventKind> {
        let name = name.trim();
        EventKind::ALL
            .into_iter()
            .find(|e| e.cli_name().eq_ignore_ascii_case(name))
            .or_else(|| EventKind::from_event_type(name))
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::PullRequestCreated => "Pull request created",
            EventKind::PullRequestUpdated => "Pull request updated",
            EventKind::PullRequestMerged => "Pull request merged",
            EventKind::CodePushed => "Code pushed",
            EventKind::BuildCompleted => "Build completed",
        }
    }

    /// True for Git events, which can be narrowed to a repository and branch. Build events are
    /// per project (their filters are a pipeline definition and a result, which the wizard does
    /// not offer).
    pub fn is_git(self) -> bool {
        !matches!(self, EventKind::BuildCompleted)
    }

    /// The `publisherInputs` this event gets besides project, repository and branch.
    pub(super) fn fixed_inputs(self) -> &'static [(&'static str, &'static str)] {
        match self {
            EventKind::PullRequestMerged => &[("mergeResult", "Succeeded")],
            _ => &[],
        }
    }
}
