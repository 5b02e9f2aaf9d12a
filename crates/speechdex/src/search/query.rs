//! The query language: what users type into the search box, parsed into a [`Node`] tree.
//!
//! [`parse`] keeps the raw text of every phrase; folding (case, width, traditional → simplified)
//! happens later, when the tree is matched. [`to_query_string`] writes a tree back in canonical
//! form, and [`with_filters`] adds the command-line filters (`--year`, `--region`, …) to a tree.
//!
//! # Syntax
//!
//! | Query | Finds speeches … |
//! |---|---|
//! | `新质生产力` | containing the exact text 新质生产力 (a **phrase**) |
//! | `5G`, `2020-2025`, `一带一路-倡议` | containing that text: a `-` inside a word is literal |
//! | `"GDP 增长"`, `“新质生产力”` | containing the quoted text, spaces included |
//! | `"他说\"好\""` | containing 他说"好": `\"` is a quote and `\\` a backslash inside `"…"` |
//! | `新质生产力 科技创新`, `新质生产力　科技创新` | containing both (full-width space `　` works too) |
//! | `新质生产力 AND 科技创新` | the same, with an explicit `AND` |
//! | `碳达峰 \| 碳中和`, `碳达峰 OR 碳中和` | containing either |
//! | `新质生产力 -人工智能`, `新质生产力 NOT 人工智能` | containing the first but not the second |
//! | `(碳达峰 \| 碳中和) -煤炭` | parentheses group |
//! | `title:政府工作报告` | whose title contains 政府工作报告 |
//! | `speaker:"李 强"`, `region:浙江省`, `kind:讲话`, `tag:科技` | whose speaker, region, kind or a tag contains the value |
//! | `year:2024`, `year:2020..2025`, `year:2020..`, `year:..1978` | of that year or range of years (bounds included) |
//! | `date:2024-03-05`, `date:2024-01-01..2024-06-30`, `date:2024-01-01..`, `date:..1978-12-31` | of that date or range of dates |
//! | `title:政府工作报告 year:2020..2025 乡村振兴` | matching all three |
//! | `来源:新华社`, `title：报告` | containing that text: not fields (non-ASCII name, full-width colon) |
//! | `（碳达峰）` | containing （碳达峰）: full-width parentheses are text |
//! | `SENT(人工智能 实体经济)` | with a **sentence** containing both (a *scope group*) |
//! | `PARA(人工智能 -实体经济)`, `PARA(碳达峰 \| 碳中和)` | with a **paragraph** containing 人工智能 but not 实体经济; with one containing either |
//! | `SENT(人工智能 实体经济) year:2020..` | with such a sentence, from 2020 on |
//!
//! # Rules
//!
//! * Items are separated by whitespace (any Unicode whitespace, including U+3000) and by
//!   `(`, `)`, `|` and quotes. Quotes are `"…"` or Chinese `“…”`; inside Chinese quotes there are
//!   no escapes.
//! * Precedence: `NOT`/`-` binds tightest, then AND (implicit or explicit), then `OR`/`|`:
//!   `a b | c` means `(a AND b) OR c`, and `-a b` means `(NOT a) AND b`.
//! * `AND`, `OR` and `NOT` are keywords only in uppercase and as whole words; `or` is a phrase.
//!   Quote them (`"OR"`) to search for them.
//! * `-` negates only at the start of an item and only when something follows it directly:
//!   `-` alone is the phrase `-`, and `a-b` is the phrase `a-b`.
//! * `name:` starts a field only when `name` is ASCII letters directly followed by an ASCII `:`.
//!   Field names are case-insensitive: `title`, `speaker`, `region`, `kind`, `tag`, `year`,
//!   `date`. Any other ASCII name is an error (quote the text to search for it literally:
//!   `"http://…"`). The value follows the colon directly, bare or quoted.
//! * Years have 4 digits (1000–9999); dates are real `YYYY-MM-DD` dates; ranges go from the
//!   earlier to the later bound, and either bound may be left out.
//!
//! * **Scope groups.** `SENT(…)` and `PARA(…)` (uppercase, the `(` right after the name) hold
//!   where the query inside them holds in *one* sentence or paragraph of the body, as
//!   [`crate::analysis::sentences`] cuts them (sentence ends `。！？!?`, paragraph breaks; not a
//!   line break inside a hard-wrapped paragraph). Inside a group, a phrase occurs in that
//!   sentence, `-phrase` does not occur in it, `|` is either; fields, years and dates are those
//!   of the speech. A group needs a phrase that every way of satisfying it requires
//!   (`SENT(-人工智能)` or `SENT(a | title:报告)` is an error: it would have to read every
//!   speech), and groups do not nest. Quote the word to search for it: `"SENT" (…)`.
//!   `search --within sentence` puts the whole query in one group.
//!
//! Queries that parse but look like slips (`or`, `（…）`, `「…」`, a lone `-`) are searched as
//! typed; [`super::lint`] names them with the query probably meant.
//!
//! # Limits and errors
//!
//! Errors are [`crate::Error::Query`] with the 0-based **character** position of the problem:
//! an unbalanced quote (the opening quote), an unbalanced `(` (that parenthesis), a `)` without
//! `(`, empty quotes or parentheses, an operator with nothing on one side (the operator), an
//! unknown field, a field without a value, a bad year, date or range (the value), an empty query.
//! A query may be at most [`MAX_QUERY_CHARS`] characters long, hold at most [`MAX_TERMS`] terms
//! and nest parentheses and negations at most [`MAX_DEPTH`] levels deep.

use std::collections::HashSet;

use jiff::civil::Date;
use serde::Serialize;

pub use crate::analysis::sentences::Scope;
use crate::choice::Choice;
use crate::{Error, Result};

/// Maximum length of a query, in characters.
pub const MAX_QUERY_CHARS: usize = 100_000;
/// Maximum nesting of parentheses and negations.
pub const MAX_DEPTH: usize = 64;
/// Maximum number of terms (phrases, fields, years, dates) in a query.
pub const MAX_TERMS: usize = 2048;

/// A range of character positions in the query string: `start` included, `end` excluded.
///
/// Nodes that do not come from the query (added by [`with_filters`]) have the empty span `0..0`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// Position of the first character.
    pub start: usize,
    /// Position after the last character.
    pub end: usize,
}

/// A text metadata field of a speech, searched by substring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    /// The title (`title:`).
    Title,
    /// The speaker (`speaker:`).
    Speaker,
    /// The region (`region:`).
    Region,
    /// The kind of speech, e.g. 讲话, 报告 (`kind:`).
    Kind,
    /// One of the tags (`tag:`).
    Tag,
}

impl TextField {
    /// All text fields.
    pub const ALL: [TextField; 5] =
        [TextField::Title, TextField::Speaker, TextField::Region, TextField::Kind, TextField::Tag];

    /// The name used in queries (`title`, `speaker`, …).
    pub fn name(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Speaker => "speaker",
            TextField::Region => "region",
            TextField::Kind => "kind",
            TextField::Tag => "tag",
        }
    }
}

/// A parsed query.
///
/// Phrases and field values keep the raw text typed by the user. `And` and `Or` are never nested
/// directly in a node of the same kind and have at least two children when built by [`parse`],
/// [`Node::and`] or [`Node::or`]. In JSON, dates are written as `"YYYY-MM-DD"` strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    /// Text that must occur in the body of the speech (exact substring, after folding).
    Phrase {
        /// The raw text.
        text: String,
        /// Where it is in the query (quotes included).
        span: Span,
    },
    /// Text that must occur in a metadata field of the speech.
    Field {
        /// The field searched.
        field: TextField,
        /// The raw text.
        text: String,
        /// Where it is in the query (field name and quotes included).
        span: Span,
    },
    /// The speech's year is in `from..=to` (an absent bound is open).
    Year {
        /// The first year included, if any.
        from: Option<i32>,
        /// The last year included, if any.
        to: Option<i32>,
        /// Where it is in the query.
        span: Span,
    },
    /// The speech's date is in `from..=to` (an absent bound is open).
    Date {
        /// The first date included, if any.
        #[serde(serialize_with = "serialize_date")]
        from: Option<Date>,
        /// The last date included, if any.
        #[serde(serialize_with = "serialize_date")]
        to: Option<Date>,
        /// Where it is in the query.
        span: Span,
    },
    /// All children match.
    And(Vec<Node>),
    /// At least one child matches.
    Or(Vec<Node>),
    /// The child does not match.
    Not(Box<Node>),
    /// The child holds inside one sentence or paragraph of the body (`SENT(…)`, `PARA(…)`).
    Scope {
        /// Sentence or paragraph.
        scope: Scope,
        /// What must hold in it.
        node: Box<Node>,
        /// Where the group is in the query (name and parentheses included).
        span: Span,
    },
}

