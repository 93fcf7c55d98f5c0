//! From an [`Address`] to a [`RepoUrl`]: which deployment the host means, and what each path
//! segment names (organization or virtual directory and collection, project, team, repository).

use super::error::{shorten_name, LooksLike, NamePart, NameProblem, RepoUrlErrorKind as Kind};
use super::input::{is_organization_shaped, Address, Transport};
use super::{derive, Candidate, Endpoint, RepoUrl, Version};
use percent_encoding::percent_decode_str;

/// What the host says about the deployment.
enum HostKind {
    /// `dev.azure.com` and its service hosts (`vsrm.`, `vssps.`, …): organization first in the path.
    DevAzure,
    /// `ssh.dev.azure.com`, `vs-ssh.visualstudio.com`: `v3/{org}/{project}/{repo}`.
    SshV3,
    /// `{org}.visualstudio.com` and its service and `vs-ssh.` hosts.
    VisualStudio { organization: String },
    /// `visualstudio.com` itself.
    VisualStudioApex,
    /// A Microsoft host that is not Azure DevOps (`portal.azure.com`, `code.visualstudio.com`).
    Foreign,
    /// Anything else may be an Azure DevOps Server.
    Server,
}

/// Service hosts that put the organization first in the path (`vsrm.dev.azure.com/{org}/…`) or
/// after it in the host (`{org}.vsrm.visualstudio.com`).
const SERVICE_HOSTS: &[&str] = &[
    "vsrm",
    "vssps",
    "vsaex",
    "pkgs",
    "feeds",
    "almsearch",
    "extmgmt",
    "advsec",
    "vsblob",
    "vstmr",
];

/// `*.visualstudio.com` names that are Microsoft sites, not organizations.
const NOT_ORGANIZATIONS: &[&str] = &[
    "www",
    "app",
    "marketplace",
    "code",
    "docs",
    "my",
    "go",
    "aka",
    "devblogs",
    "developercommunity",
    "learn",
    "azure",
    "support",
    "visualstudio",
    "blogs",
    "msdn",
    "download",
    "downloads",
    "status",
];

fn classify(host: &str) -> HostKind {
    match host {
        "dev.azure.com" => return HostKind::DevAzure,
        "ssh.dev.azure.com" | "vs-ssh.visualstudio.com" => return HostKind::SshV3,
        "visualstudio.com" | "www.visualstudio.com" => return HostKind::VisualStudioApex,
        _ => {}
    }
    if let Some(sub) = host.strip_suffix(".dev.azure.com") {
        return if SERVICE_HOSTS.contains(&sub) {
            HostKind::DevAzure
        } else {
            HostKind::Foreign
        };
    }
    if let Some(sub) = host.strip_suffix(".visualstudio.com") {
        let labels: Vec<&str> = sub.split('.').collect();
        let organization = match labels.as_slice() {
            [org] => Some(*org),
            ["vs-ssh", org] => Some(*org),
            [org, service] if SERVICE_HOSTS.contains(service) => Some(*org),
            _ => None,
        };
        return match organization {
            Some(org) if !NOT_ORGANIZATIONS.contains(&org) => HostKind::VisualStudio {
                organization: org.to_string(),
            },
            _ => HostKind::Foreign,
        };
    }
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if under("azure.com") || under("microsoft.com") || under("visualstudio.microsoft.com") {
        return HostKind::Foreign;
    }
    HostKind::Server
}

/// The path after the organization or collection, split at its first `_` segment.
struct Rest {
    /// Decoded-later raw segments before the marker.
    pre: Vec<String>,
    marker: Marker,
}

enum Marker {
    /// No `_` segment.
    None,
    /// `_git/[_optimized|_full/]{repo}[/pullrequest/{id}|/commit/{sha}|…]`.
    Git {
        repository: String,
        pull_request_id: Option<u32>,
        commit: Option<String>,
    },
    /// Any other hub: `_build`, `_release`, `_workitems`, `_boards`, `_wiki`, `_settings`, `_apis`….
    Hub,
}

