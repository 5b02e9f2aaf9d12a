//! Line charts of trends (`trend --plot FILE.svg|FILE.png`), drawn with plotters.
//!
//! x = the groups in order, y = the chosen metric, one line (with point markers) per term and a
//! legend. Chinese text needs a CJK font:
//!
//! * **PNG** text is rasterised from a font file, which the caller finds and passes as a
//!   [`ChartFont`] (the `speechdex` binary looks at `$SPEECHDEX_CJK_FONT`, well-known paths and
//!   `fc-list :lang=zh`: finding files on the system is the binary's job, not the library's).
//!   Without a CJK font, PNG charts fail with a message naming the package to install
//!   (`fonts-noto-cjk` or `fonts-wqy-microhei`).
//! * **SVG** text stays text, in the font family list [`SVG_FONT_FAMILY`] (Noto Sans CJK SC,
//!   Source Han Sans SC, WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, …, sans-serif), so
//!   the viewer's own CJK font draws it. The font file is still used to measure labels; without
//!   a CJK font any font does.
//!
//! From a `.ttc` collection the first face is used (for Noto Sans CJK that is the Japanese
//! face, which has every simplified character but draws a few of them in Japanese style: prefer
//! WenQuanYi Micro Hei or set `SPEECHDEX_CJK_FONT` to a Simplified Chinese `.otf`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::choice::Choice;
use crate::stats::trend::Trend;
use crate::{Error, Result};

/// The font family written into SVG text elements, best Chinese fonts first.
pub const SVG_FONT_FAMILY: &str = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, \
     PingFang SC, Hiragino Sans GB, Microsoft YaHei, SimHei, sans-serif";

const RATE_DESC: &str = "occurrences per 10,000 characters";

/// Line colours (Tableau 10), repeated when there are more terms.
const COLORS: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// Chart image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// Scalable vector graphics (text stays text).
    Svg,
    /// PNG image.
    Png,
}

impl ChartFormat {
    /// The format for a file name's extension (`.svg` or `.png`, any case).
    pub fn from_path(path: &Path) -> Result<ChartFormat> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("svg") => Ok(ChartFormat::Svg),
            Some("png") => Ok(ChartFormat::Png),
            _ => Err(Error::InvalidArgument(format!(
                "--plot {}: the file name must end in .svg or .png",
                path.display()
            ))),
        }
    }
}

/// The font a chart is drawn with: a font file, and whether it has Chinese characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFont {
    /// A `.ttf`, `.ttc` (first face) or `.otf` file.
    pub path: PathBuf,
    /// Whether it draws Chinese (a CJK font); any font measures SVG labels.
    pub cjk: bool,
}

/// Loads and registers the first readable font of `fonts` once per process under
/// [`SVG_FONT_FAMILY`]; returns whether it is a CJK font, or `None` when none could be loaded.
fn register_font(fonts: &[ChartFont]) -> Option<bool> {
    static REGISTERED: OnceLock<Option<bool>> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        for font in fonts {
            let Ok(bytes) = std::fs::read(&font.path) else { continue };
            // plotters keeps fonts for the life of the process.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            if plotters::style::register_font(SVG_FONT_FAMILY, FontStyle::Normal, bytes).is_ok() {
                return Some(font.cjk);
            }
        }
        None
    })
}

fn draw_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::io("drawing chart", path, std::io::Error::other(e.to_string()))
}

