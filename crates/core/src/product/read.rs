//! Reading TOML by hand: every key is looked up with its type checked, every unknown key and
//! every missing one is reported with its dotted path and position, and reading goes on, so a
//! profile's mistakes come out all at once rather than the first one only (which is all a serde
//! derive can give).

use std::collections::HashSet;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::parse::ProfileError;
use super::syntax::Broken;

pub(super) type Span = Range<usize>;
pub(super) type S<T> = Spanned<T>;
type Value<'i> = Spanned<DeValue<'i>>;

/// The mistakes found so far.
pub(super) struct Errors<'a> {
    text: &'a str,
    /// Byte offsets where lines start, for positions in O(log n).
    line_starts: Vec<usize>,
    pub(super) list: Vec<ProfileError>,
    /// The paths of broken statements, and of broken headers (everything under them).
    broken: HashSet<String>,
    broken_headers: HashSet<String>,
    /// Every path that has a mistake at or under it (`a`, `a.b`, `a.b[0]`).
    faulty: HashSet<String>,
}

/// `a.b[0].c` → `a`, `a.b`, `a.b[0]`, `a.b[0].c`.
fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices()
        .filter(|(_, c)| *c == '.' || *c == '[')
        .map(|(i, _)| &path[..i])
        .chain(std::iter::once(path))
}

impl<'a> Errors<'a> {
    pub(super) fn new(text: &'a str, broken: Vec<Broken>) -> Errors<'a> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut e = Errors {
            text,
            line_starts,
            list: Vec::new(),
            broken: HashSet::new(),
            broken_headers: HashSet::new(),
            faulty: HashSet::new(),
        };
        for b in broken {
            e.at(
                b.at..b.at,
                b.path.clone(),
                format!("not valid TOML: {}", b.message),
            );
            if b.header {
                e.broken_headers.insert(b.path);
            } else {
                e.broken.insert(b.path);
            }
        }
        e
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// A mistake at `span`.
    pub(super) fn at(&mut self, span: Span, field: impl Into<String>, message: impl Into<String>) {
        let (line, column) = self.position(span.start);
        let field = field.into();
        for p in prefixes(&field) {
            if !self.faulty.contains(p) {
                self.faulty.insert(p.to_string());
            }
        }
        self.list.push(ProfileError {
            line,
            column,
            field,
            message: message.into(),
        });
    }

    /// A missing value at `field`, unless the statement that gave it was broken (already
    /// reported as a syntax error).
    pub(super) fn missing(&mut self, span: Span, field: String, message: impl Into<String>) {
        if !self.is_broken(&field) {
            self.at(span, field, message);
        }
    }

    /// Whether the statement giving `field` (or a header above it) was broken.
    pub(super) fn is_broken(&self, field: &str) -> bool {
        self.broken.contains(field) || prefixes(field).any(|p| self.broken_headers.contains(p))
    }

    /// Whether a mistake was reported at or under one of `paths` (checks that build on them
    /// are skipped, so that one mistake is reported once).
    pub(super) fn any_under(&self, paths: &[&str]) -> bool {
        paths.iter().any(|p| self.faulty.contains(*p))
    }

    /// Reports control characters (line breaks, tabs, escapes) in a string the profile gives:
    /// such a string could start a new line in a script, a header or a comment.
    pub(super) fn plain(&mut self, span: &Span, field: &str, value: &str) -> bool {
        match value.chars().find(|c| c.is_control()) {
            Some(c) => {
                self.at(
                    span.clone(),
                    field,
                    format!(
                        "contains the control character {:?} (U+{:04X}); write plain text on one line, without tabs or escapes such as \\n",
                        c, c as u32
                    ),
                );
                false
            }
            None => true,
        }
    }
}

fn a_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// A table being read, with its dotted path.
pub(super) struct Table<'a, 'i> {
    pub(super) path: String,
    pub(super) span: Span,
    map: &'a DeTable<'i>,
}

impl<'a, 'i> Table<'a, 'i> {
    /// The document's root.
    pub(super) fn root(doc: &'a Spanned<DeTable<'i>>) -> Table<'a, 'i> {
        Table {
            path: String::new(),
            span: 0..0,
            map: doc.get_ref(),
        }
    }

