//! TOML syntax errors, every one of them. A TOML parser that recovers from an error still
//! misreads what follows (an unclosed array swallows the rest of the file and reports a
//! "missing comma" on every later line), so the text is first cut into statements (a table
//! header, or one `key = value` with its multi-line arrays and strings) and each statement is
//! parsed on its own: an error then belongs to the statement that holds it. Broken statements
//! are blanked out (byte offsets kept), the rest is parsed as one document, and the reader
//! checks what is left; a key whose statement was broken is not reported missing again.

use std::collections::{HashMap, HashSet};

use toml::de::DeTable;

/// A broken statement, as the reader must know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Broken {
    /// The byte offset of the error.
    pub(super) at: usize,
    /// The dotted path of the statement (`sign_in.methods`, or the table of a broken header).
    pub(super) path: String,
    /// The parser's words.
    pub(super) message: String,
    /// A header: everything under `path` is unread.
    pub(super) header: bool,
}

/// The text with broken statements blanked (same length, same line breaks), and what broke.
pub(super) struct Cleaned {
    pub(super) text: String,
    pub(super) broken: Vec<Broken>,
}

#[derive(Debug)]
struct Statement {
    start: usize,
    end: usize,
    path: String,
    header: bool,
}

/// Whether `line` looks like a table header (`[a.b]`, `[[a]]`, a comment may follow). A
/// nested array on a line of its own (`[1, 2]`, `["x"]`, `[true]`) does not.
fn looks_like_header(line: &str) -> bool {
    let l = line.trim();
    let l = l.split_once(" #").map_or(l, |(h, _)| h).trim_end();
    let Some(inner) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return false;
    };
    let inner = inner.trim_start_matches('[').trim_end_matches(']').trim();
    !inner.is_empty()
        && !["true", "false", "inf", "nan"].contains(&inner)
        && inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '"')
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-. \"'".contains(c))
}

/// Whether `line` starts like `key =` (an unquoted key), which no array element can.
fn looks_like_key_value(line: &str) -> bool {
    let l = line.trim_start();
    let key_len = l
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c)))
        .unwrap_or(l.len());
    key_len > 0 && l[key_len..].trim_start().starts_with('=')
}

/// The dotted path a key text names (`a . "b"` → `a.b`).
fn key_path(key: &str) -> String {
    key.split('.')
        .map(|p| p.trim().trim_matches(['"', '\'']))
        .collect::<Vec<_>>()
        .join(".")
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |i| from + i)
}

/// Cuts `text` into statements.
fn statements(text: &str) -> Vec<Statement> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut section = String::new();
    let mut arrays: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = line_end(text, i);
                continue;
            }
            _ => {}
        }
        let start = i;
        if b[i] == b'[' {
            let end = line_end(text, i);
            let line = &text[start..end];
            let head = line.split_once('#').map_or(line, |(h, _)| h).trim();
            let array = head.starts_with("[[");
            let name = key_path(head.trim_matches(['[', ']']));
            section = if array {
                let n = arrays.entry(name.clone()).or_insert(0);
                *n += 1;
                format!("{name}[{}]", *n - 1)
            } else {
                name
            };
            out.push(Statement {
                start,
                end,
                path: section.clone(),
                header: true,
            });
            i = end;
            continue;
        }
        let (end, eq) = scan_key_value(text, start);
        let key = match eq {
            Some(eq) => key_path(&text[start..eq]),
            // No `=`: name the statement by its text.
            None => text[start..end]
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(40)
                .collect(),
        };
        let path = match (section.is_empty(), key.is_empty()) {
            (_, true) => section.clone(),
            (true, false) => key,
            (false, false) => format!("{section}.{key}"),
        };
        out.push(Statement {
            start,
            end,
            path,
            header: false,
        });
        i = end.max(start + 1);
    }
    out
}

