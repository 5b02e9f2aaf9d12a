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
use crate::stats::trend::{GroupBy, Metric, Trend};
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

/// Draws `trend` into `path`: a line chart by year, grouped bars for speakers, regions, kinds
/// and speeches (`.svg` or `.png`), with the first of `fonts`
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
            (Some(t), GroupBy::Speech) => shorten(t, MAX_LABEL_CHARS),
            _ => shorten(&g.key, MAX_LABEL_CHARS),
        })
        .collect();
    // `None` for a group without speeches: no point, no bar, a break in the line.
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
    let width = ((labels.len() as u32) * 24).clamp(900, 2400);
    let chart = Chart {
        words: Words::of(&trend.terms, trend.by, trend.metric, &labels),
        layout: XLayout::of(&labels, width - PLOT_MARGIN),
        bars: trend.by != GroupBy::Year,
        integers: trend.metric != Metric::Rate,
        labels,
        series,
    };
    let size = (width, 540 + chart.layout.area.saturating_sub(40));
    match format {
        ChartFormat::Svg => chart
            .draw(SVGBackend::new(path, size).into_drawing_area())
            .map_err(|e| draw_error(path, e)),
        ChartFormat::Png => chart
            .draw(BitMapBackend::new(path, size).into_drawing_area())
            .map_err(|e| draw_error(path, e)),
    }
}

/// Labels longer than this are cut (with …).
const MAX_LABEL_CHARS: usize = 12;
/// Pixels of a chart's width outside the plot (y labels, margins).
const PLOT_MARGIN: u32 = 110;
/// Font size of the x labels.
const LABEL_SIZE: u32 = 13;

/// The words of a chart: Chinese when the terms or the group labels are (a Chinese page gets
/// Chinese titles and axes, as in the web page), English otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Words {
    caption: String,
    x_desc: &'static str,
    y_desc: &'static str,
}

impl Words {
    fn of(terms: &[String], by: GroupBy, metric: Metric, labels: &[String]) -> Words {
        let chinese = terms.iter().chain(labels).any(|s| s.chars().any(is_cjk));
        if chinese {
            let x_desc = match by {
                GroupBy::Year => "年份",
                GroupBy::Speaker => "讲话人",
                GroupBy::Region => "地区",
                GroupBy::Kind => "类型",
                GroupBy::Speech => "讲话",
            };
            let y_desc = match metric {
                Metric::Rate => "每万字频次",
                Metric::Count => "出现次数",
                Metric::Docs => "讲话篇数",
            };
            let caption = format!("{}：{y_desc}（按{x_desc}）", terms.join("、"));
            Words { caption, x_desc, y_desc }
        } else {
            let y_desc = match metric {
                Metric::Rate => RATE_DESC,
                Metric::Count => "occurrences",
                Metric::Docs => "speeches containing the term",
            };
            let caption = format!("{} by {}", terms.join(", "), by.name());
            Words { caption, x_desc: by.name(), y_desc }
        }
    }
}

/// Whether `c` is a CJK ideograph or CJK punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// Approximate width in pixels of `text` at `size` px (a CJK character is about `size` wide,
/// a Latin letter or digit a little over half).
fn text_px(text: &str, size: u32) -> u32 {
    let columns = unicode_width::UnicodeWidthStr::width(text) as u32;
    columns * (size / 2 + 1)
}

/// How the x labels are laid out so that none overlaps another or the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct XLayout {
    /// Labels drawn vertically.
    rotate: bool,
    /// Every `step`-th label is drawn (the last one always when the step allows).
    step: usize,
    /// Height in pixels of the label area under the plot.
    area: u32,
}

impl XLayout {
    /// Horizontal labels when they fit side by side; short labels (years) thinned when they do
    /// not; longer ones (regions, speakers, titles) drawn vertically with room for the longest
    /// and thinned to one per line height.
    fn of(labels: &[String], plot_px: u32) -> XLayout {
        let n = labels.len().max(1) as u32;
        let band = plot_px / n;
        let widest = labels.iter().map(|l| text_px(l, LABEL_SIZE)).max().unwrap_or(0);
        let gap = 10;
        if widest + gap <= band {
            return XLayout { rotate: false, step: 1, area: 40 };
        }
        if widest <= text_px("20260", LABEL_SIZE) {
            let step = (widest + gap).div_ceil(band.max(1)) as usize;
            return XLayout { rotate: false, step, area: 40 };
        }
        let line = LABEL_SIZE + 5;
        let step = line.div_ceil(band.max(1)) as usize;
        XLayout { rotate: true, step, area: widest + 24 }
    }
}

