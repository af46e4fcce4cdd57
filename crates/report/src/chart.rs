//! Inline SVG line charts of the trend, and their PNG rendering (resvg) for Word.

use std::fmt::Write;
use std::sync::OnceLock;

use resvg::{tiny_skia, usvg};

use crate::build::{Series, Trend};
use crate::render::escape_html;
use crate::{ReportError, Result};

/// Font families asked for in chart text, CJK first.
pub const CHART_FONTS: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', \
'Microsoft YaHei', 'PingFang SC', SimSun, sans-serif";

/// Line colours, cycled (colour-blind-friendly Okabe–Ito palette plus greys).
const PALETTE: &[&str] = &[
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
    "#999999", "#882255",
];

/// Sentiment colours: 正面 green, 中性 grey, 负面 red.
const SENTIMENT_COLOURS: &[&str] = &["#009E73", "#7f7f7f", "#D55E00"];

const W: f64 = 720.0;
const PLOT_LEFT: f64 = 48.0;
const PLOT_TOP: f64 = 36.0;
const PLOT_H: f64 = 180.0;
const PLOT_W: f64 = 440.0;
const LEGEND_X: f64 = 510.0;

/// Which trend chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Daily volume per plan section.
    Sections,
    /// Daily volume per sentiment.
    Sentiment,
}

