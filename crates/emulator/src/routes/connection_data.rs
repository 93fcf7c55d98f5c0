//! `GET _apis/connectionData`: reads `connectOptions` and `lastChangeId[64]`; the body is
//! `resources/connection_data.rs`.

use serde_json::Value;

use super::Incoming;
use crate::auth::Principal;
use crate::resources::connection_data::{
    connection_data, INCLUDE_LAST_USER_ACCESS, INCLUDE_SERVICES,
};
use crate::resources::Site;

/// Parses `connectOptions` given as a number or as flag names (`includeServices`, comma-separated).
fn connect_options(raw: Option<String>) -> u32 {
    let Some(raw) = raw else { return 0 };
    if let Ok(n) = raw.trim().parse::<u32>() {
        return n;
    }
    raw.split(',')
        .map(|flag| match flag.trim().to_ascii_lowercase().as_str() {
            "includeservices" => INCLUDE_SERVICES,
            "includelastuseraccess" => INCLUDE_LAST_USER_ACCESS,
            "includeinheriteddefinitionsonly" => 4,
            "includenoninheriteddefinitionsonly" => 8,
            _ => 0,
        })
        .fold(0, |acc, flag| acc | flag)
}

/// `GET _apis/connectionData`.
pub(crate) fn build(site: &Site<'_>, principal: &Principal, incoming: &Incoming<'_>) -> Value {
    let options = connect_options(incoming.query_param("connectOptions"));
    let client_change_id = incoming
        .query_param("lastChangeId64")
        .or_else(|| incoming.query_param("lastChangeId"))
        .and_then(|v| v.trim().parse::<i64>().ok());
    connection_data(site, &principal.user, options, client_change_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_options_parse_numbers_and_names() {
        assert_eq!(connect_options(None), 0);
        assert_eq!(connect_options(Some("1".into())), 1);
        assert_eq!(connect_options(Some("includeServices".into())), 1);
        assert_eq!(
            connect_options(Some("IncludeServices, includeLastUserAccess".into())),
            3
        );
    }
}
