//! From pasted text to an [`Address`]: transport, host, port, raw path segments and query.
//!
//! Handles what a paste drags along (whitespace, quotes, angle brackets, a `git clone` in front)
//! and the shapes that are not WHATWG URLs (scp-style `git@host:path`, no scheme at all), so
//! that [`super::layout`] only sees one shape. Says early when the text is no URL at all.

use super::error::{is_scheme, LooksLike, RepoUrlErrorKind as Kind};
use url::Url;

/// How the URL reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transport {
    Http,
    Https,
    Ssh,
}

/// A URL taken apart, before any Azure DevOps meaning is given to it.
#[derive(Debug, Clone)]
pub(super) struct Address {
    pub transport: Transport,
    /// The userinfo's user, percent-decoded (never the password).
    pub user: Option<String>,
    /// Lower-case host; IPv6 in brackets.
    pub host: String,
    /// The port when given and not the scheme's default.
    pub port: Option<u16>,
    /// Non-empty path segments, still percent-encoded.
    pub segments: Vec<String>,
    /// The query, still encoded.
    pub query: Option<String>,
}

/// Reads pasted text as a URL, or says what it is instead.
pub(super) fn address(input: &str) -> Result<Address, Kind> {
    let text = unwrap_paste(input);
    if text.is_empty() {
        return Err(Kind::Empty);
    }
    let lower_head: String = text
        .chars()
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();

    if let Some(i) = text.find("://") {
        let scheme = &text[..i];
        if is_scheme(scheme) {
            let scheme = scheme.to_ascii_lowercase();
            let rest = &text[i + 3..];
            return match scheme.as_str() {
                "https" | "git+https" => from_url(&format!("https://{rest}"), Transport::Https),
                "http" | "git+http" => from_url(&format!("http://{rest}"), Transport::Http),
                "ssh" | "git+ssh" | "ssh+git" => ssh_url(rest),
                _ => Err(Kind::UnsupportedScheme { scheme }),
            };
        }
    }
    // WHATWG accepts `https:host/path` and `https:/host/path`, and so do we.
    if lower_head.starts_with("https:") {
        return from_url(text, Transport::Https);
    }
    if lower_head.starts_with("http:") {
        return from_url(text, Transport::Http);
    }
    if lower_head.starts_with("mailto:") {
        return Err(Kind::EmailAddress);
    }
    for scheme in ["file", "ftp", "git", "svn", "vstfs", "javascript", "data"] {
        if lower_head.starts_with(scheme) && text[scheme.len()..].starts_with(':') {
            return Err(Kind::UnsupportedScheme {
                scheme: scheme.to_string(),
            });
        }
    }
    if let Some(scp) = scp_like(text) {
        return scp;
    }
    schemeless(text)
}

/// Strips what surrounds a pasted URL: whitespace (including zero-width and BOM), matching
/// quotes or brackets, and a leading `git clone [options]`.
fn unwrap_paste(input: &str) -> &str {
    let mut s = strip_surroundings(input);
    if let Some(rest) = s.strip_prefix("git clone") {
        if rest.starts_with(char::is_whitespace) {
            // The URL is the first argument that is not an option (options taking a value, such
            // as `--depth 1`, leave a value without `:` or `/`, so skip those too).
            s = rest
                .split_whitespace()
                .find(|t| !t.starts_with('-') && (t.contains(':') || t.contains('/')))
                .map(strip_surroundings)
                .unwrap_or("");
        }
    }
    s
}

fn strip_surroundings(input: &str) -> &str {
    const PAIRS: &[(char, char)] = &[
        ('"', '"'),
        ('\'', '\''),
        ('`', '`'),
        ('<', '>'),
        ('(', ')'),
        ('“', '”'),
        ('‘', '’'),
        ('«', '»'),
    ];
    let mut s = input;
    loop {
        s = s.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}')
        });
        let mut chars = s.chars();
        let (Some(first), Some(last)) = (chars.next(), chars.next_back()) else {
            return s;
        };
        if PAIRS.contains(&(first, last)) {
            s = &s[first.len_utf8()..s.len() - last.len_utf8()];
        } else {
            return s;
        }
    }
}

/// `ssh://…`: a URL, except when users mix in the scp form (`ssh://git@host:v3/o/p/r`).
fn ssh_url(rest: &str) -> Result<Address, Kind> {
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some((_, after)) = host_port.rsplit_once(':') {
        if !after.is_empty() && !after.bytes().all(|b| b.is_ascii_digit()) && !after.ends_with(']')
        {
            if let Some(scp) = scp_like(rest) {
                return scp;
            }
        }
    }
    // Parse as https to get WHATWG host handling (lower-casing, IDNA); remember it was SSH.
    from_url(&format!("https://{rest}"), Transport::Ssh)
}

/// `[user@]host:path` (scp-style SSH), unless the part after `:` is a port.
fn scp_like(text: &str) -> Option<Result<Address, Kind>> {
    let colon = text.find(':')?;
    let before = &text[..colon];
    if before.is_empty()
        || before.contains(['/', '\\', '?', '#'])
        || before.contains(char::is_whitespace)
    {
        return None;
    }
    let after = &text[colon + 1..];
    // `user:password@host/…` has its '@' after the colon, inside the authority.
    let authority_rest = &after[..after.find(['/', '?', '#']).unwrap_or(after.len())];
    if authority_rest.contains('@') {
        return None;
    }
    let port_digits = &after[..after.find('/').unwrap_or(after.len())];
    if !port_digits.is_empty() && port_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (user, host) = match before.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, before),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && (user.is_some() || host.contains('.') || host.eq_ignore_ascii_case("localhost"));
    if !host_ok {
        return None;
    }
    // In scp syntax `?`, `#` and `\` are plain path characters; keep them so.
    let mut path = String::with_capacity(after.len());
    for c in after.chars() {
        match c {
            '?' => path.push_str("%3F"),
            '#' => path.push_str("%23"),
            '\\' => path.push_str("%5C"),
            c => path.push(c),
        }
    }
    let userinfo = user.map(|u| format!("{u}@")).unwrap_or_default();
    let path = path.trim_start_matches('/');
    Some(from_url(
        &format!("https://{userinfo}{host}/{path}"),
        Transport::Ssh,
    ))
}