/// One SVG line chart (`<svg>` element, no XML declaration) of the trend: x = trend days
/// (`MM-DD`), y = articles per day, one line per series plus a legend. Width 720, height
/// 260 user units, scaled to its container (`width="100%"`). Labels escaped.
pub fn trend_svg(trend: &Trend, kind: ChartKind) -> String {
    let (title, series, colours): (&str, &[Series], &[&str]) = match kind {
        ChartKind::Sections => ("各部分每日报道量（篇）", &trend.by_section, PALETTE),
        ChartKind::Sentiment => (
            "各倾向性每日报道量（篇）",
            &trend.by_sentiment,
            SENTIMENT_COLOURS,
        ),
    };
    let legend_h = 16.0 * series.len() as f64 + PLOT_TOP;
    let h = (PLOT_TOP + PLOT_H + 44.0).max(legend_h);
    let max = series
        .iter()
        .flat_map(|s| s.counts.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    // A round axis top with 5 even intervals: 5, 10, 20, 50, 100, 200, 500, …
    let mut top = 5u64;
    let mut k = 0usize;
    while top < max {
        top = match k % 3 {
            0 | 1 => top.saturating_mul(2),
            _ => (top / 4).saturating_mul(10),
        };
        k += 1;
    }
    let n = trend.days.len().max(1);
    let x_of = |i: usize| {
        if n == 1 {
            PLOT_LEFT + PLOT_W / 2.0
        } else {
            PLOT_LEFT + PLOT_W * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: u64| PLOT_TOP + PLOT_H - PLOT_H * v as f64 / top as f64;
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" width=\"100%\" \
         role=\"img\" aria-label=\"{title}\" font-family=\"{CHART_FONTS}\" font-size=\"12\">\
         <rect width=\"{W}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <text x=\"{PLOT_LEFT}\" y=\"20\" font-size=\"14\" font-weight=\"bold\" fill=\"#222\">{title}</text>"
    );
    for k in 0..=5u64 {
        let v = top * k / 5;
        let y = y_of(v);
        let _ = write!(
            s,
            "<line x1=\"{PLOT_LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{v}</text>",
            PLOT_LEFT + PLOT_W,
            PLOT_LEFT - 6.0,
            y + 4.0
        );
    }
    for (i, d) in trend.days.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            x_of(i),
            PLOT_TOP + PLOT_H + 18.0,
            d.format("%m-%d")
        );
    }
    for (k, ser) in series.iter().enumerate() {
        let colour = colours
            .get(k % colours.len().max(1))
            .copied()
            .unwrap_or("#000");
        let points: Vec<String> = ser
            .counts
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
        for (i, v) in ser.counts.iter().enumerate() {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{colour}\"/>",
                x_of(i),
                y_of(*v)
            );
        }
        let ly = PLOT_TOP + 16.0 * k as f64;
        let total: u64 = ser.counts.iter().sum();
        let suffix = format!("（{total}）");
        let label = fit_width(&ser.label, LEGEND_TEXT_W - text_width(&suffix));
        let _ = write!(
            s,
            "<rect x=\"{LEGEND_X}\" y=\"{:.1}\" width=\"12\" height=\"4\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#222\">{}{suffix}</text>",
            ly - 4.0,
            LEGEND_X + 18.0,
            ly + 1.0,
            escape_html(&label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Width (user units) left for a legend entry's text: from the text start
/// (`LEGEND_X + 18`) to 6 units before the right edge.
const LEGEND_TEXT_W: f64 = W - LEGEND_X - 18.0 - 6.0;

/// Estimated width of `s` at font size 12: 12 units for a wide (CJK, full-width) character,
/// 7 for any other; an upper bound for Noto Sans CJK, whose Latin glyphs are narrower.
fn text_width(s: &str) -> f64 {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> f64 {
    if (c as u32) < 0x1100 { 7.0 } else { 12.0 }
}

/// `s` cut to fit `budget` units (see [`text_width`]), ending in `…` when cut, so long
/// section names ("一、坚持不懈推进习近平…") keep their number and the start of the name.
fn fit_width(s: &str, budget: f64) -> String {
    if text_width(s) <= budget {
        return s.to_string();
    }
    let mut used = char_width('…');
    let mut t = String::new();
    for c in s.chars() {
        used += char_width(c);
        if used > budget {
            break;
        }
        t.push(c);
    }
    t.push('…');
    t
}

/// Families preferred for chart text, best first: the Simplified Chinese faces (a report for
/// a mainland press office; the HK/TC/JP/KR faces of the same Noto/Source Han collection draw
/// some characters with other regional glyph shapes).
const PREFERRED_CJK: &[&str] = &[
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
];

/// The CJK family the chart PNGs are drawn with, out of the installed `families` (sorted, so
/// the choice does not depend on font directory order): the first of [`PREFERRED_CJK`] that is
/// installed (compared ignoring case), else the first family whose name says CJK (`CJK`,
/// `Han Sans`, `WenQuanYi`, `YaHei`, `SimSun`, `Droid Sans Fallback`) and ends in ` SC` or
/// ` CN`, else the first that says CJK at all; `None` when there is none.
fn pick_cjk_family(families: &[String]) -> Option<&str> {
    let is_cjk = |n: &str| {
        let n = n.to_lowercase();
        [
            "cjk",
            "han sans",
            "wenquanyi",
            "yahei",
            "simsun",
            "droid sans fallback",
        ]
        .iter()
        .any(|k| n.contains(k))
    };
    let simplified = |n: &str| n.ends_with(" SC") || n.ends_with(" CN");
    PREFERRED_CJK
        .iter()
        .find_map(|p| families.iter().find(|f| f.eq_ignore_ascii_case(p)))
        .or_else(|| families.iter().find(|f| is_cjk(f) && simplified(f)))
        .or_else(|| families.iter().find(|f| is_cjk(f)))
        .map(String::as_str)
}

/// System fonts, loaded once; logs whether a CJK font was found.
fn options() -> &'static usvg::Options<'static> {
    static OPT: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPT.get_or_init(|| {
        let mut opt = usvg::Options::default();
        let db = opt.fontdb_mut();
        db.load_system_fonts();
        // The Simplified Chinese face first (pick_cjk_family), from the sorted family names
        // so the choice does not depend on directory listing order.
        let mut families: Vec<String> = db
            .faces()
            .filter_map(|f| f.families.first().map(|(name, _)| name.clone()))
            .collect();
        families.sort();
        families.dedup();
        let cjk = pick_cjk_family(&families).map(str::to_owned);
        // Generic `sans-serif` must name an installed family (fontdb's default is Arial).
        let fallback = cjk.clone().or_else(|| {
            families
                .iter()
                .find(|n| n.contains("Sans"))
                .or(families.first())
                .cloned()
        });
        match &cjk {
            Some(f) => tracing::info!("chart png: CJK font {f} among {} font faces", db.len()),
            None => tracing::warn!(
                "chart png: no CJK font among {} system font faces (install fonts-noto-cjk); \
                 Chinese labels are drawn by the fallback font {} and show as missing glyphs",
                db.len(),
                fallback.as_deref().unwrap_or("(none)")
            ),
        }
        if let Some(f) = &fallback {
            db.set_sans_serif_family(f.clone());
            opt.font_family = f.clone();
        }
        opt
    })
}

/// Renders an SVG (as made by [`trend_svg`]) to PNG bytes at `scale` (2.0 for print).
///
/// Errors: [`ReportError::Chart`] when the SVG does not parse, the size is zero or the PNG
/// cannot be encoded.
pub fn svg_to_png(svg: &str, scale: f32, chart: &'static str) -> Result<(Vec<u8>, u32, u32)> {
    let err = |message: String| ReportError::Chart { chart, message };
    let tree = usvg::Tree::from_str(svg, options()).map_err(|e| err(e.to_string()))?;
    let size = tree.size();
    let w = (size.width() * scale).ceil() as u32;
    let h = (size.height() * scale).ceil() as u32;
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| err(format!("empty size {w}x{h}")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| err(e.to_string()))?;
    Ok((png, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn names(v: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    /// The trial's finding: with fonts-noto-cjk the sorted family list starts with
    /// "Noto Sans CJK HK", which was picked; the Simplified Chinese face must win.
    #[test]
    fn simplified_chinese_face_is_preferred() {
        let noto = names(&[
            "DejaVu Sans",
            "Noto Sans CJK HK",
            "Noto Sans CJK JP",
            "Noto Sans CJK KR",
            "Noto Sans CJK SC",
            "Noto Sans CJK TC",
            "Noto Serif CJK HK",
            "Noto Serif CJK SC",
        ]);
        assert_eq!(pick_cjk_family(&noto), Some("Noto Sans CJK SC"));
        let wqy = names(&["DejaVu Sans", "Noto Sans CJK HK", "WenQuanYi Micro Hei"]);
        assert_eq!(pick_cjk_family(&wqy), Some("WenQuanYi Micro Hei"));
        let serif = names(&[
            "Noto Serif CJK HK",
            "Noto Serif CJK SC",
            "Noto Serif CJK TC",
        ]);
        assert_eq!(pick_cjk_family(&serif), Some("Noto Serif CJK SC"));
        let hk = names(&["DejaVu Sans", "Noto Sans CJK HK", "Noto Sans CJK TC"]);
        assert_eq!(pick_cjk_family(&hk), Some("Noto Sans CJK HK"));
        assert_eq!(
            pick_cjk_family(&names(&["DejaVu Sans", "Liberation Serif"])),
            None
        );
    }

    /// On this machine's fonts: when "Noto Sans CJK SC" is installed, it is the one used.
    #[test]
    fn installed_simplified_face_is_used() {
        let installed = options()
            .fontdb
            .faces()
            .any(|f| f.families.iter().any(|(n, _)| n == "Noto Sans CJK SC"));
        if !installed {
            println!("SKIPPED: Noto Sans CJK SC not installed");
            return;
        }
        assert_eq!(options().font_family, "Noto Sans CJK SC");
    }

    /// The trial's failure: a long section name ran the legend past the right edge of the
    /// PNG in the Word document. Renders a chart and looks at the pixels.
    #[test]
    fn long_section_legend_stays_inside_the_png() {
        let days: Vec<NaiveDate> = (23..=29)
            .filter_map(|d| NaiveDate::from_ymd_opt(2026, 11, d))
            .collect();
        let long = "一、坚持不懈推进习近平新时代中国特色社会主义思想学习宣传";
        let series = |label: &str, key: &str| Series {
            key: key.into(),
            label: label.into(),
            counts: vec![100, 23, 5, 0, 7, 9, 1],
        };
        let trend = Trend {
            days: days.clone(),
            total: vec![200, 46, 10, 0, 14, 18, 2],
            by_section: vec![series(long, "s1"), series("二、行业发展", "s2")],
            by_sentiment: vec![],
        };
        let svg = trend_svg(&trend, ChartKind::Sections);
        assert!(svg.contains("一、坚持不懈推进"), "{svg}");
        assert!(svg.contains("…（145）"), "{svg}");
        assert!(svg.contains("二、行业发展（145）"), "{svg}");
        let (png, w, h) = svg_to_png(&svg, 2.0, "test").unwrap();
        let pix = tiny_skia::Pixmap::decode_png(&png).unwrap();
        let dark = |x: u32, y: u32| {
            pix.pixel(x, y).is_some_and(|p| {
                u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue()) < 600
            })
        };
        // Legend text drawn (the first entry's row, right of the swatch) ...
        let legend_x0 = ((LEGEND_X + 18.0) * 2.0) as u32;
        let row = (PLOT_TOP * 2.0) as u32;
        let drawn = (legend_x0..w).any(|x| (row - 24..row + 6).any(|y| dark(x, y)));
        assert!(drawn, "no legend text drawn");
        // ... and nothing in the rightmost 8 pixel columns.
        for x in w - 8..w {
            for y in 0..h {
                assert!(
                    !dark(x, y),
                    "dark pixel at the right edge ({x},{y}) of {w}x{h}"
                );
            }
        }
    }
}