fn serialize_date<S: serde::Serializer>(
    date: &Option<Date>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_some(&date.to_string()),
        None => serializer.serialize_none(),
    }
}

impl Node {
    /// The conjunction of `nodes`, flattening children that are themselves `And`; a single node
    /// is returned as is.
    pub fn and(nodes: Vec<Node>) -> Node {
        let mut flat = flatten(nodes, |node| match node {
            Node::And(children) => Ok(children),
            other => Err(other),
        });
        if flat.len() == 1 { flat.pop().unwrap_or(Node::And(Vec::new())) } else { Node::And(flat) }
    }

    /// The disjunction of `nodes`, flattening children that are themselves `Or`; a single node is
    /// returned as is.
    pub fn or(nodes: Vec<Node>) -> Node {
        let mut flat = flatten(nodes, |node| match node {
            Node::Or(children) => Ok(children),
            other => Err(other),
        });
        if flat.len() == 1 { flat.pop().unwrap_or(Node::Or(Vec::new())) } else { Node::Or(flat) }
    }

    /// The body phrases not under a `Not`: the ones whose occurrences count as hits. Each text
    /// appears once, in query order.
    pub fn positive_phrases(&self) -> Vec<&str> {
        fn walk<'a>(node: &'a Node, seen: &mut HashSet<&'a str>, out: &mut Vec<&'a str>) {
            match node {
                Node::Phrase { text, .. } => {
                    if seen.insert(text) {
                        out.push(text);
                    }
                }
                Node::And(children) | Node::Or(children) => {
                    for child in children {
                        walk(child, seen, out);
                    }
                }
                Node::Scope { node, .. } => walk(node, seen, out),
                Node::Not(_) | Node::Field { .. } | Node::Year { .. } | Node::Date { .. } => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut HashSet::new(), &mut out);
        out
    }

    /// Whether the tree holds a scope group (`SENT(…)`, `PARA(…)`).
    pub fn has_scope(&self) -> bool {
        match self {
            Node::Scope { .. } => true,
            Node::And(children) | Node::Or(children) => children.iter().any(Node::has_scope),
            Node::Not(child) => child.has_scope(),
            Node::Phrase { .. } | Node::Field { .. } | Node::Year { .. } | Node::Date { .. } => {
                false
            }
        }
    }

    /// The scope of the tree's groups when it has some and they are all of one kind.
    pub fn scope_kind(&self) -> Option<Scope> {
        fn walk(node: &Node, out: &mut Vec<Scope>) {
            match node {
                Node::Scope { scope, .. } => out.push(*scope),
                Node::And(children) | Node::Or(children) => {
                    children.iter().for_each(|c| walk(c, out))
                }
                Node::Not(child) => walk(child, out),
                Node::Phrase { .. }
                | Node::Field { .. }
                | Node::Year { .. }
                | Node::Date { .. } => {}
            }
        }
        let mut scopes = Vec::new();
        walk(self, &mut scopes);
        let first = *scopes.first()?;
        scopes.iter().all(|&s| s == first).then_some(first)
    }

    /// Whether every way of satisfying the node needs a body phrase to occur: then the speeches
    /// holding those phrases (from the index) are the only ones a scope group must read.
    pub fn is_anchored(&self) -> bool {
        match self {
            Node::Phrase { .. } => true,
            Node::And(children) => children.iter().any(Node::is_anchored),
            Node::Or(children) => !children.is_empty() && children.iter().all(Node::is_anchored),
            Node::Scope { node, .. } => node.is_anchored(),
            Node::Not(_) | Node::Field { .. } | Node::Year { .. } | Node::Date { .. } => false,
        }
    }
}

/// `node` as one scope group: it must hold inside one sentence or paragraph
/// (`search --within`; the query's fields, years and dates stay those of the speech).
///
/// # Errors
/// [`Error::InvalidArgument`] when `node` already holds a scope group, or needs no phrase to
/// occur (only negations or fields).
pub fn within(node: Node, scope: Scope) -> Result<Node> {
    let name = scope.name();
    if node.has_scope() {
        return Err(Error::InvalidArgument(format!(
            "--within {name} and a SENT(…)/PARA(…) group in the query: use one or the other \
             (scope groups do not nest)"
        )));
    }
    if !node.is_anchored() {
        return Err(Error::InvalidArgument(format!(
            "--within {name} needs a phrase that must occur in the {name}, e.g. `人工智能 \
             实体经济` or `人工智能 -实体经济`; a query of only negations or fields would have \
             to read every speech"
        )));
    }
    Ok(Node::Scope { scope, node: Box::new(node), span: Span::default() })
}

fn flatten(
    nodes: Vec<Node>,
    split: impl Fn(Node) -> std::result::Result<Vec<Node>, Node>,
) -> Vec<Node> {
    let mut flat = Vec::with_capacity(nodes.len());
    for node in nodes {
        match split(node) {
            Ok(children) => flat.extend(children),
            Err(node) => flat.push(node),
        }
    }
    flat
}

/// Filters given on the command line (`--year 2024`, `--from 2020 --to 2025`, `--region X`, …),
/// added to a query by [`with_filters`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only this year.
    pub year: Option<i32>,
    /// Only this year and later.
    pub from: Option<i32>,
    /// Only this year and earlier.
    pub to: Option<i32>,
    /// Only speeches whose region contains this text.
    pub region: Option<String>,
    /// Only speeches whose speaker contains this text.
    pub speaker: Option<String>,
    /// Only speeches whose kind contains this text.
    pub kind: Option<String>,
}