/// A vertical label that starts at the axis: plotters centres a rotated label on its tick, so
/// half of it would stand in the plot; blank space as long as the label, before it, moves it
/// below the axis.
fn below_axis(label: &str) -> String {
    let pad = text_px(label, LABEL_SIZE).div_ceil(LABEL_SIZE) as usize;
    format!("{}{label}", "\u{3000}".repeat(pad))
}

/// What [`Chart::draw`] draws.
struct Chart {
    words: Words,
    layout: XLayout,
    /// Bars (categories) rather than lines (years).
    bars: bool,
    /// Whole numbers on the y axis.
    integers: bool,
    labels: Vec<String>,
    series: Vec<(String, Vec<Option<f64>>)>,
}

type DrawResult = std::result::Result<(), Box<dyn std::error::Error + 'static>>;

impl Chart {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, plotters::coord::Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let font = SVG_FONT_FAMILY;
        root.fill(&WHITE)?;
        let series = &self.series;
        let max =
            series.iter().flat_map(|(_, v)| v.iter().flatten().copied()).fold(0.0f64, f64::max);
        let y_max = if max > 0.0 { max * (1.1 + 0.07 * series.len() as f64) } else { 1.0 };
        let n = self.labels.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.words.caption, (font, 22))
            .margin(16)
            .x_label_area_size(self.layout.area)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)?;
        let (labels, step, rotate) = (&self.labels, self.layout.step, self.layout.rotate);
        let formatter = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 || (i as usize) >= labels.len() {
                return String::new();
            }
            let i = i as usize;
            let last_fits = i + 1 == labels.len() && i % step >= step.div_ceil(2);
            if !(i.is_multiple_of(step) || last_fits) {
                return String::new();
            }
            if rotate { below_axis(&labels[i]) } else { labels[i].clone() }
        };
        let label_style = if self.layout.rotate {
            TextStyle::from((font, LABEL_SIZE).into_font()).transform(FontTransform::Rotate90)
        } else {
            TextStyle::from((font, LABEL_SIZE + 1).into_font())
        };
        let integers = self.integers;
        let y_formatter = |y: &f64| if integers { format!("{y:.0}") } else { format!("{y:.2}") };
        chart
            .configure_mesh()
            .y_label_formatter(&y_formatter)
            .light_line_style(RGBColor(242, 242, 242))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_labels(n.min(400) * 2 + 1)
            .x_label_formatter(&formatter)
            .x_label_style(label_style)
            .y_label_style((font, 14))
            .x_desc(self.words.x_desc)
            .y_desc(self.words.y_desc)
            .axis_desc_style((font, 15))
            .disable_x_mesh()
            .draw()?;
        for (i, (name, values)) in series.iter().enumerate() {
            let (r, g, b) = COLORS[i % COLORS.len()];
            let color = RGBColor(r, g, b);
            if self.bars {
                draw_bars(&mut chart, name, values, color, (i, series.len()))?;
            } else {
                draw_line(&mut chart, name, values, color)?;
            }
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
}

type Cartesian<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// One term as a line with point markers; one line per run of groups with data, so that no
/// line crosses a gap. The first run (or an empty one) carries the legend.
fn draw_line<DB: DrawingBackend>(
    chart: &mut Cartesian<'_, DB>,
    name: &str,
    values: &[Option<f64>],
    color: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let runs = runs_of_data(values);
    for (k, run) in runs.iter().chain(runs.is_empty().then_some(&Vec::new())).enumerate() {
        let line = chart.draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))?;
        if k == 0 {
            line.label(name).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        }
    }
    let points = runs.iter().flatten().copied();
    chart.draw_series(points.map(|p| Circle::new(p, 3, color.filled())))?;
    Ok(())
}

