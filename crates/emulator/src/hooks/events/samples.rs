//! Test notifications: the docs' sample world and sample events.

use super::*;

/// The sample world test notifications use unless real data is asked for: the names and ids of
/// the docs' sample payloads (`Fabrikam-Fiber-Git`, Jamal Hartnett), never contacted.
pub(super) fn sample_world() -> &'static World {
    static SAMPLE: OnceLock<World> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        // JSON rather than struct literals: fields added to scenario types later default.
        let scenario = Scenario::from_json(
            r#"{
              "name": "sample",
              "users": [{ "displayName": "Jamal Hartnett", "email": "fabrikamfiber4@hotmail.com",
                          "id": "54d125f7-69f7-4191-904f-c5b96b6261c8" }],
              "organizations": [{
                "name": "fabrikam-fiber-inc",
                "id": "c12d0eb8-e382-443b-9f9c-c52cba5014c2",
                "projects": [{
                  "name": "Fabrikam-Fiber-Git",
                  "id": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",
                  "repositories": [{ "name": "Fabrikam-Fiber-Git",
                                     "id": "278d5cd2-584d-4b63-824a-2ba458937249",
                                     "defaultBranch": "refs/heads/master" }]
                }]
              }]
            }"#,
        )
        .expect("the sample scenario parses");
        World::from_scenario(&scenario).expect("the sample world is valid")
    })
}

/// The sample resource containers the service attaches to sample events.
pub(super) fn sample_containers() -> Value {
    json!({
        "collection": { "id": "c12d0eb8-e382-443b-9f9c-c52cba5014c2" },
        "account": { "id": "f844ec47-a9db-4511-8281-8b63f4eaf94e" },
        "project": { "id": "be9b3917-87e6-42a4-a549-2bc06a7a878f" },
    })
}

pub(super) fn sample_event(
    kind: EventKind,
    host: &str,
    project: &str,
    repository: Option<&str>,
) -> Event {
    let mut event = Event::new(kind, host, project);
    event.repository = repository.map(str::to_string);
    if kind == EventKind::BuildCompleted {
        event.definition = Some("ConsumerAddressModule".to_string());
    }
    event
}

/// A test notification's event. Sample data (the docs' sample names, sample resource
/// containers) unless `real` names a project of the world, whose data is then used without
/// changing the world.
pub(crate) fn test_occurrence(
    world: &World,
    host: Option<HostRef>,
    event_type: &str,
    publisher_inputs: &BTreeMap<String, String>,
    real: bool,
    base_url: &str,
) -> Option<Occurrence> {
    let kind = EventKind::from_event_type(event_type)?;
    let project = publisher_inputs
        .get("projectId")
        .and_then(|id| Uuid::parse_str(id).ok());
    if real {
        if let (Some(host), Some(project)) = (host, project) {
            let mut scratch = world.clone();
            let mut store = HookStore::default();
            let path = host_path(world, host);
            let repository = publisher_inputs
                .get("repository")
                .filter(|r| !r.trim().is_empty())
                .cloned();
            let project = project.to_string();
            if matches!(
                kind,
                EventKind::PullRequestUpdated | EventKind::PullRequestMerged
            ) {
                let created = sample_event(
                    EventKind::PullRequestCreated,
                    &path,
                    &project,
                    repository.as_deref(),
                );
                apply(&mut scratch, &mut store, base_url, &created).ok()?;
            }
            let event = sample_event(kind, &path, &project, repository.as_deref());
            if let Ok(occurrence) = apply(&mut scratch, &mut store, base_url, &event) {
                return Some(occurrence);
            }
        }
    }
    let mut scratch = sample_world().clone();
    let mut store = HookStore::default();
    if matches!(
        kind,
        EventKind::PullRequestUpdated | EventKind::PullRequestMerged
    ) {
        let created = sample_event(
            EventKind::PullRequestCreated,
            "fabrikam-fiber-inc",
            "Fabrikam-Fiber-Git",
            None,
        );
        apply(&mut scratch, &mut store, "https://dev.azure.com", &created).ok()?;
    }
    let event = sample_event(kind, "fabrikam-fiber-inc", "Fabrikam-Fiber-Git", None);
    let mut occurrence = apply(&mut scratch, &mut store, "https://dev.azure.com", &event).ok()?;
    occurrence.resource_containers = sample_containers();
    Some(occurrence)
}