impl Filters {
    /// Checks that the years are 4-digit years and that `from` is not after `to`.
    pub fn validate(&self) -> Result<()> {
        for (name, year) in [("year", self.year), ("from", self.from), ("to", self.to)] {
            if let Some(year) = year
                && !(1000..=9999).contains(&year)
            {
                return Err(Error::InvalidArgument(format!(
                    "{name} {year}: give a 4-digit year such as 2024"
                )));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(Error::InvalidArgument(format!(
                "from {from} is after to {to}: give the earlier year as `from`"
            )));
        }
        Ok(())
    }
}

/// `text` parsed as a query, AND the conditions of `filters` (validated first).
///
/// # Errors
/// [`Error::InvalidArgument`] for bad filters, [`Error::Query`] for a query that does not parse.
pub fn parse_filtered(text: &str, filters: &Filters) -> Result<Node> {
    filters.validate()?;
    Ok(with_filters(parse(text)?, filters))
}

/// The speeches a `where` query and filters select, for the commands that count in a subset
/// (trend, kwic, top; the server's `where` parameter): `None` when neither is given (every
/// speech), else the query (every speech when blank) AND the filters.
///
/// # Errors
/// As [`parse_filtered`].
pub fn selection(where_: Option<&str>, filters: &Filters) -> Result<Option<Node>> {
    filters.validate()?;
    let node = match where_ {
        Some(text) if !text.trim().is_empty() => Some(parse(text)?),
        _ => None,
    };
    if node.is_none() && *filters == Filters::default() {
        return Ok(None);
    }
    Ok(Some(with_filters(node.unwrap_or(Node::And(Vec::new())), filters)))
}

/// `node` AND the conditions of `filters` (a `Year` node for `year`, another for `from`/`to`,
/// and a `Field` node for each text filter). Text filters that are empty or only whitespace are
/// ignored. Returns `node` unchanged when no filter is set.
pub fn with_filters(node: Node, filters: &Filters) -> Node {
    let span = Span::default();
    let mut parts = vec![node];
    if let Some(year) = filters.year {
        parts.push(Node::Year { from: Some(year), to: Some(year), span });
    }
    if filters.from.is_some() || filters.to.is_some() {
        parts.push(Node::Year { from: filters.from, to: filters.to, span });
    }
    for (field, value) in [
        (TextField::Region, &filters.region),
        (TextField::Speaker, &filters.speaker),
        (TextField::Kind, &filters.kind),
    ] {
        if let Some(value) = value
            && !value.trim().is_empty()
        {
            parts.push(Node::Field { field, text: value.clone(), span });
        }
    }
    Node::and(parts)
}

/// Writes `node` as a query in canonical form: phrases bare when possible and in `"…"`
/// otherwise, `|` for OR, `-` for NOT, parentheses only where needed.
///
/// For every tree returned by [`parse`], `parse(&to_query_string(&tree))` returns the same tree
/// except for spans.
pub fn to_query_string(node: &Node) -> String {
    let mut out = String::new();
    write_node(node, &mut out);
    out
}

fn write_node(node: &Node, out: &mut String) {
    match node {
        Node::Phrase { text, .. } => write_text(text, can_be_bare_phrase(text), out),
        Node::Field { field, text, .. } => {
            out.push_str(field.name());
            out.push(':');
            write_text(text, can_be_bare_value(text), out);
        }
        Node::Year { from, to, .. } => {
            out.push_str("year:");
            write_range(*from, *to, out);
        }
        Node::Date { from, to, .. } => {
            out.push_str("date:");
            write_range(*from, *to, out);
        }
        Node::And(children) => {
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_grouped(child, matches!(child, Node::And(_) | Node::Or(_)), out);
            }
        }
        Node::Or(children) => {
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                write_grouped(child, matches!(child, Node::Or(_)), out);
            }
        }
        Node::Not(child) => {
            out.push('-');
            write_grouped(child, matches!(**child, Node::And(_) | Node::Or(_)), out);
        }
        Node::Scope { scope, node, .. } => {
            out.push_str(scope_keyword(*scope));
            out.push('(');
            write_node(node, out);
            out.push(')');
        }
    }
}

/// The keyword of a scope group.
fn scope_keyword(scope: Scope) -> &'static str {
    match scope {
        Scope::Sentence => "SENT",
        Scope::Paragraph => "PARA",
    }
}

fn write_grouped(node: &Node, parenthesize: bool, out: &mut String) {
    if parenthesize {
        out.push('(');
        write_node(node, out);
        out.push(')');
    } else {
        write_node(node, out);
    }
}

fn write_text(text: &str, bare: bool, out: &mut String) {
    if bare {
        out.push_str(text);
        return;
    }
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn write_range<T: std::fmt::Display + PartialEq>(from: Option<T>, to: Option<T>, out: &mut String) {
    match (from, to) {
        (Some(from), Some(to)) if from == to => out.push_str(&from.to_string()),
        (from, to) => {
            if let Some(from) = from {
                out.push_str(&from.to_string());
            }
            out.push_str("..");
            if let Some(to) = to {
                out.push_str(&to.to_string());
            }
        }
    }
}

fn can_be_bare_value(text: &str) -> bool {
    !text.is_empty() && !text.chars().any(is_delimiter)
}

fn can_be_bare_phrase(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    can_be_bare_value(text)
        && !text.starts_with('-')
        && !matches!(text, "AND" | "OR" | "NOT")
        && field_name_len(&chars).is_none()
}

/// Parses a query. See the [module documentation](self) for the syntax.
pub fn parse(query: &str) -> Result<Node> {
    if query.chars().nth(MAX_QUERY_CHARS).is_some() {
        return Err(query_error(
            format!("query too long: at most {MAX_QUERY_CHARS} characters; shorten it"),
            MAX_QUERY_CHARS,
        ));
    }
    let chars: Vec<char> = query.chars().collect();
    let tokens = lex(&chars)?;
    let mut parser = Parser { tokens, next: 0, depth: 0, in_scope: false };
    let node = parser.parse_or()?;
    match parser.peek() {
        None => Ok(node),
        token => Err(unexpected(token)),
    }
}

fn query_error(message: impl Into<String>, position: usize) -> Error {
    Error::Query { message: message.into(), position }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug)]
enum Tok {
    Term(Node),
    Open,
    /// `SENT(` or `PARA(`.
    ScopeOpen(Scope),
    Close,
    Or(&'static str),
    And,
    Not(&'static str),
}

#[derive(Debug)]
struct Token {
    tok: Tok,
    pos: usize,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || is_quote(c) || matches!(c, '(' | ')' | '|')
}

/// Length of `name` when `chars` starts with `name:` and `name` is ASCII letters.
fn field_name_len(chars: &[char]) -> Option<usize> {
    let len = chars.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    (len > 0 && chars.get(len) == Some(&':')).then_some(len)
}

fn lex(chars: &[char]) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut terms = 0;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let (tok, end) = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => (Tok::Open, i + 1),
            ')' => (Tok::Close, i + 1),
            '|' => (Tok::Or("|"), i + 1),
            '-' if chars
                .get(i + 1)
                .is_some_and(|&c| !c.is_whitespace() && c != ')' && c != '|') =>
            {
                (Tok::Not("-"), i + 1)
            }
            c if is_quote(c) => {
                let (text, end) = read_quoted(chars, i)?;
                if text.trim().is_empty() {
                    return Err(query_error(
                        "empty quotes: put the words to search for between them, or remove them",
                        i,
                    ));
                }
                (Tok::Term(Node::Phrase { text, span: Span { start: i, end } }), end)
            }
            _ => lex_word(chars, i)?,
        };
        if matches!(tok, Tok::Term(_)) {
            terms += 1;
            if terms > MAX_TERMS {
                return Err(query_error(
                    format!("too many search terms: at most {MAX_TERMS}; split the query"),
                    i,
                ));
            }
        }
        tokens.push(Token { tok, pos: i });
        i = end;
    }
    Ok(tokens)
}

/// Reads the quoted text whose opening quote is at `start`; returns it and the position after
/// the closing quote.
fn read_quoted(chars: &[char], start: usize) -> Result<(String, usize)> {
    let mut text = String::new();
    let mut i = start + 1;
    if chars.get(start) == Some(&'"') {
        while let Some(&c) = chars.get(i) {
            match c {
                '"' => return Ok((text, i + 1)),
                '\\' if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                    if let Some(&escaped) = chars.get(i + 1) {
                        text.push(escaped);
                    }
                    i += 2;
                    continue;
                }
                _ => text.push(c),
            }
            i += 1;
        }
        Err(query_error("unbalanced quote: add a closing \" or remove this one", start))
    } else {
        while let Some(&c) = chars.get(i) {
            if c == '“' || c == '”' {
                return Ok((text, i + 1));
            }
            text.push(c);
            i += 1;
        }
        Err(query_error("unbalanced quote: add a closing ” or remove this one", start))
    }
}

/// Lexes the word starting at `start` (not a delimiter): a keyword, a field or a phrase.
fn lex_word(chars: &[char], start: usize) -> Result<(Tok, usize)> {
    let rest = chars.get(start..).unwrap_or_default();
    let end = start + rest.iter().position(|&c| is_delimiter(c)).unwrap_or(rest.len());
    let word = &rest[..end - start];
    let text: String = word.iter().collect();
    match text.as_str() {
        "OR" => return Ok((Tok::Or("OR"), end)),
        "AND" => return Ok((Tok::And, end)),
        "NOT" => return Ok((Tok::Not("NOT"), end)),
        "SENT" | "PARA" if chars.get(end) == Some(&'(') => {
            let scope = if text == "SENT" { Scope::Sentence } else { Scope::Paragraph };
            return Ok((Tok::ScopeOpen(scope), end + 1));
        }
        _ => {}
    }
    if let Some(name_len) = field_name_len(word) {
        let name: String = word[..name_len].iter().collect();
        return lex_field(chars, start, &name, end);
    }
    Ok((Tok::Term(Node::Phrase { text, span: Span { start, end } }), end))
}