/// One term as bars, side by side with the other terms' in each group (`slot` = this term's
/// place and the number of terms); no bar where a group has no data.
fn draw_bars<DB: DrawingBackend>(
    chart: &mut Cartesian<'_, DB>,
    name: &str,
    values: &[Option<f64>],
    color: RGBColor,
    (k, terms): (usize, usize),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let width = 0.8 / terms.max(1) as f64;
    let bars = values.iter().enumerate().filter_map(|(i, v)| {
        let left = i as f64 - 0.4 + width * k as f64;
        v.map(|v| Rectangle::new([(left, 0.0), (left + width * 0.92, v)], color.filled()))
    });
    chart
        .draw_series(bars)?
        .label(name)
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|s| s.to_string()).collect()
    }

    /// The labels drawn by `layout` never overlap: each takes its text's width (horizontal) or
    /// a line height (vertical), and the space between drawn labels is at least that.
    fn assert_no_overlap(texts: &[String], plot_px: u32) {
        let layout = XLayout::of(texts, plot_px);
        let band = plot_px / texts.len().max(1) as u32;
        let widest = texts.iter().map(|l| text_px(l, LABEL_SIZE)).max().unwrap_or(0);
        let needed = if layout.rotate { LABEL_SIZE + 5 } else { widest + 1 };
        assert!(band * layout.step as u32 >= needed, "{layout:?} for {} labels", texts.len());
        if layout.rotate {
            assert!(layout.area >= widest, "the label area holds the longest label: {layout:?}");
        }
    }

    #[test]
    fn x_labels_never_overlap() {
        let years: Vec<String> = (1954..=2025).map(|y| y.to_string()).collect();
        for plot in [300, 790, 1200, 2290] {
            assert_no_overlap(&years, plot);
            assert_no_overlap(&years[..8], plot);
            let regions = labels(&["北京市", "内蒙古自治区", "新疆维吾尔自治区", "上海市"]);
            assert_no_overlap(&regions, plot);
            let many: Vec<String> = (0..300).map(|i| format!("讲话标题第{i}篇")).collect();
            assert_no_overlap(&many, plot);
        }
        // A few years side by side; many years thinned but still horizontal.
        assert_eq!(XLayout::of(&years[..8], 790), XLayout { rotate: false, step: 1, area: 40 });
        let all = XLayout::of(&years, 790);
        assert!(!all.rotate && all.step > 1, "{all:?}");
        // Long Chinese labels stand up, with room for the longest.
        let speeches: Vec<String> = (0..40).map(|i| format!("在全省工作会议上的讲话{i}")).collect();
        assert!(XLayout::of(&speeches, 790).rotate);
    }

    #[test]
    fn chinese_terms_get_chinese_titles_and_axes() {
        let words = |terms: &[&str], by, metric, groups: &[&str]| {
            Words::of(&labels(terms), by, metric, &labels(groups))
        };
        let w = words(&["新质生产力", "人工智能"], GroupBy::Region, Metric::Count, &[]);
        assert_eq!(w.caption, "新质生产力、人工智能：出现次数（按地区）");
        assert_eq!((w.x_desc, w.y_desc), ("地区", "出现次数"));
        let w = words(&["GDP"], GroupBy::Year, Metric::Rate, &["2024"]);
        assert_eq!(w.caption, "GDP by year");
        assert_eq!(w.y_desc, RATE_DESC);
        let w = words(&["GDP"], GroupBy::Region, Metric::Docs, &["浙江省"]);
        assert_eq!(w.y_desc, "讲话篇数", "Chinese group labels make a Chinese chart");
    }

    #[test]
    fn lines_break_at_groups_without_data() {
        let runs = runs_of_data(&[Some(2.0), None, Some(0.0), Some(1.0), None, None, Some(3.0)]);
        assert_eq!(runs, vec![vec![(0.0, 2.0)], vec![(2.0, 0.0), (3.0, 1.0)], vec![(6.0, 3.0)]]);
        assert!(runs_of_data(&[None, None]).is_empty());
        assert_eq!(runs_of_data(&[Some(1.0), Some(1.0)]).len(), 1);
    }
}
