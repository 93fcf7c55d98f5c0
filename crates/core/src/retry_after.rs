//! `Retry-After`, read once for both HTTP clients (Azure DevOps' in `ado-client`, Entra's in
//! `ado-auth`): whole or fractional seconds (RFC 9110 §10.2.3 also allows an HTTP date, which
//! neither service sends; it is ignored), capped at [`MAX`] so a broken header cannot stall a run.

use std::time::Duration;

/// The longest wait a `Retry-After` is taken to ask for.
pub const MAX: Duration = Duration::from_secs(3600);

/// The wait a `Retry-After` value asks for: `None` for anything but a non-negative number.
pub fn parse(value: &str) -> Option<Duration> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(MAX.as_secs_f64())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_fractions_and_junk() {
        assert_eq!(parse("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse("86400"), Some(MAX));
        for junk in [
            "soon",
            "-1",
            "NaN",
            "inf",
            "",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(parse(junk), None, "{junk}");
        }
    }
}