enum FieldKind {
    Text(TextField),
    Year,
    Date,
}

/// Lexes the field `name:` starting at `start`, whose bare word ends at `word_end`.
fn lex_field(chars: &[char], start: usize, name: &str, word_end: usize) -> Result<(Tok, usize)> {
    let lower = name.to_ascii_lowercase();
    let kind = match lower.as_str() {
        "year" => FieldKind::Year,
        "date" => FieldKind::Date,
        _ => match TextField::ALL.into_iter().find(|field| field.name() == lower) {
            Some(field) => FieldKind::Text(field),
            None => {
                return Err(query_error(
                    format!(
                        "unknown field \"{name}:\": the fields are title, speaker, region, kind, \
                         tag, year and date; to search for this text literally, put it in quotes"
                    ),
                    start,
                ));
            }
        },
    };
    let value_pos = start + name.len() + 1;
    let empty_value = || {
        query_error(
            format!(
                "{lower}: needs a value right after the colon, e.g. {lower}:2024 or \
                 {lower}:\"several words\""
            ),
            value_pos,
        )
    };
    let (value, end) = if value_pos < word_end {
        (chars.get(value_pos..word_end).unwrap_or_default().iter().collect(), word_end)
    } else if chars.get(value_pos).is_some_and(|&c| is_quote(c)) {
        read_quoted(chars, value_pos)?
    } else {
        return Err(empty_value());
    };
    if value.trim().is_empty() {
        return Err(empty_value());
    }
    let span = Span { start, end };
    let node = match kind {
        FieldKind::Text(field) => Node::Field { field, text: value, span },
        FieldKind::Year => {
            let (from, to) = parse_range(&value, parse_year).map_err(|problem| {
                let message = match problem {
                    RangeProblem::Invalid => format!(
                        "invalid year \"{value}\": write a 4-digit year (year:2024), a range \
                         (year:2020..2025) or an open range (year:2020.. or year:..2025)"
                    ),
                    RangeProblem::Backwards => {
                        format!("year range {value} goes backwards: put the earlier year first")
                    }
                };
                query_error(message, value_pos)
            })?;
            Node::Year { from, to, span }
        }
        FieldKind::Date => {
            let (from, to) = parse_range(&value, parse_date).map_err(|problem| {
                let message = match problem {
                    RangeProblem::Invalid => format!(
                        "invalid date \"{value}\": write real dates as YYYY-MM-DD \
                         (date:2024-03-05, date:2024-01-01..2024-06-30, date:2024-01-01..)"
                    ),
                    RangeProblem::Backwards => {
                        format!("date range {value} goes backwards: put the earlier date first")
                    }
                };
                query_error(message, value_pos)
            })?;
            Node::Date { from, to, span }
        }
    };
    Ok((Tok::Term(node), end))
}

enum RangeProblem {
    Invalid,
    Backwards,
}

/// Parses `x`, `x..y`, `x..` or `..y`.
fn parse_range<T: Copy + PartialOrd>(
    value: &str,
    parse_one: fn(&str) -> Option<T>,
) -> std::result::Result<(Option<T>, Option<T>), RangeProblem> {
    let Some((from, to)) = value.split_once("..") else {
        let one = parse_one(value).ok_or(RangeProblem::Invalid)?;
        return Ok((Some(one), Some(one)));
    };
    let bound = |text: &str| match text {
        "" => Ok(None),
        text => parse_one(text).map(Some).ok_or(RangeProblem::Invalid),
    };
    match (bound(from)?, bound(to)?) {
        (None, None) => Err(RangeProblem::Invalid),
        (Some(from), Some(to)) if from > to => Err(RangeProblem::Backwards),
        range => Ok(range),
    }
}

/// Parses exactly 4 ASCII digits, 1000–9999.
fn parse_year(text: &str) -> Option<i32> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|year| *year >= 1000)
}

/// Parses exactly `YYYY-MM-DD`, a real date with a 4-digit year.
fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        let part = text.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then_some(part)
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i16 = parse_year(digits(0..4)?)?.try_into().ok()?;
    let month: i8 = digits(5..7)?.parse().ok()?;
    let day: i8 = digits(8..10)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

