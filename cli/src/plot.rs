//! Charts of a simulation's per-slot series (`ee sim --plot DIR`), as SVG with `plotters`.
use ee_host::sim::SlotFigures;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// One line of a chart: its name, colour and `(slot, value)` points.
struct Line {
    name: String,
    colour: RGBColor,
    points: Vec<(u32, f64)>,
}

/// Draws `lines` into an SVG at `path`; `log` puts the values on a log scale (for runs
/// that differ by orders of magnitude; values below 1 are drawn as 1).
fn chart(path: &Path, title: &str, y_desc: &str, lines: &[Line], log: bool) -> Fallible<()> {
    let root = SVGBackend::new(path, (900, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let slots = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)).max().unwrap_or(0) + 1;
    let (lo, hi) = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) =
        if lo > hi { (0.0, 1.0) } else { (lo.min(0.0), if hi > lo { hi * 1.05 } else { lo + 1.0 }) };
    let mut builder = ChartBuilder::on(&root);
    builder.caption(title, ("sans-serif", 20)).margin(12).x_label_area_size(36).y_label_area_size(80);
    if log {
        let mut c = builder.build_cartesian_2d(0u32..slots, (1.0..hi.max(10.0)).log_scale())?;
        c.configure_mesh().x_desc("slot").y_desc(format!("{y_desc} (log scale)")).draw()?;
        for l in lines {
            let colour = l.colour;
            let points = l.points.iter().map(|&(x, y)| (x, y.max(1.0)));
            c.draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(l.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
        }
        c.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    } else {
        let mut c = builder.build_cartesian_2d(0u32..slots, lo..hi)?;
        c.configure_mesh().x_desc("slot").y_desc(y_desc).draw()?;
        for l in lines {
            let colour = l.colour;
            c.draw_series(LineSeries::new(l.points.iter().copied(), colour.stroke_width(2)))?
                .label(l.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
        }
        c.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    }
    root.present()?;
    Ok(())
}

fn line(name: &str, colour: RGBColor, series: &[SlotFigures], f: impl Fn(&SlotFigures) -> f64) -> Line {
    Line { name: name.into(), colour, points: series.iter().map(|s| (s.slot, f(s))).collect() }
}

/// Colours of the runs compared, in order.
const PALETTE: [RGBColor; 6] = [
    RGBColor(47, 91, 211),
    RGBColor(198, 40, 40),
    RGBColor(27, 127, 59),
    RGBColor(230, 120, 20),
    RGBColor(120, 60, 170),
    RGBColor(90, 90, 90),
];

/// One run's series: its name (the netting variant) and rows.
pub struct Run<'a> {
    /// The run's name in legends.
    pub name: String,
    /// One row per slot.
    pub series: &'a [SlotFigures],
}

/// `c` halfway to white.
fn lighter(c: RGBColor) -> RGBColor {
    let half = |x: u8| ((u16::from(x) + 255) / 2) as u8;
    RGBColor(half(c.0), half(c.1), half(c.2))
}

fn share(hits: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { hits as f64 / of as f64 }
}

/// Writes `proof-bytes.svg`, `known-minimum.svg` and `diagonal-drift.svg` (and, comparing
/// several runs, `foreign-proof-bytes.svg`) into `dir` for `runs` labelled `label`: one
/// run's own and foreign bytes, hit rates and diagonal sums, or one line per run when
/// comparing. Returns the paths.
pub fn write(dir: &Path, label: &str, runs: &[Run<'_>]) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let eth = 1e9;
    let charts = if let [run] = runs {
        let series = run.series;
        vec![
            (
                "proof-bytes.svg",
                format!("Witness bytes per slot ({label})"),
                "bytes",
                false,
                vec![
                    line("own shard", PALETTE[0], series, |s| s.own_bytes as f64),
                    line("foreign (meta-EE)", PALETTE[1], series, |s| s.foreign_bytes as f64),
                ],
            ),
            (
                "known-minimum.svg",
                format!("Net-outgoing EEs covered without a proof ({label})"),
                "share of net-outgoing EE-blocks",
                false,
                vec![
                    line("known minimum, no proof", PALETTE[2], series, SlotFigures::known_min_hit_rate),
                    line("reserve, no proof", PALETTE[3], series, SlotFigures::reserve_hit_rate),
                    line("needed a foreign proof", PALETTE[1], series, |s| {
                        share(s.proven_ees, s.net_outgoing_ees)
                    }),
                ],
            ),
            (
                "diagonal-drift.svg",
                format!("Diagonal drift: on-diagonal cells fall, off-diagonal grow ({label})"),
                "ETH",
                false,
                vec![
                    line("on-diagonal sum (+ reserves)", PALETTE[0], series, |s| s.diagonal as f64 / eth),
                    line("off-diagonal sum", PALETTE[3], series, |s| s.off_diagonal as f64 / eth),
                ],
            ),
        ]
    } else {
        let per_run = |f: fn(&SlotFigures) -> f64| -> Vec<Line> {
            runs.iter()
                .enumerate()
                .map(|(i, r)| line(&r.name, PALETTE[i % PALETTE.len()], r.series, f))
                .collect()
        };
        let mut hit_rates = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            hit_rates.push(line(
                &format!("{}: known minimum", r.name),
                colour,
                r.series,
                SlotFigures::known_min_hit_rate,
            ));
            if r.series.iter().any(|s| s.reserve_saves > 0) {
                hit_rates.push(line(
                    &format!("{}: reserve", r.name),
                    lighter(colour),
                    r.series,
                    SlotFigures::reserve_hit_rate,
                ));
            }
        }
        vec![
            (
                "proof-bytes.svg",
                format!("Witness bytes per slot, own + foreign, by netting variant ({label})"),
                "bytes",
                true,
                per_run(|s| (s.own_bytes + s.foreign_bytes) as f64),
            ),
            (
                "foreign-proof-bytes.svg",
                format!("Foreign proof bytes per slot by netting variant ({label})"),
                "bytes",
                true,
                per_run(|s| s.foreign_bytes as f64),
            ),
            (
                "known-minimum.svg",
                format!("Net-outgoing EEs covered without a proof, by variant ({label})"),
                "share of net-outgoing EE-blocks",
                false,
                hit_rates,
            ),
            (
                "diagonal-drift.svg",
                format!("On-diagonal sum (+ reserves) by netting variant: it only falls ({label})"),
                "ETH",
                false,
                per_run(|s| s.diagonal as f64 / 1e9),
            ),
        ]
    };
    let mut written = Vec::new();
    for (file, title, y, log, lines) in charts {
        let path = dir.join(file);
        chart(&path, &title, y, &lines, log)
            .map_err(|e| anyhow::anyhow!("plotting {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
