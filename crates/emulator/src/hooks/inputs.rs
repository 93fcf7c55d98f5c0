//! What the `tfs` publisher and the `webHooks` consumer accept: event types, input
//! descriptors, validation, masking, and which token scopes cover which event types.
//!
//! Sources: the consumer's descriptor is the spec's (`hooks/*/httpExamples/consumers/
//! GET__hooks_consumers*.json`: `url` uri and required; `httpHeaders` with its pattern;
//! `basicAuthUsername`/`basicAuthPassword` `^[\S]+$`, 1–256, the password confidential;
//! the three combos). Validation follows the service's `InputDescriptor.Validate` (trimmed
//! value; pattern with .NET semantics; min/max length; `uri` = absolute `http`/`https`;
//! `guid`), its `ValidateConsumerInput` (a given input may not be empty, may not be the mask
//! `********` on create, must be known) and then the required-input check. Possible values of
//! combos are not enforced, as the service does not (Terraform sends `all`). Event types and
//! publisher inputs are docs `service-hooks/events.md`; the scope table is the service's own
//! (`ServiceHooksPublisherControllerBase`).

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::errors::VssError;

/// The value confidential inputs are shown as.
pub(crate) const MASK: &str = "********";

/// The webHooks `httpHeaders` pattern, verbatim from the consumer descriptor.
pub(crate) const HTTP_HEADERS_PATTERN: &str =
    r"^([\S]+[\s]*:[\s]*[\S]+[\s]*[\r\n\f]+)*?([\S]+[\s]*:[\s]*[\S]+)+$";

/// The basic-auth inputs' pattern.
const NO_SPACE_PATTERN: &str = r"^[\S]+$";

/// The publisher.
pub(crate) const PUBLISHER_ID: &str = "tfs";
/// The one consumer the emulator has.
pub(crate) const CONSUMER_ID: &str = "webHooks";
/// Its one action.
pub(crate) const ACTION_ID: &str = "httpRequest";

/// Which read scope an event type belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    Code,
    Build,
    Work,
}

/// An event type of the `tfs` publisher.
#[derive(Debug)]
pub(crate) struct EventTypeDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub area: Area,
    /// Publisher inputs besides `projectId`.
    pub inputs: &'static [&'static str],
}

pub(crate) const EVENT_TYPES: &[EventTypeDef] = &[
    EventTypeDef {
        id: "build.complete",
        name: "Build completed",
        description: "A build completes",
        area: Area::Build,
        inputs: &["definitionName", "buildStatus"],
    },
    EventTypeDef {
        id: "git.push",
        name: "Code pushed",
        description: "Code is pushed to a Git repository.",
        area: Area::Code,
        inputs: &["repository", "branch", "pushedBy"],
    },
    EventTypeDef {
        id: "git.pullrequest.created",
        name: "Pull request created",
        description: "A pull request is created in a Git repository.",
        area: Area::Code,
        inputs: &["repository", "branch", "pullrequestCreatedBy", "pullrequestReviewersContains"],
    },
    EventTypeDef {
        id: "git.pullrequest.merged",
        name: "Pull request merge attempted",
        description: "A merge commit was created on a pull request.",
        area: Area::Code,
        inputs: &[
            "repository",
            "branch",
            "pullrequestCreatedBy",
            "pullrequestReviewersContains",
            "mergeResult",
        ],
    },
    EventTypeDef {
        id: "git.pullrequest.updated",
        name: "Pull request updated",
        description: "A pull request is updated; status, review list, reviewer vote changed, or the source branch is updated with a push.",
        area: Area::Code,
        inputs: &[
            "repository",
            "branch",
            "pullrequestCreatedBy",
            "pullrequestReviewersContains",
            "notificationType",
        ],
    },
    EventTypeDef {
        id: "tfvc.checkin",
        name: "Code checked in",
        description: "A changeset is checked into TFVC.",
        area: Area::Code,
        inputs: &["path"],
    },
    EventTypeDef {
        id: "workitem.commented",
        name: "Work item commented on",
        description: "A comment is added to a work item.",
        area: Area::Work,
        inputs: &["areaPath", "workItemType", "commentPattern"],
    },
    EventTypeDef {
        id: "workitem.created",
        name: "Work item created",
        description: "A work item is created.",
        area: Area::Work,
        inputs: &["areaPath", "workItemType"],
    },
    EventTypeDef {
        id: "workitem.deleted",
        name: "Work item deleted",
        description: "A work item is deleted.",
        area: Area::Work,
        inputs: &["areaPath", "workItemType"],
    },
    EventTypeDef {
        id: "workitem.restored",
        name: "Work item restored",
        description: "A work item is restored.",
        area: Area::Work,
        inputs: &["areaPath", "workItemType"],
    },
    EventTypeDef {
        id: "workitem.updated",
        name: "Work item updated",
        description: "A work item is changed.",
        area: Area::Work,
        inputs: &["areaPath", "workItemType", "changedFields"],
    },
];

