//! `speechdex-bench ranking`: ranking quality on an index of the shared corpus.
//!
//! Two measures, both in-process on the library's `search` (the ranking the CLI and the server
//! use):
//! * **nDCG@k over judged topical queries** (`data/judgments.tsv`: query, speech id, grade 0–2;
//!   unjudged speeches count as 0). DCG = Σ (2^grade − 1) / log2(rank + 1) over the first k
//!   results, divided by the DCG of the ideal order of the judged grades.
//! * **Known-item ranking**: for every speech, the query of its three rarest jieba words
//!   (≥ 2 characters; document frequency over the index; ties: more occurrences in the speech,
//!   then the word) should rank it first: the share of speeches that it does.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use speechdex::analysis::WordsTokenizer;
use speechdex::index::SpeechIndex;
use speechdex::search::{SearchRequest, parse, search};
use tantivy::DocAddress;

/// The judgments shipped with the tool (topical queries on `../shared/corpus`).
pub const JUDGMENTS: &str = include_str!("../data/judgments.tsv");

/// The grades of one query: speech id → grade.
pub type Grades = HashMap<String, u32>;

/// What `ranking` measured.
#[derive(Debug, Serialize)]
pub struct RankingReport {
    /// k of nDCG@k.
    pub k: usize,
    /// nDCG@k per query, in the judgments' order.
    pub queries: Vec<QueryScore>,
    /// The mean nDCG@k over the queries.
    pub mean_ndcg: f64,
    /// Speeches ranked first by the query of their three rarest words.
    pub known_item_first: usize,
    /// Speeches in the index.
    pub speeches: usize,
}

/// nDCG@k of one query.
#[derive(Debug, Serialize)]
pub struct QueryScore {
    /// The query as searched.
    pub query: String,
    /// Its nDCG@k.
    pub ndcg: f64,
    /// Speeches judged relevant (grade ≥ 1) for it.
    pub relevant: usize,
}

/// Parses judgments: `query<TAB>id<TAB>grade` lines; `#` comments and blank lines are skipped.
/// Queries keep the order of their first line.
pub fn parse_judgments(text: &str) -> Result<Vec<(String, Grades)>> {
    let mut out: Vec<(String, Grades)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [query, id, grade] = fields[..] else {
            bail!("judgments line {}: expected query<TAB>id<TAB>grade, got {line:?}", n + 1);
        };
        let grade: u32 = grade
            .trim()
            .parse()
            .with_context(|| format!("judgments line {}: grade {grade:?} is no number", n + 1))?;
        match out.iter_mut().find(|(q, _)| q == query) {
            Some((_, grades)) => {
                grades.insert(id.to_string(), grade);
            }
            None => out.push((query.to_string(), HashMap::from([(id.to_string(), grade)]))),
        }
    }
    Ok(out)
}

/// Normalised discounted cumulative gain of `ranked` ids at `k` against `grades`.
pub fn ndcg(ranked: &[String], grades: &Grades, k: usize) -> f64 {
    let gain = |g: u32| f64::from((1u32 << g.min(16)) - 1);
    let discount = |i: usize| (i as f64 + 2.0).log2();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(grades.get(id).copied().unwrap_or(0)) / discount(i))
        .sum();
    let mut ideal: Vec<u32> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(k).enumerate().map(|(i, g)| gain(*g) / discount(i)).sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

/// The ids of the first `limit` results of `query`, ranked by relevance.
fn ranked_ids(index: &SpeechIndex, query: &str, limit: usize) -> Result<Vec<String>> {
    let node = parse(query).with_context(|| format!("query {query:?}"))?;
    let mut req = SearchRequest::new(node, query.to_string());
    req.limit = limit;
    req.snippets = 0;
    let results = search(index, &req).with_context(|| format!("searching {query:?}"))?;
    Ok(results.results.into_iter().map(|r| r.id).collect())
}