/// Draws `trend` as a line chart into `path` (`.svg` or `.png`), with the first of `fonts`
/// that loads (best first: a CJK font, then any font for measuring SVG labels).
pub fn plot_trend(trend: &Trend, path: &Path, fonts: &[ChartFont]) -> Result<()> {
    let format = ChartFormat::from_path(path)?;
    let no_cjk = "no CJK font found for drawing Chinese text: install one (Debian/Ubuntu: \
                  `apt-get install fonts-noto-cjk` or `fonts-wqy-microhei`) or set \
                  SPEECHDEX_CJK_FONT to a .ttf/.ttc/.otf file";
    match (register_font(fonts), format) {
        (Some(true), _) | (Some(false), ChartFormat::Svg) => {}
        (None, ChartFormat::Svg) => {
            return Err(Error::InvalidArgument(format!("{no_cjk} (SVG charts need any font)")));
        }
        (_, ChartFormat::Png) => {
            return Err(Error::InvalidArgument(format!(
                "{no_cjk}; or draw an SVG chart (--plot FILE.svg), which the viewer's fonts render"
            )));
        }
    }
    let labels: Vec<String> = trend
        .groups
        .iter()
        .map(|g| match (&g.title, trend.by) {
            (Some(t), crate::stats::trend::GroupBy::Speech) => shorten(t, 14),
            _ => shorten(&g.key, 14),
        })
        .collect();
    // `None` for a group without speeches: the line breaks there instead of dropping to zero.
    let series: Vec<(String, Vec<Option<f64>>)> = trend
        .terms
        .iter()
        .enumerate()
        .map(|(t, term)| {
            let values =
                trend.groups.iter().map(|g| g.terms.0[t].1.as_ref().map(|c| trend.metric.of(c)));
            (term.clone(), values.collect())
        })
        .collect();
    let y_desc = match trend.metric {
        crate::stats::trend::Metric::Rate => RATE_DESC,
        crate::stats::trend::Metric::Count => "occurrences",
        crate::stats::trend::Metric::Docs => "speeches containing the term",
    };
    let caption = format!("{} by {}", trend.terms.join(", "), trend.by.name());
    let size = (((labels.len() as u32) * 24).clamp(900, 2400), 540);
    match format {
        ChartFormat::Svg => {
            let root = SVGBackend::new(path, size).into_drawing_area();
            draw(root, &caption, &labels, &series, y_desc, trend.by.name())
                .map_err(|e| draw_error(path, e))
        }
        ChartFormat::Png => {
            let root = BitMapBackend::new(path, size).into_drawing_area();
            draw(root, &caption, &labels, &series, y_desc, trend.by.name())
                .map_err(|e| draw_error(path, e))
        }
    }
}

/// The points of `values` as runs of consecutive groups with data (`Some`).
fn runs_of_data(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for (x, v) in values.iter().enumerate() {
        match v {
            Some(y) if open => runs.last_mut().expect("an open run").push((x as f64, *y)),
            Some(y) => {
                runs.push(vec![(x as f64, *y)]);
                open = true;
            }
            None => open = false,
        }
    }
    runs
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    labels: &[String],
    series: &[(String, Vec<Option<f64>>)],
    y_desc: &str,
    x_desc: &str,
) -> std::result::Result<(), Box<dyn std::error::Error + 'static>>
where
    DB::ErrorType: 'static,
{
    let font = SVG_FONT_FAMILY;
    root.fill(&WHITE)?;
    let max = series.iter().flat_map(|(_, v)| v.iter().flatten().copied()).fold(0.0f64, f64::max);
    let y_max = if max > 0.0 { max * (1.1 + 0.07 * series.len() as f64) } else { 1.0 };
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, (font, 22))
        .margin(16)
        .x_label_area_size(if n > 12 { 70 } else { 40 })
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)?;
    let step = n.div_ceil(40).max(1);
    let formatter = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 1e-6
            || i < 0.0
            || (i as usize) >= labels.len()
            || !(i as usize).is_multiple_of(step)
        {
            return String::new();
        }
        labels[i as usize].clone()
    };
    let label_style = if n > 12 {
        TextStyle::from((font, 13).into_font()).transform(FontTransform::Rotate90)
    } else {
        TextStyle::from((font, 14).into_font())
    };
    let integers = y_desc != RATE_DESC;
    let y_formatter = |y: &f64| if integers { format!("{y:.0}") } else { format!("{y:.2}") };
    chart
        .configure_mesh()
        .y_label_formatter(&y_formatter)
        .light_line_style(RGBColor(242, 242, 242))
        .bold_line_style(RGBColor(215, 215, 215))
        .x_labels(n.min(200) * 2 + 1)
        .x_label_formatter(&formatter)
        .x_label_style(label_style)
        .y_label_style((font, 14))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style((font, 15))
        .disable_x_mesh()
        .draw()?;
    for (i, (name, values)) in series.iter().enumerate() {
        let (r, g, b) = COLORS[i % COLORS.len()];
        let color = RGBColor(r, g, b);
        let runs = runs_of_data(values);
        // One line per run of groups with data: no line through a gap. The first (or an
        // empty one, when the term has no data at all) carries the legend.
        for (k, run) in runs.iter().chain(runs.is_empty().then_some(&Vec::new())).enumerate() {
            let line = chart.draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))?;
            if k == 0 {
                line.label(name.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            }
        }
        let points = runs.iter().flatten().copied();
        chart.draw_series(points.map(|p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .label_font((font, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_groups_without_data() {
        let runs = runs_of_data(&[Some(2.0), None, Some(0.0), Some(1.0), None, None, Some(3.0)]);
        assert_eq!(runs, vec![vec![(0.0, 2.0)], vec![(2.0, 0.0), (3.0, 1.0)], vec![(6.0, 3.0)]]);
        assert!(runs_of_data(&[None, None]).is_empty());
        assert_eq!(runs_of_data(&[Some(1.0), Some(1.0)]).len(), 1);
    }
}
