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

fn chart(path: &Path, title: &str, y_desc: &str, lines: &[Line]) -> Fallible<()> {
    let root = SVGBackend::new(path, (900, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let slots = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)).max().unwrap_or(0) + 1;
    let (lo, hi) = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) =
        if lo > hi { (0.0, 1.0) } else { (lo.min(0.0), if hi > lo { hi * 1.05 } else { lo + 1.0 }) };
    let mut c = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(80)
        .build_cartesian_2d(0u32..slots, lo..hi)?;
    c.configure_mesh().x_desc("slot").y_desc(y_desc).draw()?;
    for l in lines {
        let colour = l.colour;
        c.draw_series(LineSeries::new(l.points.iter().copied(), colour.stroke_width(2)))?
            .label(l.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    c.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    root.present()?;
    Ok(())
}

fn line(name: &str, colour: RGBColor, series: &[SlotFigures], f: impl Fn(&SlotFigures) -> f64) -> Line {
    Line { name: name.into(), colour, points: series.iter().map(|s| (s.slot, f(s))).collect() }
}

/// Writes `proof-bytes.svg`, `known-minimum.svg` and `diagonal-drift.svg` for `series`
/// (of a run labelled `label`) into `dir`; returns their paths.
pub fn write(dir: &Path, label: &str, series: &[SlotFigures]) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let eth = 1e9;
    let charts = [
        (
            "proof-bytes.svg",
            format!("Witness bytes per slot ({label})"),
            "bytes",
            vec![
                line("own shard", RGBColor(47, 91, 211), series, |s| s.own_bytes as f64),
                line("foreign (meta-EE)", RGBColor(198, 40, 40), series, |s| s.foreign_bytes as f64),
            ],
        ),
        (
            "known-minimum.svg",
            format!("Net-outgoing EEs covered by the known minimum ({label})"),
            "share of net-outgoing EE-blocks",
            vec![
                line(
                    "known minimum, no proof",
                    RGBColor(27, 127, 59),
                    series,
                    SlotFigures::known_min_hit_rate,
                ),
                line("needed a foreign proof", RGBColor(198, 40, 40), series, |s| {
                    if s.net_outgoing_ees == 0 {
                        0.0
                    } else {
                        s.proven_ees as f64 / s.net_outgoing_ees as f64
                    }
                }),
            ],
        ),
        (
            "diagonal-drift.svg",
            format!("Diagonal drift: on-diagonal cells fall, off-diagonal grow ({label})"),
            "ETH",
            vec![
                line("on-diagonal sum", RGBColor(47, 91, 211), series, |s| s.diagonal as f64 / eth),
                line("off-diagonal sum", RGBColor(230, 120, 20), series, |s| s.off_diagonal as f64 / eth),
            ],
        ),
    ];
    let mut written = Vec::new();
    for (file, title, y, lines) in charts {
        let path = dir.join(file);
        chart(&path, &title, y, &lines).map_err(|e| anyhow::anyhow!("plotting {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
