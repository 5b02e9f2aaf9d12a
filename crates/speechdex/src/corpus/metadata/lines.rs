//! Lines of a text: trimming, web-page noise, and the title a body suggests.

use super::dates::{DATE_PREFIX_CHARS, parse_date_prefix};

/// Maximum length of an inferred title, in characters.
const TITLE_MAX_CHARS: usize = 100;

/// Zero-width and other invisible characters that web pages leave around.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{00ad}')
}

/// A line without surrounding whitespace or invisible characters.
pub(super) fn trim_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

/// Exact lines that web pages add around a text.
const NOISE_LINES: &[&str] = &[
    "下载",
    "打印",
    "全屏",
    "收藏",
    "加大",
    "还原",
    "减小",
    "默认",
    "首页",
    "分享",
    "关闭",
    "关闭窗口",
    "打印本页",
    "返回顶部",
    "【打印】",
    "【关闭】",
    "【字号：",
    "【字体：",
    "字号",
    "字体",
];

/// Line beginnings that web pages add around a text.
const NOISE_PREFIXES: &[&str] = &[
    "来源：",
    "来源:",
    "时间：",
    "时间:",
    "作者：",
    "作者:",
    "责任编辑",
    "编辑：",
    "编辑:",
    "发布时间",
    "发表时间",
    "发布日期",
    "阅读量",
    "阅读次数",
    "浏览次数",
    "点击数",
    "您的位置",
    "您现在的位置",
    "当前位置",
    "【字号",
    "【字体",
    "字号：",
    "字体：",
    "分享到",
    "扫一扫",
];

/// True for a line that carries no content: blank, only punctuation or invisible characters,
/// a single character, web-page furniture (`下载`, `【字号：`, `来源：…`), or only a date/time.
pub(crate) fn is_noise_line(line: &str) -> bool {
    let line = trim_line(line);
    // At most one letter or digit (counting stops at the second: lines can be whole paragraphs).
    if line.chars().filter(|c| c.is_alphanumeric()).nth(1).is_none() {
        return true;
    }
    if NOISE_LINES.contains(&line) || NOISE_PREFIXES.iter().any(|p| line.starts_with(p)) {
        return true;
    }
    // A short label such as "您的位置:" or "阅读量：".
    if (line.ends_with(':') || line.ends_with('：')) && line.chars().count() <= 8 {
        return true;
    }
    is_only_datetime(line)
}

/// True when the line is a date, optionally followed by a time (`2026-02-03 09:02:33`).
fn is_only_datetime(line: &str) -> bool {
    let head: Vec<char> = line.chars().take(DATE_PREFIX_CHARS).collect();
    match parse_date_prefix(&head) {
        Some((_, used)) => line
            .chars()
            .skip(used)
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | ' ' | 'T' | '.')),
        None => false,
    }
}

/// The meaningful lines of a body: trimmed, noise lines left out.
pub(super) fn meaningful_lines(body: &str) -> impl Iterator<Item = &str> {
    body.lines().map(trim_line).filter(|l| !is_noise_line(l))
}

pub(super) fn first_meaningful_line(body: &str) -> Option<&str> {
    meaningful_lines(body).next()
}

/// The title a body suggests: its first meaningful line, capped at 100 characters.
pub(crate) fn infer_title(body: &str) -> Option<String> {
    let line = first_meaningful_line(body)?;
    let capped: String = line.chars().take(TITLE_MAX_CHARS).collect();
    Some(trim_line(&capped).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::metadata::tests::NOISY;

    #[test]
    fn titles() {
        let long = "长".repeat(150);
        let cases = [
            (NOISY, Some("2026年北京市政府工作报告")),
            (
                "您的位置:\n首页\n>\n2026年政府工作报告\n来源：云南日报\n",
                Some("2026年政府工作报告"),
            ),
            ("\u{feff}\r\n  标题  \r\n正文", Some("标题")),
            ("\u{200b}\n\n】\n", None),
            ("2026-02-03 09:02:33\n正文第一行", Some("正文第一行")),
            (long.as_str(), Some(&long[..100 * '长'.len_utf8()])),
        ];
        for (input, want) in cases {
            assert_eq!(infer_title(input).as_deref(), want, "{input:?}");
        }
    }
}