// ---------------------------------------------------------------------------------------------
// Parser
//
// or    := and (("OR" | "|") and)*
// and   := unary ("AND"? unary)*
// unary := ("NOT" | "-") unary | primary
// primary := term | "(" or ")" | ("SENT(" | "PARA(") or ")"

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    depth: usize,
    /// Inside a scope group (they do not nest).
    in_scope: bool,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn starts_unary(&self) -> bool {
        matches!(
            self.peek(),
            Some(Token { tok: Tok::Term(_) | Tok::Open | Tok::ScopeOpen(_) | Tok::Not(_), .. })
        )
    }

    fn enter(&mut self, position: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(query_error(
                format!(
                    "query nested too deeply: at most {MAX_DEPTH} levels of parentheses and \
                     negations"
                ),
                position,
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Node> {
        let mut items = vec![self.parse_and()?];
        while let Some(&Token { tok: Tok::Or(op), pos }) = self.peek() {
            self.next += 1;
            if !self.starts_unary() {
                return Err(operator_error(op, pos));
            }
            items.push(self.parse_and()?);
        }
        Ok(Node::or(items))
    }

    fn parse_and(&mut self) -> Result<Node> {
        if !self.starts_unary() {
            return Err(unexpected(self.peek()));
        }
        let mut items = vec![self.parse_unary()?];
        loop {
            if let Some(&Token { tok: Tok::And, pos }) = self.peek() {
                self.next += 1;
                if !self.starts_unary() {
                    return Err(operator_error("AND", pos));
                }
            } else if !self.starts_unary() {
                break;
            }
            items.push(self.parse_unary()?);
        }
        Ok(Node::and(items))
    }

    fn parse_unary(&mut self) -> Result<Node> {
        if let Some(&Token { tok: Tok::Not(op), pos }) = self.peek() {
            self.next += 1;
            self.enter(pos)?;
            if !self.starts_unary() {
                let example = if op == "-" { "-人工智能" } else { "NOT 人工智能" };
                return Err(query_error(
                    format!("{op} needs a term to exclude right after it, e.g. {example}"),
                    pos,
                ));
            }
            let inner = self.parse_unary()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> Result<Node> {
        let Some(token) = self.tokens.get_mut(self.next) else {
            return Err(unexpected(None));
        };
        let pos = token.pos;
        if let Tok::Term(node) = &mut token.tok {
            let node = std::mem::replace(node, Node::And(Vec::new()));
            self.next += 1;
            return Ok(node);
        }
        let scope = match token.tok {
            Tok::Open => None,
            Tok::ScopeOpen(scope) => Some(scope),
            _ => return Err(unexpected(self.peek())),
        };
        self.next += 1;
        self.enter(pos)?;
        if let Some(scope) = scope {
            return self.parse_scope(scope, pos);
        }
        let unbalanced =
            || query_error("unbalanced parenthesis: add a closing ) or remove this (", pos);
        match self.peek() {
            None => return Err(unbalanced()),
            Some(Token { tok: Tok::Close, .. }) => {
                return Err(query_error(
                    "empty parentheses: put search terms inside them or remove them",
                    pos,
                ));
            }
            Some(_) => {}
        }
        let inner = self.parse_or()?;
        match self.peek() {
            Some(Token { tok: Tok::Close, .. }) => {
                self.next += 1;
                self.depth -= 1;
                Ok(inner)
            }
            _ => Err(unbalanced()),
        }
    }
}

impl Parser {
    /// The rest of a scope group whose `SENT(` or `PARA(` is at `pos` (already read).
    fn parse_scope(&mut self, scope: Scope, pos: usize) -> Result<Node> {
        let keyword = scope_keyword(scope);
        if self.in_scope {
            return Err(query_error(
                format!("{keyword}(…) inside another scope group: scope groups do not nest"),
                pos,
            ));
        }
        let unbalanced = || {
            query_error(format!("unbalanced parenthesis: add a closing ) to this {keyword}("), pos)
        };
        match self.peek() {
            None => return Err(unbalanced()),
            Some(Token { tok: Tok::Close, .. }) => {
                return Err(query_error(
                    format!("empty {keyword}(): put the words that must occur together inside"),
                    pos,
                ));
            }
            Some(_) => {}
        }
        self.in_scope = true;
        let inner = self.parse_or()?;
        self.in_scope = false;
        let end = match self.peek() {
            Some(&Token { tok: Tok::Close, pos: close }) => close + 1,
            _ => return Err(unbalanced()),
        };
        self.next += 1;
        self.depth -= 1;
        if !inner.is_anchored() {
            let unit = scope.name();
            return Err(query_error(
                format!(
                    "{keyword}(…) needs a phrase that must occur in the {unit}, e.g. \
                     {keyword}(人工智能 实体经济) or {keyword}(人工智能 -实体经济); negations and \
                     fields alone would have to read every speech"
                ),
                pos,
            ));
        }
        Ok(Node::Scope { scope, node: Box::new(inner), span: Span { start: pos, end } })
    }
}

/// The error for `token` (`None` at the end of the query) where a term was expected.
fn unexpected(token: Option<&Token>) -> Error {
    match token {
        Some(&Token { tok: Tok::Close, pos }) => {
            query_error("unmatched ): remove it or add a ( before it", pos)
        }
        Some(&Token { tok: Tok::Or(op), pos }) => operator_error(op, pos),
        Some(&Token { tok: Tok::And, pos }) => operator_error("AND", pos),
        _ => query_error("empty query: type one or more words to search for", 0),
    }
}

fn operator_error(op: &str, position: usize) -> Error {
    query_error(
        format!("{op} needs a search term on both sides: add one or remove the {op}"),
        position,
    )
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn selection_is_none_without_where_or_filters() {
        let none = Filters::default();
        assert_eq!(selection(None, &none).unwrap(), None);
        assert_eq!(selection(Some("  "), &none).unwrap(), None);
        let year = Filters { year: Some(2024), ..Filters::default() };
        let only_year = selection(None, &year).unwrap().expect("the filter selects");
        assert_eq!(only_year, with_filters(Node::And(Vec::new()), &year));
        let both = selection(Some("改革"), &year).unwrap().expect("query and filter");
        assert_eq!(both, parse_filtered("改革", &year).unwrap());
        let bad = Filters { from: Some(2025), to: Some(2020), ..Filters::default() };
        let err = selection(Some("改革"), &bad).unwrap_err().to_string();
        assert!(err.contains("from 2025 is after to 2020"), "{err}");
        assert!(matches!(selection(Some("(改革"), &none), Err(Error::Query { .. })));
    }

    // ----- builders (spans are zeroed; compare with `strip`) -----

    fn ph(text: &str) -> Node {
        Node::Phrase { text: text.into(), span: Span::default() }
    }
    fn field(field: TextField, text: &str) -> Node {
        Node::Field { field, text: text.into(), span: Span::default() }
    }
    fn year(from: Option<i32>, to: Option<i32>) -> Node {
        Node::Year { from, to, span: Span::default() }
    }
    fn d(text: &str) -> Option<Date> {
        Some(text.parse().unwrap())
    }
    fn date(from: Option<Date>, to: Option<Date>) -> Node {
        Node::Date { from, to, span: Span::default() }
    }
    fn and<const N: usize>(nodes: [Node; N]) -> Node {
        Node::And(nodes.into())
    }
    fn or<const N: usize>(nodes: [Node; N]) -> Node {
        Node::Or(nodes.into())
    }
    fn not(node: Node) -> Node {
        Node::Not(Box::new(node))
    }

    /// `node` with every span zeroed.
    fn strip(node: Node) -> Node {
        let span = Span::default();
        match node {
            Node::Phrase { text, .. } => Node::Phrase { text, span },
            Node::Field { field, text, .. } => Node::Field { field, text, span },
            Node::Year { from, to, .. } => Node::Year { from, to, span },
            Node::Date { from, to, .. } => Node::Date { from, to, span },
            Node::And(children) => Node::And(children.into_iter().map(strip).collect()),
            Node::Or(children) => Node::Or(children.into_iter().map(strip).collect()),
            Node::Not(child) => Node::Not(Box::new(strip(*child))),
            Node::Scope { scope, node, .. } => {
                Node::Scope { scope, node: Box::new(strip(*node)), span }
            }
        }
    }

    fn parsed(query: &str) -> Node {
        match parse(query) {
            Ok(node) => strip(node),
            Err(error) => panic!("{query:?} failed: {error}"),
        }
    }

    fn check(cases: Vec<(&str, Node)>) {
        for (query, expected) in cases {
            assert_eq!(parsed(query), expected, "query {query:?}");
        }
    }

    fn check_errors(cases: &[(&str, &str, usize)]) {
        for &(query, fragment, position) in cases {
            match parse(query) {
                Err(Error::Query { message, position: at }) => {
                    assert!(
                        message.contains(fragment),
                        "query {query:?}: message {message:?} lacks {fragment:?}"
                    );
                    assert_eq!(at, position, "query {query:?}: position ({message})");
                }
                other => panic!("query {query:?}: expected a query error, got {other:?}"),
            }
        }
    }

    // ----- examples -----

    #[test]
    fn spec_examples() {
        use TextField::*;
        check(vec![
            ("新质生产力", ph("新质生产力")),
            ("新质生产力 科技创新", and([ph("新质生产力"), ph("科技创新")])),
            ("新质生产力 -人工智能", and([ph("新质生产力"), not(ph("人工智能"))])),
            ("碳达峰 | 碳中和", or([ph("碳达峰"), ph("碳中和")])),
            ("碳达峰 OR 碳中和", or([ph("碳达峰"), ph("碳中和")])),
            (
                "title:政府工作报告 year:2020..2025 乡村振兴",
                and([field(Title, "政府工作报告"), year(Some(2020), Some(2025)), ph("乡村振兴")]),
            ),
            ("region:浙江省 \"共同富裕\"", and([field(Region, "浙江省"), ph("共同富裕")])),
            ("(碳达峰 | 碳中和) -煤炭", and([or([ph("碳达峰"), ph("碳中和")]), not(ph("煤炭"))])),
            ("NOT 人工智能 新质生产力", and([not(ph("人工智能")), ph("新质生产力")])),
            ("\"GDP 增长\"", ph("GDP 增长")),
            ("5G", ph("5G")),
            ("date:2024-01-01..2024-06-30", date(d("2024-01-01"), d("2024-06-30"))),
            ("year:2024", year(Some(2024), Some(2024))),
            ("year:..1978", year(None, Some(1978))),
            ("year:2020..", year(Some(2020), None)),
            ("speaker:\"李 强\"", field(Speaker, "李 强")),
            ("kind:讲话", field(Kind, "讲话")),
            ("tag:科技", field(Tag, "科技")),
            ("“新质生产力”", ph("新质生产力")),
            ("新质生产力\u{3000}科技创新", and([ph("新质生产力"), ph("科技创新")])),
        ]);
    }

    #[test]
    fn phrases_quotes_and_whitespace() {
        check(vec![
            ("  新质生产力  ", ph("新质生产力")),
            ("\t新质生产力\n科技创新\r\n", and([ph("新质生产力"), ph("科技创新")])),
            ("\u{3000}\u{3000}新质生产力\u{3000}", ph("新质生产力")),
            ("“GDP 增长”", ph("GDP 增长")),
            ("”新质生产力”", ph("新质生产力")),
            ("“新质生产力“", ph("新质生产力")),
            ("“说\"好\"”", ph("说\"好\"")),
            ("\"说“好”\"", ph("说“好”")),
            ("\"他说\\\"好\\\"\"", ph("他说\"好\"")),
            ("\"a\\\\b\"", ph("a\\b")),
            ("\"a\\b\"", ph("a\\b")),
            ("a\\b", ph("a\\b")),
            ("\" 新质 \"", ph(" 新质 ")),
            ("\"OR\"", ph("OR")),
            ("\"title:报告\"", ph("title:报告")),
            ("or and not", and([ph("or"), ph("and"), ph("not")])),
            ("新质\"生产力\"", and([ph("新质"), ph("生产力")])),
            ("\"新质\"生产力", and([ph("新质"), ph("生产力")])),
            ("（碳达峰）", ph("（碳达峰）")),
            ("（碳达峰 ｜ 碳中和）", and([ph("（碳达峰"), ph("｜"), ph("碳中和）")])),
            ("Ａ：Ｂ", ph("Ａ：Ｂ")),
        ]);
    }

    #[test]
    fn precedence_and_flattening() {
        check(vec![
            ("a b | c", or([and([ph("a"), ph("b")]), ph("c")])),
            ("a | b c", or([ph("a"), and([ph("b"), ph("c")])])),
            ("a AND b OR c", or([and([ph("a"), ph("b")]), ph("c")])),
            ("a (b | c)", and([ph("a"), or([ph("b"), ph("c")])])),
            ("-a b", and([not(ph("a")), ph("b")])),
            ("NOT a | b", or([not(ph("a")), ph("b")])),
            ("-(a b)", not(and([ph("a"), ph("b")]))),
            ("NOT (a | b)", not(or([ph("a"), ph("b")]))),
            ("--a", not(not(ph("a")))),
            ("NOT -a", not(not(ph("a")))),
            ("a AND b", and([ph("a"), ph("b")])),
            ("a AND -b", and([ph("a"), not(ph("b"))])),
            ("a b c d", and([ph("a"), ph("b"), ph("c"), ph("d")])),
            ("a | b OR c | d", or([ph("a"), ph("b"), ph("c"), ph("d")])),
            ("(a b) (c d)", and([ph("a"), ph("b"), ph("c"), ph("d")])),
            ("a (b (c d))", and([ph("a"), ph("b"), ph("c"), ph("d")])),
            ("(a | b) | (c | d)", or([ph("a"), ph("b"), ph("c"), ph("d")])),
            ("((a))", ph("a")),
            ("(a | b) (c | d)", and([or([ph("a"), ph("b")]), or([ph("c"), ph("d")])])),
            ("碳达峰|碳中和", or([ph("碳达峰"), ph("碳中和")])),
            ("(碳达峰)(碳中和)", and([ph("碳达峰"), ph("碳中和")])),
            ("a|b c", or([ph("a"), and([ph("b"), ph("c")])])),
        ]);
    }

    #[test]
    fn colon_rules() {
        use TextField::*;
        check(vec![
            ("来源:新华社", ph("来源:新华社")),
            ("title：政府工作报告", ph("title：政府工作报告")),
            ("a1:b", ph("a1:b")),
            ("5G:x", ph("5G:x")),
            (":abc", ph(":abc")),
            ("报告title:x", ph("报告title:x")),
            ("Title:报告", field(Title, "报告")),
            ("SPEAKER:李强", field(Speaker, "李强")),
            ("title:a:b", field(Title, "a:b")),
            ("title:-报告", field(Title, "-报告")),
            ("title:OR", field(Title, "OR")),
            ("title:“政府 工作”", field(Title, "政府 工作")),
            ("title:\"x\\\"y\"", field(Title, "x\"y")),
            ("-title:报告", not(field(Title, "报告"))),
            ("NOT region:浙江", not(field(Region, "浙江"))),
            ("(title:报告)", field(Title, "报告")),
            ("title:报告|tag:科技", or([field(Title, "报告"), field(Tag, "科技")])),
            ("year:\"2024\"", year(Some(2024), Some(2024))),
            ("year:2024..2024", year(Some(2024), Some(2024))),
            ("year:1000..9999", year(Some(1000), Some(9999))),
            ("date:2024-02-29", date(d("2024-02-29"), d("2024-02-29"))),
            ("date:2024-01-01..", date(d("2024-01-01"), None)),
            ("date:..1978-12-18", date(None, d("1978-12-18"))),
            ("DATE:2024-01-01", date(d("2024-01-01"), d("2024-01-01"))),
        ]);
    }

    #[test]
    fn hyphen_rules() {
        check(vec![
            ("-", ph("-")),
            ("a -", and([ph("a"), ph("-")])),
            ("- a", and([ph("-"), ph("a")])),
            ("一带一路-倡议", ph("一带一路-倡议")),
            ("2020-2025", ph("2020-2025")),
            ("a- b", and([ph("a-"), ph("b")])),
            ("(a -)", and([ph("a"), ph("-")])),
            ("a -| b", or([and([ph("a"), ph("-")]), ph("b")])),
            ("-\"a b\"", not(ph("a b"))),
            ("-“a”", not(ph("a"))),
            ("--", not(ph("-"))),
            ("a -b-c", and([ph("a"), not(ph("b-c"))])),
            ("\"a\"-b", and([ph("a"), not(ph("b"))])),
            ("－人工智能", ph("－人工智能")),
        ]);
    }

    #[test]
    fn spans_are_character_positions() {
        let node = parse("新质 \"生产 力\" title:报告 year:2024 -科技").unwrap();
        let Node::And(children) = node else { panic!("{node:?}") };
        let spans: Vec<Span> = children
            .iter()
            .map(|child| match child {
                Node::Phrase { span, .. }
                | Node::Field { span, .. }
                | Node::Year { span, .. }
                | Node::Date { span, .. } => *span,
                Node::Not(inner) => match **inner {
                    Node::Phrase { span, .. } => span,
                    _ => panic!(),
                },
                _ => panic!(),
            })
            .collect();
        let expected = [(0, 2), (3, 9), (10, 18), (19, 28), (30, 32)];
        assert_eq!(spans, expected.map(|(start, end)| Span { start, end }));
    }

    // ----- errors -----

    #[test]
    fn errors() {
        check_errors(&[
            // empty
            ("", "empty query", 0),
            ("   ", "empty query", 0),
            ("\u{3000}\t\n", "empty query", 0),
            // operators with nothing on one side
            ("OR", "OR needs a search term on both sides", 0),
            ("|", "| needs a search term on both sides", 0),
            ("a |", "| needs", 2),
            ("| a", "| needs", 0),
            ("a OR", "OR needs", 2),
            ("a | | b", "| needs", 2),
            ("a OR OR b", "OR needs", 2),
            ("AND", "AND needs", 0),
            ("a AND", "AND needs", 2),
            ("AND a", "AND needs", 0),
            ("a AND | b", "AND needs", 2),
            ("a | AND b", "| needs", 2),
            ("(a |)", "| needs", 3),
            ("NOT", "NOT needs a term to exclude", 0),
            ("a NOT", "NOT needs", 2),
            ("NOT | a", "NOT needs", 0),
            ("(a NOT)", "NOT needs", 3),
            ("-OR", "- needs a term to exclude", 0),
            ("OR OR", "OR needs", 0),
            // quotes
            ("\"abc", "unbalanced quote: add a closing \"", 0),
            ("a \"b c", "unbalanced quote", 2),
            ("\"a\" \"b", "unbalanced quote", 4),
            ("“新质生产力", "unbalanced quote: add a closing ”", 0),
            ("新质生产力”", "unbalanced quote", 5),
            ("\"a\\\"", "unbalanced quote", 0),
            ("title:\"李", "unbalanced quote", 6),
            ("\"\"", "empty quotes", 0),
            ("a “ ”", "empty quotes", 2),
            ("\"\u{3000}\"", "empty quotes", 0),
            // parentheses
            ("(a", "unbalanced parenthesis: add a closing )", 0),
            ("((a)", "unbalanced parenthesis", 0),
            ("(a (b)", "unbalanced parenthesis", 0),
            ("a (", "unbalanced parenthesis", 2),
            ("a)", "unmatched )", 1),
            ("(a))", "unmatched )", 3),
            (")", "unmatched )", 0),
            (") a", "unmatched )", 0),
            ("()", "empty parentheses", 0),
            ("a ( )", "empty parentheses", 2),
            ("-()", "empty parentheses", 1),
            ("(|)", "| needs", 1),
            // fields
            ("foo:bar", "unknown field \"foo:\"", 0),
            ("a http://example.com", "put it in quotes", 2),
            ("foo:\"bar\"", "unknown field", 0),
            ("-foo:bar", "unknown field", 1),
            ("title:", "title: needs a value", 6),
            ("a title: b", "title: needs a value", 8),
            ("title:\"\"", "title: needs a value", 6),
            ("speaker:“ ”", "speaker: needs a value", 8),
            ("TITLE:(a)", "title: needs a value", 6),
            ("year:", "year: needs a value", 5),
            ("date:", "date: needs a value", 5),
            // years
            ("year:abc", "invalid year \"abc\"", 5),
            ("year:24", "invalid year", 5),
            ("year:20245", "invalid year", 5),
            ("year:0999", "invalid year", 5),
            ("year:２０２４", "invalid year", 5),
            ("year:+202", "invalid year", 5),
            ("year:..", "invalid year", 5),
            ("year:2020...2025", "invalid year", 5),
            ("year:2020..2025..2030", "invalid year", 5),
            ("year:2020-2025", "invalid year", 5),
            ("a year:2025..2020", "goes backwards", 7),
            // dates
            ("date:2024-02-30", "invalid date \"2024-02-30\"", 5),
            ("date:2023-02-29", "invalid date", 5),
            ("date:2024-13-01", "invalid date", 5),
            ("date:2024-1-1", "invalid date", 5),
            ("date:2024", "invalid date", 5),
            ("date:20240101", "invalid date", 5),
            ("date:0999-01-01", "invalid date", 5),
            ("date:2024-01-01T00:00", "invalid date", 5),
            ("date:..", "invalid date", 5),
            ("date:2024-06-30..2024-01-01", "goes backwards", 5),
        ]);
    }

    #[test]
    fn limits() {
        // Nesting: 64 levels are fine, 65 are not.
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(parsed(&ok), ph("a"));
        let deep = format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        check_errors(&[(deep.as_str(), "nested too deeply", MAX_DEPTH)]);
        let nots = format!("{}a", "-".repeat(MAX_DEPTH + 1));
        check_errors(&[(nots.as_str(), "nested too deeply", MAX_DEPTH)]);
        let not_words = "NOT ".repeat(MAX_DEPTH + 1) + "a";
        check_errors(&[(not_words.as_str(), "nested too deeply", 4 * MAX_DEPTH)]);
        let mixed = "(-".repeat(40) + "a" + &")".repeat(40);
        check_errors(&[(mixed.as_str(), "nested too deeply", 64)]);

        // Terms: 2048 are fine, 2049 are not.
        let many = "a ".repeat(MAX_TERMS);
        assert!(parse(&many).is_ok());
        let too_many = "a ".repeat(MAX_TERMS + 1);
        check_errors(&[(too_many.as_str(), "too many search terms", 2 * MAX_TERMS)]);

        // Length in characters, not bytes.
        let long_ok = format!("\"{}\"", "字".repeat(MAX_QUERY_CHARS - 2));
        assert_eq!(parsed(&long_ok), ph(&"字".repeat(MAX_QUERY_CHARS - 2)));
        let too_long = "字".repeat(MAX_QUERY_CHARS + 1);
        check_errors(&[(too_long.as_str(), "query too long", MAX_QUERY_CHARS)]);
    }

    #[test]
    fn pathological_inputs_are_fast() {
        let inputs = [
            "(".repeat(200_000),
            ")".repeat(99_999),
            "-".repeat(99_999),
            "\"".repeat(99_999),
            "\"".repeat(99_998),
            "“".repeat(99_999),
            "| ".repeat(49_999),
            "NOT ".repeat(24_999),
            "a ".repeat(49_999),
            "a".repeat(99_999),
            "(a ".repeat(33_333),
            "\\".repeat(99_999),
            format!("\"{}", "\\\"".repeat(49_999)),
            "title:".repeat(16_666),
            "year:2020..2025 ".repeat(6_000),
            "\u{3000}".repeat(99_999),
            "\0\u{7}\u{1b}".repeat(33_333),
        ];
        for input in &inputs {
            let started = Instant::now();
            let _ = parse(input);
            assert!(started.elapsed() < Duration::from_secs(2), "slow on {:?}…", &input[..10]);
        }
    }

    #[test]
    fn error_is_user_error_and_displays_position() {
        let error = parse("a )").unwrap_err();
        assert!(error.is_user_error());
        assert_eq!(
            error.to_string(),
            "query error at character 2: unmatched ): remove it or add a ( before it"
        );
    }

    // ----- API -----

    #[test]
    fn positive_phrases_skip_negations_and_fields() {
        let node = parse("新质 (科技 | -人工智能) title:报告 NOT (煤炭 石油) 新质 year:2024 科技")
            .unwrap();
        assert_eq!(node.positive_phrases(), ["新质", "科技"]);
        assert_eq!(parse("-a").unwrap().positive_phrases(), Vec::<&str>::new());
    }

    #[test]
    fn node_constructors_flatten() {
        assert_eq!(Node::and(vec![ph("a")]), ph("a"));
        assert_eq!(
            Node::and(vec![and([ph("a"), ph("b")]), or([ph("c"), ph("d")])]),
            and([ph("a"), ph("b"), or([ph("c"), ph("d")])])
        );
        assert_eq!(
            Node::or(vec![or([ph("a"), ph("b")]), ph("c")]),
            or([ph("a"), ph("b"), ph("c")])
        );
    }

    #[test]
    fn filters() {
        use TextField::*;
        let base = parse("新质生产力").unwrap();
        assert_eq!(with_filters(base.clone(), &Filters::default()), base);
        let filters = Filters {
            year: Some(2024),
            from: Some(2020),
            to: None,
            region: Some("浙江".into()),
            speaker: Some("李强".into()),
            kind: Some(" ".into()),
        };
        assert_eq!(
            strip(with_filters(parse("a | b").unwrap(), &filters)),
            and([
                or([ph("a"), ph("b")]),
                year(Some(2024), Some(2024)),
                year(Some(2020), None),
                field(Region, "浙江"),
                field(Speaker, "李强"),
            ])
        );
        assert_eq!(
            strip(with_filters(
                parse("a b").unwrap(),
                &Filters { to: Some(2025), ..Filters::default() }
            )),
            and([ph("a"), ph("b"), year(None, Some(2025))])
        );
        assert!(filters.validate().is_ok());
        assert!(
            Filters { from: Some(2025), to: Some(2020), ..Filters::default() }.validate().is_err()
        );
        assert!(Filters { year: Some(24), ..Filters::default() }.validate().is_err());
    }

    fn scope(scope: Scope, node: Node) -> Node {
        Node::Scope { scope, node: Box::new(node), span: Span::default() }
    }

    #[test]
    fn scope_groups() {
        use Scope::{Paragraph, Sentence};
        check(vec![
            ("SENT(人工智能 实体经济)", scope(Sentence, and([ph("人工智能"), ph("实体经济")]))),
            ("PARA(a -b)", scope(Paragraph, and([ph("a"), not(ph("b"))]))),
            ("SENT(a | b) c", and([scope(Sentence, or([ph("a"), ph("b")])), ph("c")])),
            ("-SENT(a b)", not(scope(Sentence, and([ph("a"), ph("b")])))),
            ("SENT(a) | PARA(b)", or([scope(Sentence, ph("a")), scope(Paragraph, ph("b"))])),
            ("SENT((a | b) c)", scope(Sentence, and([or([ph("a"), ph("b")]), ph("c")]))),
            ("SENT(a title:x)", scope(Sentence, and([ph("a"), field(TextField::Title, "x")]))),
            // Only uppercase, only with the parenthesis right after the name.
            ("sent(a)", and([ph("sent"), ph("a")])),
            ("SENT (a)", and([ph("SENT"), ph("a")])),
            ("\"SENT\"(a)", and([ph("SENT"), ph("a")])),
            ("SENTX(a)", and([ph("SENTX"), ph("a")])),
        ]);
        let node = parse("x SENT(人工智能 实体经济)").unwrap();
        let Node::And(children) = node else { panic!() };
        let Node::Scope { span, .. } = &children[1] else { panic!() };
        assert_eq!(*span, Span { start: 2, end: 17 });
        check_errors(&[
            ("SENT(-a)", "SENT(…) needs a phrase that must occur in the sentence", 0),
            ("x PARA(a | title:b)", "PARA(…) needs a phrase", 2),
            ("SENT(title:b)", "needs a phrase", 0),
            ("SENT(a PARA(b c))", "scope groups do not nest", 7),
            ("SENT()", "empty SENT()", 0),
            ("SENT(a b", "add a closing ) to this SENT(", 0),
        ]);
        assert_eq!(
            to_query_string(&parse("SENT(a | b -c) PARA(d)").unwrap()),
            "SENT(a | b -c) PARA(d)"
        );
        let canonical = to_query_string(&parse("SENT(\"SENT\" (a))").unwrap());
        assert_eq!(canonical, "SENT(SENT a)");
        assert_eq!(parsed(&canonical), scope(Sentence, and([ph("SENT"), ph("a")])));
    }

    #[test]
    fn within_wraps_the_query_once() {
        let node = within(parse("a -b year:2024").unwrap(), Scope::Sentence).unwrap();
        assert_eq!(to_query_string(&node), "SENT(a -b year:2024)");
        let err = within(parse("SENT(a b)").unwrap(), Scope::Paragraph).unwrap_err().to_string();
        assert!(err.contains("use one or the other"), "{err}");
        let err = within(parse("-a title:b").unwrap(), Scope::Sentence).unwrap_err().to_string();
        assert!(err.contains("needs a phrase that must occur in the sentence"), "{err}");
    }

    #[test]
    fn canonical_strings() {
        let cases = [
            ("新质生产力", "新质生产力"),
            ("a b | c", "a b | c"),
            ("a (b | c)", "a (b | c)"),
            ("-(a b) NOT c", "-(a b) -c"),
            ("“GDP 增长”", "\"GDP 增长\""),
            ("\"-a\" \"OR\" \"x:y\" 来源:新华社", "\"-a\" \"OR\" \"x:y\" 来源:新华社"),
            ("\"a\\\"b\\\\c\"", "\"a\\\"b\\\\c\""),
            ("Title:a speaker:\"李 强\"", "title:a speaker:\"李 强\""),
            ("year:2024 year:2020.. year:..2025", "year:2024 year:2020.. year:..2025"),
            ("date:2024-01-01..2024-06-30", "date:2024-01-01..2024-06-30"),
            ("-", "\"-\""),
        ];
        for (query, canonical) in cases {
            let node = parse(query).unwrap();
            assert_eq!(to_query_string(&node), canonical, "query {query:?}");
            assert_eq!(parsed(canonical), strip(node));
        }
    }

    #[test]
    fn serializes_to_json() {
        let node = parse("a -title:b date:2024-01-01..").unwrap();
        let json = serde_json::to_value(&node).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"and": [
                {"phrase": {"text": "a", "span": {"start": 0, "end": 1}}},
                {"not": {"field": {"field": "title", "text": "b", "span": {"start": 3, "end": 10}}}},
                {"date": {"from": "2024-01-01", "to": null, "span": {"start": 11, "end": 28}}},
            ]})
        );
    }

    // ----- properties -----

    fn arbitrary_query() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            '"', '“', '”', '(', ')', '|', '-', ':', '\\', ' ', '\u{3000}', '\t', '\n', '\0',
            '\u{1b}', '.', '（', '）', 'a', 'Z', '0', '9', '新', '质', 'O', 'R', 'N', 'D', 'T',
        ]);
        let word = prop::sample::select(vec![
            "OR ",
            "AND ",
            "NOT ",
            "title:",
            "year:",
            "date:",
            "speaker:",
            "foo:",
            "2024",
            "..",
            "2024-02-29",
            "-",
            "\"",
            "“",
            "(",
            ")",
            " | ",
        ]);
        prop::collection::vec(
            prop_oneof![
                any::<char>().prop_map(String::from),
                special.prop_map(String::from),
                word.prop_map(String::from),
            ],
            0..120,
        )
        .prop_map(|parts| parts.concat())
    }

    fn long_query() -> impl Strategy<Value = String> {
        let fragment = prop::sample::select(vec![
            "(",
            ")",
            "\"",
            "“",
            "-",
            "|",
            "NOT ",
            "OR ",
            "a ",
            "新质生产力",
            " ",
            "year:2024 ",
            "title:",
            "\\",
            "x:",
        ]);
        (prop::collection::vec(fragment, 1..20), 1_000usize..60_000).prop_map(|(parts, times)| {
            let unit = parts.concat();
            unit.repeat(times.div_ceil(unit.chars().count().max(1)).max(1))
                .chars()
                .take(200_000)
                .collect()
        })
    }

    fn text() -> impl Strategy<Value = String> {
        let c = prop::sample::select(vec![
            'a', 'Z', '5', '新', '质', ' ', '\u{3000}', '"', '“', '”', '\\', '(', ')', '|', '-',
            ':', '.', 'O', 'R', 'A', 'N', 'D', 'T', '（', '：', '\n',
        ]);
        prop::collection::vec(c, 1..8)
            .prop_map(|chars| chars.into_iter().collect::<String>())
            .prop_filter("not blank", |text| !text.trim().is_empty())
    }

    fn leaf() -> impl Strategy<Value = Node> {
        let field = prop::sample::select(TextField::ALL.to_vec());
        let years = (1000i32..=9999, 0i32..50);
        let dates = (0i64..3_000_000, 0i64..4000);
        let base = Date::constant(1000, 1, 1);
        prop_oneof![
            3 => text().prop_map(|text| Node::Phrase { text, span: Span::default() }),
            1 => (field, text()).prop_map(|(field, text)| Node::Field { field, text, span: Span::default() }),
            1 => (years, 0..4u8).prop_map(|((from, len), open)| {
                let to = (from + len).min(9999);
                let (from, to) = match open { 0 => (None, Some(to)), 1 => (Some(from), None), _ => (Some(from), Some(to)) };
                Node::Year { from, to, span: Span::default() }
            }),
            1 => (dates, 0..4u8).prop_map(move |((offset, len), open)| {
                let from = base.checked_add(jiff::Span::new().days(offset % 3_000_000)).unwrap_or(base);
                let to = from.checked_add(jiff::Span::new().days(len)).unwrap_or(from);
                let to = if to.year() > 9999 { from } else { to };
                let (from, to) = match open { 0 => (None, Some(to)), 1 => (Some(from), None), _ => (Some(from), Some(to)) };
                Node::Date { from, to, span: Span::default() }
            }),
        ]
    }

    fn tree() -> impl Strategy<Value = Node> {
        leaf().prop_recursive(5, 40, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::and),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::or),
                inner.clone().prop_map(|node| Node::Not(Box::new(node))),
                // A scope group around an anchored tree without groups (else the tree itself).
                (inner, text(), proptest::bool::ANY).prop_map(|(node, text, sentence)| {
                    if node.has_scope() {
                        return node;
                    }
                    let phrase = Node::Phrase { text, span: Span::default() };
                    let scope = if sentence { Scope::Sentence } else { Scope::Paragraph };
                    Node::Scope {
                        scope,
                        node: Box::new(Node::and(vec![phrase, node])),
                        span: Span::default(),
                    }
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn parse_never_panics(query in arbitrary_query()) {
            let started = Instant::now();
            if let Err(error) = parse(&query) {
                let Error::Query { position, .. } = error else { panic!("{error:?}") };
                prop_assert!(position <= query.chars().count());
            }
            prop_assert!(started.elapsed() < Duration::from_secs(1));
        }

        #[test]
        fn valid_trees_round_trip(tree in tree()) {
            let query = to_query_string(&tree);
            let reparsed = parse(&query).map(strip);
            prop_assert_eq!(reparsed.as_ref().ok(), Some(&tree), "query {:?}: {:?}", query, reparsed);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        #[test]
        fn long_inputs_are_bounded(query in long_query()) {
            let started = Instant::now();
            if let Err(error) = parse(&query) {
                let Error::Query { position, .. } = error else { panic!("{error:?}") };
                prop_assert!(position <= query.chars().count());
            }
            prop_assert!(started.elapsed() < Duration::from_secs(2));
        }
    }
}
