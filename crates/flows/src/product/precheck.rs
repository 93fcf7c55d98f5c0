//! What is decided before anything is sent ([`precheck`]): for the connect step, the moment a
//! paste or the deployment choice reveals it, and as the first part of every product check.

use ado_core::checks::CheckCode;
use ado_core::preflight::Status;
use ado_core::product::verdicts::{self, Restriction, Rule};
use ado_core::product::{ProductProfile, SignInMethod};
use ado_core::target::{ConnectionTarget, Deployment, Field};

/// What is known before anything is sent: for the connect step (the moment a paste or the
/// deployment choice reveals it) and as the first part of every check.
#[derive(Debug, Clone, Default)]
pub struct Precheck {
    /// The target, once the form names one.
    pub target: Option<ConnectionTarget>,
    /// The deployment chosen, when there is no full target yet.
    pub deployment: Option<Deployment>,
    /// The sign-in methods of the credentials (one entry per method used).
    pub methods: Vec<SignInMethod>,
    /// Each PAT's expiry date as given (`YYYY-MM-DD`), with what the token is for ("Boards
    /// #1"; empty for the connection's own).
    pub expiry_dates: Vec<(String, Option<String>)>,
    /// Today (`YYYY-MM-DD`, UTC).
    pub today: String,
}

/// The restrictions that need no request, in order.
pub fn precheck(profile: &ProductProfile, facts: &Precheck) -> Vec<Restriction> {
    let mut out = Vec::new();
    let deployment = facts
        .target
        .as_ref()
        .map(ConnectionTarget::deployment)
        .or(facts.deployment);
    if let Some(target) = &facts.target {
        out.push(verdicts::deployment(profile, target));
        out.extend(verdicts::bare_server_url(profile, target));
    } else if let Some(d) = deployment {
        out.push(deployment_choice(profile, d));
    }
    if let Some(d) = deployment {
        let mut methods = facts.methods.clone();
        methods.dedup();
        for method in methods {
            out.push(verdicts::sign_in(profile, d, method));
        }
    }
    let mut expiry_rows = facts
        .expiry_dates
        .iter()
        .map(|(what, date)| {
            let mut row = verdicts::pat_expiry(profile, date.as_deref(), &facts.today);
            if !what.is_empty() && row.status == Status::Fail {
                row.title = format!("{} ({what})", row.title);
                row.message = format!("{what}: {}", row.message);
            }
            row
        })
        .collect::<Vec<_>>();
    // One row when every token is fine; each failing one otherwise.
    if expiry_rows.iter().any(|r| r.status == Status::Fail) {
        expiry_rows.retain(|r| r.status == Status::Fail);
    } else {
        expiry_rows.truncate(1);
    }
    out.extend(expiry_rows);
    out
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    date_of(secs)
}

/// The UTC date of a Unix time, `YYYY-MM-DD` (Howard Hinnant's civil-from-days).
pub fn date_of(unix: u64) -> String {
    let z = (unix / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The deployment chosen before the form names a target (the radio button).
fn deployment_choice(profile: &ProductProfile, d: Deployment) -> Restriction {
    let name = &profile.product.name;
    let ok = match d {
        Deployment::Services => profile.deployments.services,
        Deployment::Server => profile.deployments.server,
    };
    let title = format!("{name} supports this deployment");
    if ok {
        return Restriction {
            rule: Rule::Deployment,
            title,
            status: Status::Pass,
            code: None,
            message: format!("{name} works with {}.", d.display_name()),
            fix: String::new(),
            field: None,
        };
    }
    let (field, other) = match d {
        Deployment::Services => (Field::Organization, Deployment::Server),
        Deployment::Server => (Field::ServerUrl, Deployment::Services),
    };
    Restriction {
        rule: Rule::Deployment,
        title,
        status: Status::Fail,
        code: Some(CheckCode::InvalidInput),
        message: format!(
            "{name} does not support {}; it works with {} only.",
            d.display_name(),
            other.display_name()
        ),
        fix: format!("Connect {name} to {} instead.", other.display_name()),
        field: Some(field),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_unix_times() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(1_796_601_600), "2026-12-07");
    }
}