    /// The dotted path of `key` in this table.
    pub(super) fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Reports every key not in `known`.
    fn only(&self, e: &mut Errors<'_>, known: &[&str]) {
        for (k, _) in self.map.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                let key: String = k.get_ref().escape_debug().collect();
                let place = if self.path.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in `{}`", self.path)
                };
                e.at(
                    k.span(),
                    self.child(&key),
                    format!(
                        "unknown key `{key}` {place}; the keys here are {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }

    fn of(
        value: &'a Value<'i>,
        path: String,
        known: &[&str],
        e: &mut Errors<'_>,
    ) -> Option<Table<'a, 'i>> {
        match value.get_ref() {
            DeValue::Table(map) => {
                let t = Table {
                    path,
                    span: value.span(),
                    map,
                };
                t.only(e, known);
                Some(t)
            }
            other => {
                e.at(
                    value.span(),
                    path,
                    format!("expected a table, found {}", a_type(other)),
                );
                None
            }
        }
    }

    /// The root's unknown keys.
    pub(super) fn known(self, e: &mut Errors<'_>, known: &[&str]) -> Self {
        self.only(e, known);
        self
    }

    /// Whether `key` is given.
    pub(super) fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some()
    }

    /// The span of `key`'s value, or of the table.
    pub(super) fn span_of(&self, key: &str) -> Span {
        self.map.get(key).map_or(self.span.clone(), |v| v.span())
    }

    /// Reads a required `key`, reporting it missing.
    pub(super) fn req<T>(
        &self,
        e: &mut Errors<'_>,
        key: &str,
        read: impl FnOnce(&Self, &mut Errors<'_>, &str) -> Option<T>,
    ) -> Option<T> {
        if !self.has(key) {
            let table = if self.path.is_empty() {
                "the profile".to_string()
            } else {
                format!("`{}`", self.path)
            };
            e.missing(
                self.span.clone(),
                self.child(key),
                format!("`{key}` is missing from {table}; add it"),
            );
            return None;
        }
        read(self, e, key)
    }

    fn typed<T>(
        &self,
        e: &mut Errors<'_>,
        key: &str,
        want: &str,
        pick: impl FnOnce(&DeValue<'i>) -> Option<T>,
    ) -> Option<S<T>> {
        let v = self.map.get(key)?;
        match pick(v.get_ref()) {
            Some(x) => Some(Spanned::new(v.span(), x)),
            None => {
                e.at(
                    v.span(),
                    self.child(key),
                    format!("expected {want}, found {}", a_type(v.get_ref())),
                );
                None
            }
        }
    }

    /// A string of plain text.
    pub(super) fn string(&self, e: &mut Errors<'_>, key: &str) -> Option<S<String>> {
        let s = self.typed(e, key, "a string", |v| v.as_str().map(str::to_string))?;
        e.plain(&s.span(), &self.child(key), s.get_ref())
            .then_some(s)
    }

    /// `true` or `false`.
    pub(super) fn boolean(&self, e: &mut Errors<'_>, key: &str) -> Option<S<bool>> {
        self.typed(e, key, "true or false", DeValue::as_bool)
    }

    /// A whole number.
    pub(super) fn integer(&self, e: &mut Errors<'_>, key: &str) -> Option<S<i64>> {
        self.typed(e, key, "a whole number", |v| {
            v.as_integer()
                .and_then(|i| i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok())
        })
    }

    /// A list of plain-text strings; an element of another type is reported and left out.
    pub(super) fn strings(&self, e: &mut Errors<'_>, key: &str) -> Option<S<Vec<S<String>>>> {
        let v = self.map.get(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            e.at(
                v.span(),
                self.child(key),
                format!("expected a list of strings, found {}", a_type(v.get_ref())),
            );
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", self.child(key));
            match item.get_ref().as_str() {
                Some(s) => {
                    if e.plain(&item.span(), &path, s) {
                        out.push(Spanned::new(item.span(), s.to_string()));
                    }
                }
                None => e.at(
                    item.span(),
                    path,
                    format!("expected a string, found {}", a_type(item.get_ref())),
                ),
            }
        }
        Some(Spanned::new(v.span(), out))
    }

    /// A sub-table, with its unknown keys reported.
    pub(super) fn table(
        &self,
        e: &mut Errors<'_>,
        key: &str,
        known: &[&str],
    ) -> Option<Table<'a, 'i>> {
        let v = self.map.get(key)?;
        Table::of(v, self.child(key), known, e)
    }

    /// A list of tables (`[[key]]` or `key = [{ … }]`), each with its unknown keys reported.
    pub(super) fn tables(
        &self,
        e: &mut Errors<'_>,
        key: &str,
        known: &[&str],
    ) -> Option<S<Vec<Table<'a, 'i>>>> {
        let v = self.map.get(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            e.at(
                v.span(),
                self.child(key),
                format!("expected a list of tables, found {}", a_type(v.get_ref())),
            );
            return None;
        };
        let out = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Table::of(item, format!("{}[{i}]", self.child(key)), known, e))
            .collect();
        Some(Spanned::new(v.span(), out))
    }

    /// A table as JSON (the POST body): strings are plain text, no dates.
    pub(super) fn json(&self, e: &mut Errors<'_>, key: &str) -> Option<S<serde_json::Value>> {
        let v = self.map.get(key)?;
        if !v.get_ref().is_table() {
            e.at(
                v.span(),
                self.child(key),
                format!("expected a table, found {}", a_type(v.get_ref())),
            );
            return None;
        }
        Some(Spanned::new(v.span(), to_json(v, &self.child(key), e)))
    }
}

fn to_json(v: &Value<'_>, path: &str, e: &mut Errors<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match v.get_ref() {
        DeValue::String(s) => {
            e.plain(&v.span(), path, s);
            J::String(s.to_string())
        }
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map(J::from)
            .unwrap_or(J::Null),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(J::Null, J::Number),
        DeValue::Boolean(b) => J::Bool(*b),
        DeValue::Datetime(_) => {
            e.at(
                v.span(),
                path,
                "a date has no JSON form; write it as a string",
            );
            J::Null
        }
        DeValue::Array(a) => J::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| to_json(x, &format!("{path}[{i}]"), e))
                .collect(),
        ),
        DeValue::Table(t) => J::Object(
            t.iter()
                .map(|(k, x)| {
                    let p = format!("{path}.{}", k.get_ref());
                    (k.get_ref().to_string(), to_json(x, &p, e))
                })
                .collect(),
        ),
    }
}