/// An event type by id (case-insensitive).
pub(crate) fn event_type(id: &str) -> Option<&'static EventTypeDef> {
    EVENT_TYPES.iter().find(|e| e.id.eq_ignore_ascii_case(id))
}

/// Whether the token's scopes cover subscriptions to `event_type`, per the service's table:
/// reading needs one of the area's scopes (read or stronger) or `vso.hooks`/`vso.hooks_write`;
/// writing (create, delete, change of event type) the same without `vso.hooks`. A full-access
/// token (`app_token`, or the Entra `user_impersonation`) covers everything.
pub(crate) fn scopes_cover(scopes: &[String], event_type: &str, write: bool) -> bool {
    if scopes
        .iter()
        .any(|s| s == "app_token" || s == "user_impersonation" || s == "preview_api_all")
    {
        return true;
    }
    let Some(def) = self::event_type(event_type) else {
        // Event types outside the table are not scope-checked by the service.
        return true;
    };
    let area_scopes: &[&str] = match def.area {
        Area::Code => &[
            "vso.code",
            "vso.code_write",
            "vso.code_manage",
            "vso.code_full",
        ],
        Area::Build => &["vso.build", "vso.build_execute"],
        Area::Work => &["vso.work", "vso.work_write", "vso.work_full"],
    };
    scopes.iter().any(|s| {
        area_scopes.contains(&s.as_str()) || s == "vso.hooks_write" || (!write && s == "vso.hooks")
    })
}

fn regex(pattern: &'static str, cell: &'static OnceLock<Regex>) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// `(id, name, description, inputMode, confidential, dataType, required, pattern, min, max)`.
type ConsumerInputDef = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    bool,
    Option<&'static str>,
    Option<usize>,
    Option<usize>,
);

const BASIC_AUTH_NOTE: &str = "Basic HTTP authentication sends credentials in plain text (unencrypted) which means you should use a URL beginning with \"https\" to enable encryption of these credentials via secure transport layer (SSL).";

const CONSUMER_INPUTS: &[ConsumerInputDef] = &[
    ("url", "URL", "The URL to which an HTTP POST will be sent.", "textBox", false, "uri", true, None, None, None),
    ("acceptUntrustedCerts", "Accept untrusted SSL certificates", "Accept any SSL certificate the receiver presents, even an untrusted one.", "checkBox", false, "boolean", false, None, None, None),
    ("httpHeaders", "HTTP headers", "HTTP header keys and values separated by a colon(e.g. \"Key1:value1\") with each key-value-pair appearing on its own line of text.", "textArea", false, "string", false, Some(HTTP_HEADERS_PATTERN), None, None),
    ("basicAuthUsername", "Basic authentication username", "Enter a username for standard HTTP authentication.", "textBox", false, "string", false, Some(NO_SPACE_PATTERN), Some(1), Some(256)),
    ("basicAuthPassword", "Basic authentication password", "Enter a password for standard HTTP authentication.", "passwordBox", true, "string", false, Some(NO_SPACE_PATTERN), Some(1), Some(256)),
    ("resourceDetailsToSend", "Resource details to send", "Control the resource fields to send", "combo", false, "string", false, None, None, None),
    ("messagesToSend", "Messages to send", "Control the messages to send", "combo", false, "string", false, None, None, None),
    ("detailedMessagesToSend", "Detailed messages to send", "Control the detailed messages to send", "combo", false, "string", false, None, None, None),
];