pub(super) fn interpret(address: Address) -> Result<RepoUrl, Kind> {
    let Address {
        transport,
        user,
        host,
        port,
        segments,
        query,
    } = address;
    let (candidates, marker) = match classify(&host) {
        HostKind::DevAzure => {
            let (organization, rest) = match segments.split_first() {
                Some((first, _)) if first.starts_with('_') => {
                    return Err(Kind::MissingOrganization)
                }
                Some((first, rest)) => (organization(first)?, rest),
                // GCM: with no path, `https://{org}@dev.azure.com` names the organization.
                None => match user {
                    Some(u) if is_organization_shaped(&u) => (u, &[][..]),
                    _ => return Err(Kind::MissingOrganization),
                },
            };
            services(organization, rest)?
        }
        HostKind::VisualStudio { organization: org } => {
            let org = organization(&org)?;
            let rest = match segments.split_first() {
                Some((first, rest)) if first.eq_ignore_ascii_case("DefaultCollection") => rest,
                _ => &segments[..],
            };
            services(org, rest)?
        }
        HostKind::SshV3 => ssh_v3(&segments)?,
        HostKind::VisualStudioApex => return Err(Kind::MissingOrganization),
        HostKind::Foreign => {
            return Err(Kind::NotAzureDevOps {
                looks_like: LooksLike::OtherHost { host },
            })
        }
        HostKind::Server => server(transport, host, port, &segments)?,
    };

    let (repository, pull_request_id, commit) = match marker {
        Marker::Git {
            repository,
            pull_request_id,
            commit,
        } => (Some(repository), pull_request_id, commit),
        _ => (None, None, None),
    };
    let (mut version, path) = match (&repository, query) {
        (Some(_), Some(q)) => browse_query(&q),
        _ => (Version::None, None),
    };
    if let (Version::None, Some(sha)) = (&version, commit) {
        version = Version::Commit(sha);
    }
    Ok(RepoUrl {
        candidates,
        repository,
        version,
        path,
        pull_request_id,
    })
}

fn services(organization: String, rest: &[String]) -> Result<(Vec<Candidate>, Marker), Kind> {
    let Rest { pre, marker } = split_rest(rest)?;
    let (project, team) = match (&marker, pre.as_slice()) {
        (Marker::Git { repository, .. }, []) => (Some(repository.clone()), None),
        (_, []) => (None, None),
        (_, [project]) => (Some(name(project, NamePart::Project)?), None),
        (Marker::None, [_, _, ..]) => return Err(Kind::MissingGitSegment),
        (_, [project, team]) => (
            Some(name(project, NamePart::Project)?),
            Some(name(team, NamePart::Team)?),
        ),
        (_, _) => return Err(Kind::UnrecognizedPath),
    };
    let candidate = Candidate {
        endpoint: Endpoint::Services { organization },
        project,
        team,
    };
    Ok((vec![candidate], marker))
}

/// `v3/{org}[/{project}[/{repo}]]` on the Services SSH hosts (`v3/` tolerated when missing).
fn ssh_v3(segments: &[String]) -> Result<(Vec<Candidate>, Marker), Kind> {
    let segs = match segments.split_first() {
        Some((v, rest)) if v.eq_ignore_ascii_case("v3") => rest,
        _ => segments,
    };
    if segs.iter().any(|s| s.starts_with('_')) || segs.len() > 3 {
        return Err(Kind::UnrecognizedPath);
    }
    let Some(org) = segs.first() else {
        return Err(Kind::MissingOrganization);
    };
    let organization = organization(org)?;
    let project = segs
        .get(1)
        .map(|p| name(p, NamePart::Project))
        .transpose()?;
    let marker = match segs.get(2) {
        Some(r) => Marker::Git {
            repository: repository(r)?,
            pull_request_id: None,
            commit: None,
        },
        None => Marker::None,
    };
    let candidate = Candidate {
        endpoint: Endpoint::Services { organization },
        project,
        team: None,
    };
    Ok((vec![candidate], marker))
}

/// Splits at the first segment starting with `_` and reads what follows `_git`.
fn split_rest(rest: &[String]) -> Result<Rest, Kind> {
    let Some(m) = rest.iter().position(|s| s.starts_with('_')) else {
        return Ok(Rest {
            pre: rest.to_vec(),
            marker: Marker::None,
        });
    };
    let pre = rest[..m].to_vec();
    let hub = &rest[m];
    // `_ssh` is the old (TFS 2015, VSTS) SSH infix in place of `_git`.
    if !(hub.eq_ignore_ascii_case("_git") || hub.eq_ignore_ascii_case("_ssh")) {
        return Ok(Rest {
            pre,
            marker: Marker::Hub,
        });
    }
    let mut after = &rest[m + 1..];
    if let Some((first, tail)) = after.split_first() {
        if first.eq_ignore_ascii_case("_optimized") || first.eq_ignore_ascii_case("_full") {
            after = tail;
        }
    }
    let (repo, tail) = match after.split_first() {
        Some((r, tail)) if !r.starts_with('_') => (repository(r)?, tail),
        _ => return Err(Kind::MissingRepositoryAfterGit),
    };
    let mut pull_request_id = None;
    let mut commit = None;
    match tail {
        [kind, rest @ ..] if kind.eq_ignore_ascii_case("pullrequest") => {
            let found = rest.first().map(String::as_str).unwrap_or("");
            pull_request_id = Some(
                found
                    .parse::<u32>()
                    .ok()
                    .filter(|id| *id > 0 && found.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| Kind::BadPullRequestId {
                        found: shorten_name(&decode_lossy(found)),
                    })?,
            );
        }
        [kind, sha, ..] if kind.eq_ignore_ascii_case("commit") => commit = Some(decode_lossy(sha)),
        _ => {}
    }
    Ok(Rest {
        pre,
        marker: Marker::Git {
            repository: repo,
            pull_request_id,
            commit,
        },
    })
}

