//! The query parser (`speechdex::search::query::parse`): never a panic, errors point inside the
//! query, and a parsed tree written back (`to_query_string`) parses to the same tree; the slip
//! finder (`speechdex::search::lint`) never panics and its suggestions parse.
#![no_main]

use libfuzzer_sys::fuzz_target;
use speechdex::search::query::{Node, Span, parse, to_query_string};

/// The tree without its spans.
fn strip(node: &Node) -> Node {
    match node {
        Node::Phrase { text, .. } => Node::Phrase { text: text.clone(), span: Span::default() },
        Node::Field { field, text, .. } => {
            Node::Field { field: *field, text: text.clone(), span: Span::default() }
        }
        Node::Year { from, to, .. } => Node::Year { from: *from, to: *to, span: Span::default() },
        Node::Date { from, to, .. } => Node::Date { from: *from, to: *to, span: Span::default() },
        Node::And(children) => Node::And(children.iter().map(strip).collect()),
        Node::Or(children) => Node::Or(children.iter().map(strip).collect()),
        Node::Not(child) => Node::Not(Box::new(strip(child))),
        Node::Scope { scope, node, .. } => {
            Node::Scope { scope: *scope, node: Box::new(strip(node)), span: Span::default() }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else { return };
    match parse(query) {
        Ok(tree) => {
            for note in speechdex::search::lint::lint(query) {
                assert!(parse(&note.suggestion).is_ok(), "{query:?} → {:?}", note.suggestion);
            }
            let written = to_query_string(&tree);
            match parse(&written) {
                Ok(again) => assert_eq!(strip(&again), strip(&tree), "{query:?} → {written:?}"),
                Err(err) => panic!("{query:?} → {written:?} does not parse: {err}"),
            }
        }
        Err(speechdex::Error::Query { position, message }) => {
            assert!(position <= query.chars().count(), "{message} at {position}");
            assert!(!message.is_empty());
        }
        Err(other) => panic!("not a query error: {other}"),
    }
});
