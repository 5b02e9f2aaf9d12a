//! Finding a font for `trend --plot` on this system (the library draws with whatever font it
//! is given, see [`speechdex::output::chart`]): `$SPEECHDEX_CJK_FONT`, then well-known paths
//! (WenQuanYi Micro Hei, Noto Sans CJK, Source Han Sans, macOS and Windows system fonts), then
//! `fc-list :lang=zh`; after the Chinese fonts, any font (`fc-match sans-serif`), which is
//! enough to measure the labels of an SVG chart.

use std::path::PathBuf;

use speechdex::output::chart::ChartFont;

/// Well-known locations of CJK fonts, tried in order.
const CJK_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansSC-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
];

/// The fonts to draw a chart with, best first: a CJK font, then any font.
pub fn chart_fonts() -> Vec<ChartFont> {
    let cjk = find_cjk_font().map(|path| ChartFont { path, cjk: true });
    let any = any_font().map(|path| ChartFont { path, cjk: false });
    cjk.into_iter().chain(any).collect()
}

/// A CJK font file on this system, if any.
fn find_cjk_font() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SPEECHDEX_CJK_FONT") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    if let Some(p) = CJK_FONT_PATHS.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return Some(p);
    }
    let out = std::process::Command::new("fc-list").args([":lang=zh", "file"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_suffix(':'))
        .map(PathBuf::from)
        .filter(|p| {
            p.is_file()
                && p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "ttf" | "ttc" | "otf")
                })
        })
        .min()
}

/// Any font file (`fc-match sans-serif`), for measuring labels.
fn any_font() -> Option<PathBuf> {
    let out = std::process::Command::new("fc-match")
        .args(["-f", "%{file}", "sans-serif"])
        .output()
        .ok()?;
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    p.is_file().then_some(p)
}