/// Whether a consumer input is confidential (served as [`MASK`]).
pub(crate) fn is_confidential(input: &str) -> bool {
    CONSUMER_INPUTS
        .iter()
        .any(|d| d.0.eq_ignore_ascii_case(input) && d.4)
}

/// Consumer inputs as served: confidential values masked.
pub(crate) fn masked(inputs: &[(String, String)]) -> Vec<(String, String)> {
    inputs
        .iter()
        .map(|(k, v)| {
            let v = if is_confidential(k) {
                MASK.to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

/// The JSON object of inputs, in their order.
pub(crate) fn inputs_json(inputs: &[(String, String)]) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in inputs {
        map.insert(k.clone(), json!(v));
    }
    Value::Object(map)
}

fn combo_values(id: &str) -> Option<Value> {
    let values: &[(&str, &str)] = match id {
        "resourceDetailsToSend" => &[("", "All"), ("minimal", "Minimal"), ("none", "None")],
        "messagesToSend" | "detailedMessagesToSend" => &[
            ("", "All"),
            ("text", "Text"),
            ("html", "HTML"),
            ("markdown", "Markdown"),
            ("none", "None"),
        ],
        _ => return None,
    };
    Some(json!({
        "inputId": id,
        "defaultValue": "",
        "possibleValues": values.iter().map(|(v, d)| json!({"value": v, "displayValue": d})).collect::<Vec<_>>(),
        "isLimitedToPossibleValues": true,
    }))
}

fn consumer_input_descriptor(def: &ConsumerInputDef) -> Value {
    let (id, name, description, mode, confidential, data_type, required, pattern, min, max) = *def;
    let description = if id.starts_with("basicAuth") {
        format!("{description}  {BASIC_AUTH_NOTE}")
    } else {
        description.to_string()
    };
    let mut validation = json!({ "dataType": data_type });
    if required {
        validation["isRequired"] = json!(true);
    }
    if let Some(pattern) = pattern {
        validation["pattern"] = json!(pattern);
    }
    if let Some(min) = min {
        validation["minLength"] = json!(min);
    }
    if let Some(max) = max {
        validation["maxLength"] = json!(max);
    }
    let mut value = json!({
        "id": id,
        "name": name,
        "description": description,
        "inputMode": mode,
        "isConfidential": confidential,
        "useInDefaultDescription": false,
        "validation": validation,
    });
    if let Some(values) = combo_values(id) {
        value["values"] = values;
    }
    value
}

/// The `webHooks` consumer (`Consumer`), its `httpRequest` action included.
pub(crate) fn consumer(base: &str) -> Value {
    json!({
        "id": CONSUMER_ID,
        "url": format!("{base}/_apis/hooks/consumers/{CONSUMER_ID}"),
        "name": "Web Hooks",
        "description": "Provides event communication via HTTP",
        "informationUrl": "https://go.microsoft.com/fwlink/?LinkID=390531",
        "authenticationType": "none",
        "inputDescriptors": [],
        "actions": [consumer_action(base)],
    })
}

/// The `httpRequest` action (`ConsumerAction`).
pub(crate) fn consumer_action(base: &str) -> Value {
    json!({
        "id": ACTION_ID,
        "consumerId": CONSUMER_ID,
        "url": format!("{base}/_apis/hooks/consumers/{CONSUMER_ID}/actions/{ACTION_ID}"),
        "name": "Post via HTTP",
        "description": "This action posts a JSON object representation of the event to the specified URL. Secure, HTTPS endpoints are recommended due to the potential for private data in the event payload. <a href='https://go.microsoft.com/fwlink/?LinkID=390531'>Learn More</a>",
        "supportedEventTypes": ["*"],
        "supportedResourceVersions": {},
        "allowResourceVersionOverride": true,
        "inputDescriptors": CONSUMER_INPUTS.iter().map(consumer_input_descriptor).collect::<Vec<_>>(),
    })
}

fn publisher_input_descriptor(id: &str) -> Value {
    let (name, description, data_type, values): (&str, &str, &str, &[&str]) = match id {
        "projectId" => (
            "Project",
            "The project in which events are published",
            "guid",
            &[],
        ),
        "repository" => (
            "Repository",
            "The repository that code was pushed to",
            "guid",
            &[],
        ),
        "branch" => (
            "Branch",
            "The branch that code was pushed into",
            "string",
            &[],
        ),
        "pushedBy" => (
            "Pushed by a member of group",
            "A group that has the pusher as its member",
            "string",
            &[],
        ),
        "pullrequestCreatedBy" => (
            "Requested by a member of group",
            "A group that has the requester as a member",
            "string",
            &[],
        ),
        "pullrequestReviewersContains" => (
            "Reviewer includes group",
            "A group included in the reviewers list",
            "string",
            &[],
        ),
        "mergeResult" => (
            "Merge result",
            "The result of the merge",
            "string",
            &[
                "Succeeded",
                "Unsuccessful",
                "Conflicts",
                "Failure",
                "RejectedByPolicy",
            ],
        ),
        "notificationType" => (
            "Change",
            "The type of pull request change",
            "string",
            &[
                "PushNotification",
                "ReviewersUpdateNotification",
                "StatusUpdateNotification",
                "ReviewerVoteNotification",
            ],
        ),
        "definitionName" => (
            "Build pipeline",
            "Filter events to include only completed builds for the specified pipeline",
            "string",
            &[],
        ),
        "buildStatus" => (
            "Build status",
            "Filter events to include only completed builds for the specified completion status",
            "string",
            &["Succeeded", "PartiallySucceeded", "Failed", "Stopped"],
        ),
        "path" => (
            "Under path",
            "Filter to checkins that change one or more files under the specified path",
            "string",
            &[],
        ),
        "areaPath" => (
            "Area path",
            "Filter events to include only work items under the specified area path.",
            "string",
            &[],
        ),
        "workItemType" => (
            "Work item type",
            "Filter events to include only work items of the specified type.",
            "string",
            &[],
        ),
        "changedFields" => (
            "Field",
            "Filter events to include only work items with the specified field(s) changed",
            "string",
            &[],
        ),
        "commentPattern" => (
            "Contains string",
            "The string that must be found in the comment.",
            "string",
            &[],
        ),
        _ => (id, "", "string", &[]),
    };
    let mut value = json!({
        "id": id,
        "name": name,
        "description": description,
        "inputMode": "combo",
        "isConfidential": false,
        "useInDefaultDescription": true,
        "validation": { "dataType": data_type, "isRequired": id == "projectId" || id == "path" },
    });
    if !values.is_empty() {
        let mut possible = vec![json!({"value": "", "displayValue": "[Any]"})];
        possible.extend(
            values
                .iter()
                .map(|v| json!({"value": v, "displayValue": v})),
        );
        value["values"] = json!({
            "inputId": id,
            "defaultValue": "",
            "possibleValues": possible,
            "isLimitedToPossibleValues": true,
        });
    }
    value
}

/// An `EventTypeDescriptor`.
pub(crate) fn event_type_descriptor(base: &str, def: &EventTypeDef) -> Value {
    json!({
        "publisherId": PUBLISHER_ID,
        "id": def.id,
        "url": format!("{base}/_apis/hooks/publishers/{PUBLISHER_ID}/eventTypes/{}", def.id),
        "name": def.name,
        "description": def.description,
        "supportedResourceVersions": ["1.0"],
        "inputDescriptors": def.inputs.iter().map(|i| publisher_input_descriptor(i)).collect::<Vec<_>>(),
    })
}

/// The `tfs` publisher (`Publisher`).
pub(crate) fn publisher(base: &str) -> Value {
    json!({
        "id": PUBLISHER_ID,
        "url": format!("{base}/_apis/hooks/publishers/{PUBLISHER_ID}"),
        "name": "Azure DevOps",
        "description": "Azure DevOps",
        "supportedEvents": EVENT_TYPES.iter().map(|e| event_type_descriptor(base, e)).collect::<Vec<_>>(),
        "inputDescriptors": [publisher_input_descriptor("projectId")],
    })
}

/// Validates one consumer input value as `InputDescriptor.Validate` does.
fn validate_consumer_input(id: &str, value: &str, creating: bool) -> Result<(), VssError> {
    if value.trim().is_empty() {
        return Err(VssError::subscription_input(format!(
            "The value of consumer input '{id}' is missing."
        )));
    }
    if value == MASK {
        if creating {
            return Err(VssError::subscription_input(format!(
                "The value of input '{id}' for consumer '{CONSUMER_ID}' action '{ACTION_ID}' is masked. Send the actual value."
            )));
        }
        // On update a masked value means "keep the stored one" and is not validated.
        return Ok(());
    }
    let Some(def) = CONSUMER_INPUTS.iter().find(|d| d.0 == id) else {
        return Err(VssError::subscription_input(format!(
            "The input '{id}' is not an input of consumer '{CONSUMER_ID}' action '{ACTION_ID}'."
        )));
    };
    let (_, _, _, _, _, data_type, _, pattern, min, max) = *def;
    let value = value.trim();
    if let Some(pattern) = pattern {
        static HEADERS: OnceLock<Regex> = OnceLock::new();
        static NO_SPACE: OnceLock<Regex> = OnceLock::new();
        let re = if pattern == HTTP_HEADERS_PATTERN {
            regex(HTTP_HEADERS_PATTERN, &HEADERS)
        } else {
            regex(NO_SPACE_PATTERN, &NO_SPACE)
        };
        if !re.is_match(value) {
            return Err(VssError::subscription_input(format!(
                "The value of input '{id}' does not match the pattern '{pattern}'."
            )));
        }
    }
    let length = value.chars().count();
    if let (Some(min), Some(max)) = (min, max) {
        if length < min || length > max {
            return Err(VssError::subscription_input(format!(
                "The length of input '{id}' is {length}; it must be between {min} and {max} characters."
            )));
        }
    }
    let mismatch = || {
        VssError::subscription_input(format!(
            "The value of input '{id}' is not a valid {}.",
            match data_type {
                "uri" => "Uri",
                "boolean" => "Boolean",
                other => other,
            }
        ))
    };
    match data_type {
        "uri" => match reqwest::Url::parse(value) {
            Ok(url) if (url.scheme() == "http" || url.scheme() == "https") && url.has_host() => {}
            _ => return Err(mismatch()),
        },
        "boolean"
            if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") =>
        {
            return Err(mismatch());
        }
        _ => {}
    }
    Ok(())
}

/// Validates a subscription's consumer inputs (given ones first, then the required `url`).
pub(crate) fn validate_consumer_inputs(
    inputs: &[(String, String)],
    creating: bool,
) -> Result<(), VssError> {
    for (id, value) in inputs {
        validate_consumer_input(id, value, creating)?;
    }
    if !inputs.iter().any(|(id, _)| id == "url") {
        return Err(VssError::subscription_input(
            "The required input 'url' (URL) of consumer 'Web Hooks' action 'Post via HTTP' is missing.".to_string(),
        ));
    }
    Ok(())
}

/// Validates publisher inputs whose data type or values the emulator knows.
pub(crate) fn validate_publisher_inputs(
    inputs: &std::collections::BTreeMap<String, String>,
) -> Result<(), VssError> {
    for (id, value) in inputs {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let allowed: &[&str] = match id.as_str() {
            "projectId" | "repository" => {
                if Uuid::parse_str(value).is_err() {
                    return Err(VssError::subscription_input(format!(
                        "The value of input '{id}' is not a valid guid."
                    )));
                }
                continue;
            }
            "mergeResult" => &[
                "Succeeded",
                "Unsuccessful",
                "Conflicts",
                "Failure",
                "RejectedByPolicy",
            ],
            "notificationType" => &[
                "PushNotification",
                "ReviewersUpdateNotification",
                "StatusUpdateNotification",
                "ReviewerVoteNotification",
            ],
            "buildStatus" => &["Succeeded", "PartiallySucceeded", "Failed", "Stopped"],
            _ => continue,
        };
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(value)) {
            return Err(VssError::subscription_input(format!(
                "The value '{value}' is not valid for input '{id}'. Valid values: {}.",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// Parses `httpHeaders` into name/value pairs (one `Key:value` per line).
pub(crate) fn parse_headers(raw: &str) -> Vec<(String, String)> {
    raw.split(['\r', '\n', '\u{c}'])
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            let (name, value) = (name.trim(), value.trim());
            (!name.is_empty()).then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_ok(value: &str) -> bool {
        validate_consumer_input("httpHeaders", value, true).is_ok()
    }

    #[test]
    fn http_headers_follow_the_service_pattern() {
        assert!(headers_ok("X-Token:abc"));
        assert!(headers_ok("X-Token: abc\nX-Other:v"));
        assert!(
            headers_ok("X-Token:abc\r\nX-Other : v\r\n"),
            "trimmed first"
        );
        assert!(!headers_ok("no colon here"));
        assert!(
            !headers_ok("Authorization: Bearer abc"),
            "values may not contain spaces"
        );
        assert!(!headers_ok("X-Token:"));
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(validate_consumer_input("url", "https://example.com/hook", true).is_ok());
        assert!(validate_consumer_input("url", "http://127.0.0.1:9/x", true).is_ok());
        assert!(validate_consumer_input("url", "/relative", true).is_err());
        assert!(validate_consumer_input("url", "ftp://example.com/", true).is_err());
    }

    #[test]
    fn basic_auth_values_have_no_spaces_and_bounded_length() {
        assert!(validate_consumer_input("basicAuthUsername", "user", true).is_ok());
        assert!(validate_consumer_input("basicAuthUsername", "a user", true).is_err());
        let long = "p".repeat(257);
        assert!(validate_consumer_input("basicAuthPassword", &long, true).is_err());
    }

    #[test]
    fn masks_only_on_update() {
        assert!(validate_consumer_input("basicAuthPassword", MASK, true).is_err());
        assert!(validate_consumer_input("basicAuthPassword", MASK, false).is_ok());
    }

    #[test]
    fn unknown_and_empty_inputs_are_refused() {
        assert!(validate_consumer_input("signingSecret", "x", true).is_err());
        assert!(validate_consumer_input("messagesToSend", "", true).is_err());
        assert!(
            validate_consumer_inputs(&[], true).is_err(),
            "url is required"
        );
    }

    #[test]
    fn scopes_cover_their_areas() {
        let code = vec!["vso.code".to_string()];
        assert!(scopes_cover(&code, "git.push", true));
        assert!(!scopes_cover(&code, "build.complete", false));
        let hooks_read = vec!["vso.hooks".to_string()];
        assert!(scopes_cover(&hooks_read, "build.complete", false));
        assert!(!scopes_cover(&hooks_read, "build.complete", true));
        assert!(scopes_cover(
            &["app_token".to_string()],
            "workitem.created",
            true
        ));
    }

    #[test]
    fn headers_parse_into_pairs() {
        assert_eq!(
            parse_headers("A:1\r\nB : two\n\nC:3"),
            vec![
                ("A".to_string(), "1".to_string()),
                ("B".to_string(), "two".to_string()),
                ("C".to_string(), "3".to_string())
            ]
        );
    }
}