/// No scheme: `dev.azure.com/o/p/_git/r`, `fabrikam@dev.azure.com`, `tfs:8080/tfs/C`, or not a
/// URL at all (a bare word, an email address, free text).
fn schemeless(text: &str) -> Result<Address, Kind> {
    let authority_end = text.find(['/', '?', '#', '\\']).unwrap_or(text.len());
    let authority = &text[..authority_end];
    let has_path = authority_end < text.len();
    let names_git = || {
        text.split(['/', '\\'])
            .any(|s| s.eq_ignore_ascii_case("_git"))
    };
    if authority.is_empty() {
        return Err(if names_git() {
            Kind::MissingHost
        } else {
            Kind::NotAUrl
        });
    }
    if authority.contains(char::is_whitespace) {
        return Err(Kind::NotAUrl);
    }
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (host_port, None),
    };
    let host_lower = host.to_ascii_lowercase();
    if !looks_like_host(&host_lower) {
        if user.is_none() && port.is_none() && !has_path {
            if is_organization_shaped(host) {
                return Err(Kind::BareName {
                    name: host.to_string(),
                });
            }
            return Err(Kind::NotAUrl);
        }
        return Err(if names_git() {
            Kind::MissingHost
        } else {
            Kind::NotAUrl
        });
    }
    if user.is_some() && !has_path && port.is_none() && !is_azure_devops_host(&host_lower) {
        return Err(Kind::EmailAddress);
    }
    let transport = match port {
        Some("22") => Transport::Ssh,
        Some("80") | Some("8080") => Transport::Http,
        _ => Transport::Https,
    };
    let scheme = if transport == Transport::Http {
        "http"
    } else {
        "https"
    };
    from_url(&format!("{scheme}://{text}"), transport)
}

/// A dotted name whose last label has a letter (`dev.azure.com`, not `3.14`), a dotted IPv4,
/// `localhost`, or a bracketed IPv6.
fn looks_like_host(host: &str) -> bool {
    if host == "localhost" || (host.starts_with('[') && host.ends_with(']')) {
        return true;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    if !host
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return false;
    }
    let last = labels[labels.len() - 1];
    last.chars().any(char::is_alphabetic)
        || (labels.len() == 4 && labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())))
}

/// The shape of an organization name: ASCII letters, digits and inner hyphens, at most 50.
pub(super) fn is_organization_shaped(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 50
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Hosts where `user@host` means an organization, not an email address.
fn is_azure_devops_host(host: &str) -> bool {
    host == "dev.azure.com"
        || host.ends_with(".dev.azure.com")
        || host.ends_with(".visualstudio.com")
}

fn from_url(text: &str, transport: Transport) -> Result<Address, Kind> {
    let url = Url::parse(text).map_err(|_| Kind::NotAUrl)?;
    let host = match url.host_str() {
        Some(h) if !h.is_empty() => h.to_ascii_lowercase(),
        _ => return Err(Kind::NotAUrl),
    };
    if host.contains(['@', ' ']) {
        return Err(Kind::NotAUrl);
    }
    let user = Some(url.username()).filter(|u| !u.is_empty()).map(|u| {
        percent_encoding::percent_decode_str(u)
            .decode_utf8_lossy()
            .into_owned()
    });
    let segments = url
        .path_segments()
        .map(|segs| segs.filter(|s| !s.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    let foreign = foreign_host(&host);
    if let Some(looks_like) = foreign {
        return Err(Kind::NotAzureDevOps { looks_like });
    }
    Ok(Address {
        transport,
        user,
        host,
        port: url.port(),
        segments,
        query: url.query().map(str::to_string),
    })
}

/// Hosts that certainly are another forge.
fn foreign_host(host: &str) -> Option<LooksLike> {
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if under("github.com")
        || under("githubusercontent.com")
        || under("ghe.com")
        || under("github.io")
    {
        Some(LooksLike::GitHub)
    } else if under("gitlab.com") || under("gitlab.io") {
        Some(LooksLike::GitLab)
    } else if under("bitbucket.org") || under("bitbucket.com") {
        Some(LooksLike::Bitbucket)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_what_a_paste_drags_along() {
        assert_eq!(unwrap_paste("  <\"https://x.y/z\">\n"), "https://x.y/z");
        assert_eq!(
            unwrap_paste("git clone --depth 1 https://x.y/z.git dir"),
            "https://x.y/z.git"
        );
        assert_eq!(unwrap_paste("\u{FEFF}“https://x.y”"), "https://x.y");
    }

    #[test]
    fn tells_a_port_from_an_scp_path() {
        let a = address("dev.azure.com:443/o").unwrap();
        assert_eq!((a.transport, a.segments.len()), (Transport::Https, 1));
        let a = address("ssh.dev.azure.com:v3/o/p/r").unwrap();
        assert_eq!(a.transport, Transport::Ssh);
        assert_eq!(a.segments, ["v3", "o", "p", "r"]);
    }
}