/// Measures both figures on the index at `index_dir`.
pub fn measure(index_dir: &Path, judgments: &str, k: usize) -> Result<RankingReport> {
    let index = SpeechIndex::open(index_dir)
        .with_context(|| format!("opening the index at {}", index_dir.display()))?;
    let mut queries = Vec::new();
    for (query, grades) in parse_judgments(judgments)? {
        let ranked = ranked_ids(&index, &query, k)?;
        let relevant = grades.values().filter(|g| **g > 0).count();
        queries.push(QueryScore { ndcg: ndcg(&ranked, &grades, k), query, relevant });
    }
    if queries.is_empty() {
        bail!("the judgments hold no query");
    }
    let mean_ndcg = queries.iter().map(|q| q.ndcg).sum::<f64>() / queries.len() as f64;
    let (known_item_first, speeches) = known_item(&index)?;
    Ok(RankingReport { k, queries, mean_ndcg, known_item_first, speeches })
}

/// The known-item measure: (speeches ranked first, speeches).
fn known_item(index: &SpeechIndex) -> Result<(usize, usize)> {
    let searcher = index.searcher();
    let tokenizer = WordsTokenizer::new(&[]);
    let mut docs: Vec<(String, HashMap<String, usize>)> = Vec::new();
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        for doc in seg.doc_ids_alive() {
            let stored = index.stored(&searcher, DocAddress::new(seg_ord as u32, doc), true)?;
            let mut tf = HashMap::new();
            for (w, _, _) in tokenizer.words(stored.body.as_deref().unwrap_or("")) {
                if w.chars().count() >= 2 && !w.contains(['"', '\\']) {
                    *tf.entry(w).or_insert(0) += 1;
                }
            }
            docs.push((stored.id, tf));
        }
    }
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (_, tf) in &docs {
        for w in tf.keys() {
            *df.entry(w.as_str()).or_insert(0) += 1;
        }
    }
    let mut first = 0;
    for (id, tf) in &docs {
        let mut words: Vec<(&String, usize, usize)> =
            tf.iter().map(|(w, n)| (w, df[w.as_str()], *n)).collect();
        words.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
        let query: Vec<String> = words.iter().take(3).map(|(w, _, _)| format!("\"{w}\"")).collect();
        if ranked_ids(index, &query.join(" "), 1)?.first() == Some(id) {
            first += 1;
        }
    }
    Ok((first, docs.len()))
}

/// The report as markdown.
pub fn markdown(report: &RankingReport) -> String {
    let mut out = format!("| query | relevant | nDCG@{} |\n|---|---|---|\n", report.k);
    for q in &report.queries {
        out.push_str(&format!("| {} | {} | {:.3} |\n", q.query, q.relevant, q.ndcg));
    }
    out.push_str(&format!(
        "\nmean nDCG@{}: {:.3} over {} queries; known-item: {}/{} speeches first\n",
        report.k,
        report.mean_ndcg,
        report.queries.len(),
        report.known_item_first,
        report.speeches
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ndcg_is_one_for_the_ideal_order_and_less_otherwise() {
        let grades: Grades = HashMap::from([("a".into(), 2), ("b".into(), 1), ("c".into(), 0)]);
        assert!((ndcg(&ids(&["a", "b", "c"]), &grades, 10) - 1.0).abs() < 1e-12);
        let swapped = ndcg(&ids(&["b", "a", "c"]), &grades, 10);
        // DCG = 1/1 + 3/log2(3); IDCG = 3/1 + 1/log2(3).
        let expected = (1.0 + 3.0 / 3f64.log2()) / (3.0 + 1.0 / 3f64.log2());
        assert!((swapped - expected).abs() < 1e-12, "{swapped} vs {expected}");
        assert_eq!(ndcg(&ids(&["x", "y"]), &grades, 10), 0.0);
        assert_eq!(ndcg(&ids(&["a"]), &HashMap::new(), 10), 0.0);
    }

    #[test]
    fn judgments_parse_and_bad_lines_are_named() {
        let parsed = parse_judgments("# c\n\n甲\tid1\t2\n乙\tid2\t0\n甲\tid3\t1\n").unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].0, "甲");
        assert_eq!(parsed[0].1["id3"], 1);
        let err = parse_judgments("甲\tid1\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let err = parse_judgments("甲\tid1\tx\n").unwrap_err().to_string();
        assert!(err.contains("no number"), "{err}");
    }

    #[test]
    fn the_shipped_judgments_hold_twenty_or_more_queries() {
        let parsed = parse_judgments(JUDGMENTS).unwrap();
        assert!(parsed.len() >= 20, "{} queries", parsed.len());
        for (query, grades) in &parsed {
            assert!(grades.values().any(|g| *g == 2), "{query}: no speech graded 2");
        }
    }
}