/// Where the `key = value` statement starting at `start` ends, and its first `=`.
fn scan_key_value(text: &str, start: usize) -> (usize, Option<usize>) {
    let b = text.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    let mut eq = None;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\n' if stack.is_empty() => return (i, eq),
            b'\n' => {
                // An unclosed array or inline table: end it where a new statement begins.
                let next = &text[i + 1..line_end(text, i + 1)];
                if looks_like_header(next)
                    || (stack.last() == Some(&b'[') && looks_like_key_value(next))
                {
                    return (i, eq);
                }
            }
            b'#' => {
                i = line_end(text, i);
                continue;
            }
            b'=' if stack.is_empty() && eq.is_none() => eq = Some(i),
            b'[' | b'{' => stack.push(b[i]),
            b']' | b'}' => {
                stack.pop();
            }
            q @ (b'"' | b'\'') => {
                i = skip_string(text, i, q);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (b.len(), eq)
}

/// The offset just after the string opening at `i` (at the line break for an unclosed one).
fn skip_string(text: &str, i: usize, quote: u8) -> usize {
    let b = text.as_bytes();
    let triple = b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        match b[j] {
            b'\\' if quote == b'"' => j += 2,
            b'\n' if !triple => return j,
            c if c == quote => {
                if !triple {
                    return j + 1;
                }
                if b.get(j + 1) == Some(&quote) && b.get(j + 2) == Some(&quote) {
                    let mut k = j + 3;
                    // `""""` ends with the last three quotes.
                    while b.get(k) == Some(&quote) && k < j + 5 {
                        k += 1;
                    }
                    return k;
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    b.len()
}

fn blank(text: &mut [u8], range: std::ops::Range<usize>) {
    for c in &mut text[range] {
        if *c != b'\n' && *c != b'\r' {
            *c = b' ';
        }
    }
}

/// Parses each statement on its own, then the rest together; returns the text the reader may
/// trust and every syntax error.
pub(super) fn clean(text: &str) -> Cleaned {
    let statements = statements(text);
    let mut bytes = text.as_bytes().to_vec();
    let mut broken = Vec::new();
    let mut skip_section = false;
    for s in &statements {
        if s.header {
            skip_section = false;
        }
        let (_, errors) = DeTable::parse_recoverable(&text[s.start..s.end]);
        if let Some(err) = errors.first() {
            broken.push(Broken {
                at: s.start + err.span().map_or(0, |r| r.start),
                path: s.path.clone(),
                message: err.message().trim().to_string(),
                header: s.header,
            });
            skip_section |= s.header;
            blank(&mut bytes, s.start..s.end);
        } else if skip_section {
            // Under a broken header these keys would land in the previous table.
            blank(&mut bytes, s.start..s.end);
        }
    }
    // Only ASCII bytes were written over whole statements, so the text is still UTF-8.
    let mut cleaned = String::from_utf8(bytes).unwrap_or_else(|_| " ".repeat(text.len()));
    let (_, errors) = DeTable::parse_recoverable(&cleaned);
    let mut reported: HashSet<String> = broken.iter().map(|b| b.path.clone()).collect();
    let mut again = Vec::new();
    let mut bytes = std::mem::take(&mut cleaned).into_bytes();
    for err in errors {
        let at = err.span().map_or(0, |r| r.start);
        // The statement holding `at`: the last one starting at or before it.
        let s = statements[..statements.partition_point(|s| s.start <= at)].last();
        let path = s.map(|s| s.path.clone()).unwrap_or_default();
        if reported.insert(path.clone()) {
            again.push(Broken {
                at,
                path,
                message: err.message().trim().to_string(),
                header: s.is_some_and(|s| s.header),
            });
        }
        if let Some(s) = s {
            blank(&mut bytes, s.start..s.end);
        }
    }
    cleaned = String::from_utf8(bytes).unwrap_or_default();
    broken.extend(again);
    Cleaned {
        text: cleaned,
        broken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_span_multi_line_values_and_stop_at_an_unclosed_array() {
        let text = "a = [\n  1, # c ]\n  2,\n]\n[t]\nb = \"\"\"x\ny = 1\"\"\"\nc = [\"x\",\nd = 1\n[[u]]\n[[u]]\ne = 1\n";
        let s = statements(text);
        let got: Vec<(&str, &str)> = s
            .iter()
            .map(|s| {
                (
                    s.path.as_str(),
                    text[s.start..s.end].lines().next().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", "a = ["),
                ("t", "[t]"),
                ("t.b", "b = \"\"\"x"),
                ("t.c", "c = [\"x\","),
                ("t.d", "d = 1"),
                ("u[0]", "[[u]]"),
                ("u[1]", "[[u]]"),
                ("u[1].e", "e = 1"),
            ]
        );
    }

    #[test]
    fn one_error_per_broken_statement() {
        let text = "x = 1\nbad line\n[s]\nm = [\"pat\",\nr = \"pat\"\n[t\nk = 1\n[v]\nw = tru\n";
        let c = clean(text);
        let got: Vec<(&str, bool)> = c
            .broken
            .iter()
            .map(|b| (b.path.as_str(), b.header))
            .collect();
        assert_eq!(
            got,
            [
                ("bad line", false),
                ("s.m", false),
                ("t", true),
                ("v.w", false)
            ],
            "{:?}",
            c.broken
        );
        assert_eq!(c.text.len(), text.len());
        let (t, errors) = DeTable::parse_recoverable(&c.text);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(
            t.get_ref().get("k").is_none(),
            "a broken header's keys are dropped"
        );
    }
}