/// Where a path is read, which decides how many segments may follow the collection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Git,
    Hub,
    Bare,
}

/// Deeper virtual directories are not offered: IIS applications nest one or two levels.
const MAX_VDIR_DEPTH: usize = 4;

/// Readings whose score is more than this above the best are dropped.
const PLAUSIBLE_MARGIN: i32 = 3;

/// Reads an on-premises path: every split into virtual directory, collection and project (and
/// team) is scored, and the plausible ones become candidates, most likely first.
fn server(
    transport: Transport,
    host: String,
    port: Option<u16>,
    segments: &[String],
) -> Result<(Vec<Candidate>, Marker), Kind> {
    let Rest { pre, marker } = split_rest(segments)?;
    let context = match marker {
        Marker::Git { .. } => Context::Git,
        Marker::Hub => Context::Hub,
        Marker::None => Context::Bare,
    };
    if context == Context::Bare {
        if let Some(looks_like) = foreign_path(&host, segments) {
            return Err(Kind::NotAzureDevOps { looks_like });
        }
        if pre.is_empty() {
            return Err(Kind::NotAzureDevOps {
                looks_like: LooksLike::OtherHost { host },
            });
        }
        if pre.len() > 3 {
            return Err(Kind::MissingGitSegment);
        }
    }
    if pre.is_empty() {
        return Err(Kind::MissingCollection);
    }

    // (score, split index k): vdir = pre[..k], collection = pre[k], rest = pre[k + 1..].
    // At most two segments follow the collection, so only the last three can be it.
    let mut splits: Vec<(i32, usize)> = (pre.len().saturating_sub(3)..pre.len())
        .filter_map(|k| score(&pre, k, context).map(|s| (s, k)))
        .collect();
    // A collection named `tfs` is only offered next to a reading where `tfs` is the virtual
    // directory; alone it means the collection was left out.
    if splits.iter().all(|&(_, k)| k == 0 && is_tfs(&pre[0])) {
        return Err(Kind::MissingCollection);
    }
    if splits.is_empty() {
        return Err(Kind::UnrecognizedPath);
    }
    splits.sort();

    // An SSH URL tells neither the web scheme nor the web port: offer https on the default port
    // and the default Server binding, http on 8080.
    let webs: Vec<(&'static str, Option<u16>)> = match transport {
        Transport::Https => vec![("https", port)],
        Transport::Http => vec![("http", port)],
        Transport::Ssh => vec![("https", None), ("http", Some(8080))],
    };
    let ssh_port = match transport {
        Transport::Ssh => port.unwrap_or(22),
        _ => 22,
    };
    let repository = match &marker {
        Marker::Git { repository, .. } => Some(repository.clone()),
        _ => None,
    };
    // A reading whose names cannot be (a collection `a*b`) is dropped; the error of the likeliest
    // reading is reported only when no reading is left.
    // Plausibility is judged on the shape alone, so a bad name in the likeliest reading never
    // promotes a far-fetched one.
    let best = splits[0].0;
    let mut first_error = None;
    let mut candidates = Vec::new();
    for &(score, k) in &splits {
        if score > best + PLAUSIBLE_MARGIN {
            break;
        }
        let (vdir, collection, project, team) = match reading(&pre, k, repository.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        for &(scheme, web_port) in &webs {
            let server_url = derive::server_url(scheme, &host, web_port, &vdir);
            candidates.push(Candidate {
                endpoint: Endpoint::Server {
                    scheme,
                    host: host.clone(),
                    port: web_port,
                    vdir: vdir.clone(),
                    collection: collection.clone(),
                    ssh_port,
                    server_url,
                },
                project: project.clone(),
                team: team.clone(),
            });
        }
    }
    match first_error {
        Some(e) if candidates.is_empty() => Err(e),
        _ => Ok((candidates, marker)),
    }
}

/// The names of one reading: virtual directory `pre[..k]`, collection `pre[k]`, then project
/// (the repository's name in the short form) and team.
#[allow(clippy::type_complexity)]
fn reading(
    pre: &[String],
    k: usize,
    short_form_repository: Option<&str>,
) -> Result<(Vec<String>, String, Option<String>, Option<String>), Kind> {
    let vdir = pre[..k]
        .iter()
        .map(|s| name(s, NamePart::VirtualDirectory))
        .collect::<Result<Vec<_>, _>>()?;
    let collection = collection(&pre[k])?;
    let (project, team) = match &pre[k + 1..] {
        [] => (short_form_repository.map(str::to_string), None),
        [p] => (Some(name(p, NamePart::Project)?), None),
        [p, t] => (
            Some(name(p, NamePart::Project)?),
            Some(name(t, NamePart::Team)?),
        ),
        _ => unreachable!("score() allows at most two segments after the collection"),
    };
    Ok((vdir, collection, project, team))
}

/// How unlikely it is that `pre[..k]` is the virtual directory and `pre[k]` the collection
/// (lower is likelier); `None` when the segments after the collection cannot be read so.
fn score(pre: &[String], k: usize, context: Context) -> Option<i32> {
    let after = pre.len() - k - 1;
    let mut score = match (context, after) {
        // `_git`: project; short form (project = repository); project + team.
        (Context::Git, 1) => 0,
        (Context::Git, 0) => 1,
        (Context::Git, 2) => 2,
        // Other hubs: project; collection-level page; project + team.
        (Context::Hub, 1) => 0,
        (Context::Hub, 0) => 1,
        (Context::Hub, 2) => 2,
        // Bare path: collection URL, or collection + project.
        (Context::Bare, 0 | 1) => 0,
        _ => return None,
    };
    score += match k {
        0 => 1,
        1 if is_tfs(&pre[0]) => 0,
        1 => 1,
        2..=MAX_VDIR_DEPTH => 4,
        _ => return None,
    };
    let collection = &pre[k];
    if k == 0 && is_tfs(collection) {
        score += 2;
    }
    // DefaultCollection is the default collection's name and reserved for anything else.
    if collection.eq_ignore_ascii_case("DefaultCollection") {
        score -= 2;
    }
    if pre[..k]
        .iter()
        .chain(pre.get(k + 1..).unwrap_or_default())
        .any(|s| s.eq_ignore_ascii_case("DefaultCollection"))
    {
        score += 2;
    }
    Some(score)
}

fn is_tfs(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("tfs")
}

/// Paths on an unknown host that show another forge (only asked when no `_` hub segment is
/// present, so Azure DevOps links are never mistaken).
fn foreign_path(host: &str, segments: &[String]) -> Option<LooksLike> {
    let first_label = host.split('.').next().unwrap_or("");
    // GitLab puts `/-/` between a project's path (at least group/project) and its pages.
    let gitlab_separator = segments
        .iter()
        .enumerate()
        .any(|(i, s)| s == "-" && i >= 2 && i + 1 < segments.len());
    let forge = if gitlab_separator || first_label == "gitlab" {
        Some(LooksLike::GitLab)
    } else if segments.first().is_some_and(|s| s == "scm")
        || (segments.first().is_some_and(|s| s == "projects")
            && segments.get(2).is_some_and(|s| s == "repos"))
        || first_label == "bitbucket"
    {
        Some(LooksLike::Bitbucket)
    } else if first_label == "github" {
        Some(LooksLike::GitHub)
    } else {
        None
    };
    // Azure DevOps clone URLs always have `/_git/`; a bare `….git` is some other Git host.
    let git_suffix = segments
        .last()
        .is_some_and(|s| s.len() > 4 && s.to_ascii_lowercase().ends_with(".git"));
    match forge {
        Some(f) => Some(f),
        None if git_suffix => Some(LooksLike::OtherHost {
            host: host.to_string(),
        }),
        None => None,
    }
}

/// The `path=` and `version=` of a browse link. `version` is `GB{branch}`, `GC{commit}` or
/// `GT{tag}`; anything else is ignored.
fn browse_query(query: &str) -> (Version, Option<String>) {
    let mut version = Version::None;
    let mut path = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key.eq_ignore_ascii_case("path") && !value.is_empty() && path.is_none() {
            path = Some(value.into_owned());
        } else if key.eq_ignore_ascii_case("version") && matches!(version, Version::None) {
            let cut = value.char_indices().nth(2).map_or(value.len(), |(i, _)| i);
            let (prefix, rest) = value.split_at(cut);
            if rest.is_empty() {
                continue;
            }
            version = match prefix.to_ascii_uppercase().as_str() {
                "GB" => Version::Branch(rest.to_string()),
                "GC" => Version::Commit(rest.to_string()),
                "GT" => Version::Tag(rest.to_string()),
                _ => Version::None,
            };
        }
    }
    (version, path)
}

