//! Likely slips in a query that parses but probably does not say what was meant.
//!
//! The query language is strict on purpose (see [`super::query`]): `or` is the text "or",
//! `（…）` are characters of the text, `-` alone is the text "-". Exactness depends on that. But a
//! user who types `碳达峰 or 碳中和` or `（碳达峰 | 碳中和）` almost certainly meant the operator, and
//! an empty result would read as "the term never occurs". [`lint`] finds such slips; each
//! [`QueryNote`] says what was searched and gives the query with that slip fixed, which the CLI
//! prints on stderr and the API returns under `warnings`. The query itself is searched as typed.
//!
//! | Typed | Searched | Suggested |
//! |---|---|---|
//! | `碳达峰 or 碳中和` (also `and`, `not`, any case but upper) | the text "or" as a third term | `碳达峰 OR 碳中和` |
//! | `新质生产力 - 人工智能` | the text "-" | `新质生产力 -人工智能` |
//! | `（碳达峰 \| 碳中和）` | the texts "（碳达峰" or "碳中和）" | `(碳达峰 \| 碳中和)` |
//! | `「新质生产力」`, `『…』`, `＂…＂` | the brackets or quote marks as text | `"新质生产力"` |
//! | `year:2024` as a `trend` term ([`lint_terms`]) | the text "year:2024" | `--year 2024` |

use serde::Serialize;

use super::query::{Node, Span, parse};

/// A likely slip: what was searched, and the query probably meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryNote {
    /// What was searched instead, for people.
    pub message: String,
    /// The query with this slip fixed.
    pub suggestion: String,
}

/// Keywords that are operators only in upper case.
const KEYWORDS: [&str; 3] = ["AND", "OR", "NOT"];
/// Full-width or corner brackets and quotes people use as quotation marks, with their pair.
const QUOTE_LIKE: [(char, char); 3] = [('「', '」'), ('『', '』'), ('＂', '＂')];

/// The likely slips of `query` (none when it does not parse: the parse error says more).
pub fn lint(query: &str) -> Vec<QueryNote> {
    let Ok(node) = parse(query) else { return Vec::new() };
    let chars: Vec<char> = query.chars().collect();
    let mut phrases = Vec::new();
    collect_phrases(&node, &mut phrases);
    // Only phrases typed bare (not in quotes): quoted text is meant literally.
    phrases.retain(|(text, span)| span.end - span.start == text.chars().count());
    let mut notes = Vec::new();
    lowercase_keywords(&chars, &phrases, &mut notes);
    lone_minus(&chars, &phrases, &mut notes);
    full_width_parentheses(&chars, &phrases, &mut notes);
    quote_like_brackets(&chars, &phrases, &mut notes);
    // A fix must be a query (`or 碳中和` → `OR 碳中和` is not: OR needs a left side).
    notes.retain(|n| n.suggestion != query && parse(&n.suggestion).is_ok());
    notes
}

/// Notes on the terms of `trend` and `compare --terms`, which are exact phrases, not queries:
/// field syntax there is counted as text.
pub fn lint_terms(terms: &[String]) -> Vec<QueryNote> {
    let mut notes = Vec::new();
    for term in terms {
        let Some((name, value)) = term.split_once(':') else { continue };
        let lower = name.to_ascii_lowercase();
        let flag = match lower.as_str() {
            "year" if !value.contains("..") => format!("--year {value}"),
            "year" => {
                let (from, to) = value.split_once("..").unwrap_or((value, ""));
                let mut s = String::new();
                if !from.is_empty() {
                    s.push_str(&format!("--from {from}"));
                }
                if !to.is_empty() {
                    s.push_str(&format!("{}--to {to}", if s.is_empty() { "" } else { " " }));
                }
                s
            }
            "region" | "speaker" | "kind" => format!("--{lower} {value}"),
            "title" | "date" | "tag" => format!("--where '{term}'"),
            _ => continue,
        };
        notes.push(QueryNote {
            message: format!(
                "{term:?} was counted as text (terms are exact phrases, not queries); to count \
                 only in those speeches, use {flag}"
            ),
            suggestion: flag,
        });
    }
    notes
}

fn collect_phrases(node: &Node, out: &mut Vec<(String, Span)>) {
    match node {
        Node::Phrase { text, span } => out.push((text.clone(), *span)),
        Node::And(children) | Node::Or(children) => {
            children.iter().for_each(|c| collect_phrases(c, out));
        }
        Node::Not(child) | Node::Scope { node: child, .. } => collect_phrases(child, out),
        Node::Field { .. } | Node::Year { .. } | Node::Date { .. } => {}
    }
}

/// `chars` with `span` replaced by `with`.
fn splice(chars: &[char], span: Span, with: &str) -> String {
    let mut out: String = chars[..span.start].iter().collect();
    out.push_str(with);
    out.extend(&chars[span.end..]);
    out
}

