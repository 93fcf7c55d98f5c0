//! Which subscriptions an occurrence matches (publisher inputs as filters).

use super::*;

/// Whether a subscription wants an occurrence (publisher inputs as filters).
pub(crate) fn matches(subscription: &Subscription, occurrence: &Occurrence) -> bool {
    if subscription.host_id != occurrence.host_id
        || !subscription.publisher_id.eq_ignore_ascii_case(PUBLISHER_ID)
        || !subscription
            .event_type
            .eq_ignore_ascii_case(occurrence.event_type)
    {
        return false;
    }
    let input = |id: &str| {
        subscription
            .publisher_inputs
            .get(id)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    if let Some(project) = input("projectId") {
        if Uuid::parse_str(project).ok() != Some(occurrence.project_id) {
            return false;
        }
    }
    if let Some(repository) = input("repository") {
        if Uuid::parse_str(repository).ok() != occurrence.repository_id {
            return false;
        }
    }
    if let Some(branch) = input("branch") {
        let Some(actual) = &occurrence.branch else {
            return false;
        };
        if !full_ref(branch).eq_ignore_ascii_case(actual) {
            return false;
        }
    }
    for who in ["pushedBy", "pullrequestCreatedBy"] {
        if let Some(who) = input(who) {
            // Groups are not modelled: the filter matches the actor's id, email or name.
            let is_actor = who.eq_ignore_ascii_case(&occurrence.actor_email)
                || who.eq_ignore_ascii_case(&occurrence.actor_name)
                || Uuid::parse_str(who).ok() == Some(occurrence.actor_id);
            if !is_actor {
                return false;
            }
        }
    }
    if input("pullrequestReviewersContains").is_some() {
        // Pull requests have no reviewers here, so no reviewer group can be contained.
        return false;
    }
    if let Some(wanted) = input("mergeResult") {
        let Some(actual) = &occurrence.merge_result else {
            return false;
        };
        let ok = if wanted.eq_ignore_ascii_case("Unsuccessful") {
            !actual.eq_ignore_ascii_case("Succeeded")
        } else {
            wanted.eq_ignore_ascii_case(actual)
        };
        if !ok {
            return false;
        }
    }
    if let Some(wanted) = input("notificationType") {
        if !occurrence
            .notification_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(wanted))
        {
            return false;
        }
    }
    if let Some(wanted) = input("buildStatus") {
        if !occurrence
            .build_status
            .is_some_and(|s| s.eq_ignore_ascii_case(wanted))
        {
            return false;
        }
    }
    if let Some(wanted) = input("definitionName") {
        if !occurrence
            .definition_name
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case(wanted))
        {
            return false;
        }
    }
    true
}