fn decode(raw: &str) -> Result<String, ()> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ())
}

fn decode_lossy(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

fn invalid(part: NamePart, raw: &str, problem: NameProblem) -> Kind {
    Kind::InvalidName {
        part,
        name: shorten_name(&decode_lossy(raw)),
        problem,
    }
}

/// Decodes a project, team, repository or virtual-directory segment and rejects what no Azure
/// DevOps name can be. Lenient otherwise: the REST API accepts names the web UI forbids.
fn name(raw: &str, part: NamePart) -> Result<String, Kind> {
    let decoded = decode(raw).map_err(|()| invalid(part, raw, NameProblem::NotUtf8))?;
    if decoded.contains(['/', '\\']) {
        return Err(invalid(part, raw, NameProblem::Slash));
    }
    if decoded.chars().any(char::is_control) {
        return Err(invalid(part, raw, NameProblem::ControlCharacter));
    }
    if decoded.chars().all(|c| c == '.') {
        return Err(invalid(part, raw, NameProblem::OnlyDots));
    }
    Ok(decoded)
}

/// A repository segment: decoded, with a `.git` suffix removed. The suffix is only recognized
/// unencoded, so `foo%2Egit` names a repository called `foo.git` (derived URLs encode it so).
fn repository(raw: &str) -> Result<String, Kind> {
    let stripped = match raw.len().checked_sub(4) {
        Some(cut)
            if cut > 0 && raw.is_char_boundary(cut) && raw[cut..].eq_ignore_ascii_case(".git") =>
        {
            &raw[..cut]
        }
        _ => raw,
    };
    name(stripped, NamePart::Repository)
}

fn organization(raw: &str) -> Result<String, Kind> {
    let decoded = name(raw, NamePart::Organization)?;
    if !is_organization_shaped(&decoded) {
        return Err(invalid(
            NamePart::Organization,
            raw,
            NameProblem::NotAnOrganizationName,
        ));
    }
    Ok(decoded)
}

fn collection(raw: &str) -> Result<String, Kind> {
    let decoded = name(raw, NamePart::Collection)?;
    if decoded.contains(crate::target::COLLECTION_FORBIDDEN) || decoded.chars().count() > 64 {
        return Err(invalid(
            NamePart::Collection,
            raw,
            NameProblem::NotACollectionName,
        ));
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/').map(str::to_string).collect()
    }

    fn ranked(path: &str, context: Context) -> Vec<usize> {
        let pre = segs(path);
        let mut s: Vec<(i32, usize)> = (0..pre.len())
            .filter_map(|k| score(&pre, k, context).map(|s| (s, k)))
            .collect();
        s.sort();
        let best = s[0].0;
        s.retain(|&(x, _)| x <= best + PLAUSIBLE_MARGIN);
        s.into_iter().map(|(_, k)| k).collect()
    }

    #[test]
    fn tfs_first_is_a_virtual_directory() {
        assert_eq!(
            ranked("tfs/Coll/Proj", Context::Git),
            [1],
            "the alternatives (collection `tfs` + team, or a two-level virtual directory) are too unlikely to probe"
        );
        assert_eq!(
            ranked("tfs/Coll", Context::Bare),
            [1, 0],
            "with nothing after it, `tfs` might be a collection: say so"
        );
    }

    #[test]
    fn three_segments_before_git_are_ambiguous() {
        assert_eq!(ranked("a/b/c", Context::Git), [1, 0]);
        assert_eq!(ranked("a/b", Context::Bare), [0, 1]);
    }

    #[test]
    fn default_collection_settles_it() {
        assert_eq!(ranked("DefaultCollection/P", Context::Git), [0]);
        assert_eq!(ranked("tfs/DefaultCollection", Context::Git), [1]);
    }

    #[test]
    fn version_prefixes() {
        assert_eq!(
            browse_query("version=GBmain").0,
            Version::Branch("main".into())
        );
        assert_eq!(browse_query("version=GTv1").0, Version::Tag("v1".into()));
        assert_eq!(
            browse_query("version=GCabc").0,
            Version::Commit("abc".into())
        );
        assert_eq!(browse_query("version=G").0, Version::None);
        assert_eq!(
            browse_query("version=Gé").0,
            Version::None,
            "no panic on a multi-byte char"
        );
    }
}