fn lowercase_keywords(chars: &[char], phrases: &[(String, Span)], notes: &mut Vec<QueryNote>) {
    for (text, span) in phrases {
        let upper = text.to_ascii_uppercase();
        if phrases.len() < 2 || !KEYWORDS.contains(&upper.as_str()) || *text == upper {
            continue;
        }
        let meaning = match upper.as_str() {
            "OR" => "for either term",
            "AND" => "for both terms",
            _ => "to exclude the next term",
        };
        notes.push(QueryNote {
            message: format!(
                "{text:?} was searched as text: operators are upper case; {meaning}, write {upper}"
            ),
            suggestion: splice(chars, *span, &upper),
        });
    }
}

fn lone_minus(chars: &[char], phrases: &[(String, Span)], notes: &mut Vec<QueryNote>) {
    for (text, span) in phrases {
        if text != "-" && text != "－" {
            continue;
        }
        let mut end = span.end;
        while end < chars.len() && chars[end].is_whitespace() {
            end += 1;
        }
        if end == span.end || end == chars.len() {
            continue;
        }
        notes.push(QueryNote {
            message: format!(
                "a lone {text:?} was searched as text; to exclude the term after it, write the \
                 minus sign directly before it"
            ),
            suggestion: splice(chars, Span { start: span.start, end }, "-"),
        });
    }
}

fn full_width_parentheses(chars: &[char], phrases: &[(String, Span)], notes: &mut Vec<QueryNote>) {
    let opens = phrases.iter().any(|(t, _)| t.starts_with('（') && !t.contains('）'));
    let closes = phrases.iter().any(|(t, _)| t.ends_with('）') && !t.contains('（'));
    if opens && closes {
        let suggestion: String = chars
            .iter()
            .map(|&c| {
                if c == '（' {
                    '('
                } else if c == '）' {
                    ')'
                } else {
                    c
                }
            })
            .collect();
        notes.push(QueryNote {
            message: "full-width （ and ） were searched as characters of the text; to group \
                      terms, use ( and )"
                .to_string(),
            suggestion,
        });
    }
}

fn quote_like_brackets(chars: &[char], phrases: &[(String, Span)], notes: &mut Vec<QueryNote>) {
    for (open, close) in QUOTE_LIKE {
        let used = phrases.iter().any(|(t, _)| t.starts_with(open))
            && phrases.iter().any(|(t, _)| t.ends_with(close) && t.chars().count() > 1);
        if !used {
            continue;
        }
        let suggestion: String =
            chars.iter().map(|&c| if c == open || c == close { '"' } else { c }).collect();
        notes.push(QueryNote {
            message: format!(
                "{open}{close} were searched as characters of the text, not as quotation marks; \
                 to search the quoted words as one phrase, use \"…\" or “…”"
            ),
            suggestion,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggestions(q: &str) -> Vec<String> {
        lint(q).into_iter().map(|n| n.suggestion).collect()
    }

    #[test]
    fn each_slip_gets_its_fix() {
        assert_eq!(suggestions("碳达峰 or 碳中和"), ["碳达峰 OR 碳中和"]);
        assert_eq!(suggestions("碳达峰 Or 碳中和"), ["碳达峰 OR 碳中和"]);
        assert_eq!(suggestions("新质生产力 and 科技"), ["新质生产力 AND 科技"]);
        assert_eq!(suggestions("新质生产力 - 人工智能"), ["新质生产力 -人工智能"]);
        assert_eq!(suggestions("新质生产力 －　人工智能"), ["新质生产力 -人工智能"]);
        assert_eq!(suggestions("（碳达峰 | 碳中和）"), ["(碳达峰 | 碳中和)"]);
        assert_eq!(suggestions("（碳达峰 碳中和） 煤炭"), ["(碳达峰 碳中和) 煤炭"]);
        assert_eq!(suggestions("「新质生产力」"), ["\"新质生产力\""]);
        assert_eq!(suggestions("「GDP 增长」"), ["\"GDP 增长\""]);
        assert_eq!(suggestions("＂GDP 增长＂"), ["\"GDP 增长\""]);
    }

    #[test]
    fn what_is_meant_literally_is_left_alone() {
        for q in [
            "碳达峰 OR 碳中和",
            "or",
            "\"or\" 碳达峰",
            "新质生产力 -人工智能",
            "-",
            "一带一路-倡议",
            "（一）",
            "（碳达峰）",
            "\"（碳达峰\" \"碳中和）\"",
            "「",
            "title:「报告」",
            "",
            "(碳达峰",
            "or 碳中和",
            "碳达峰 not",
            "「甲」 「乙",
        ] {
            assert_eq!(lint(q), Vec::new(), "{q}");
        }
    }

    #[test]
    fn terms_with_field_syntax() {
        let notes = lint_terms(&["year:2024".into(), "新质生产力".into(), "region:浙江".into()]);
        let flags: Vec<&str> = notes.iter().map(|n| n.suggestion.as_str()).collect();
        assert_eq!(flags, ["--year 2024", "--region 浙江"]);
        assert_eq!(lint_terms(&["year:2020..2024".into()])[0].suggestion, "--from 2020 --to 2024");
        assert!(lint_terms(&["http://x".into(), "比例:3".into()]).is_empty());
    }
}
