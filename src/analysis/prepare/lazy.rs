//! Facts of a prepared state that only some runs need, computed once on first use:
//! - the rent level (median NKM/m² of the records in a cell, before outliers) per Gemeinde and
//!   per Vergleichsraum, for the homogeneity check: two passes over the records in value order,
//!   without copying or sorting values;
//! - the Mietstufe the WoGV Anlage gives each Gemeinde of the table (by AGS and name).

use super::{Prepared, RecordStatus};

/// Count and median NKM/m² of a group of records.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Level {
    /// Records in a cell.
    pub n: usize,
    /// Median NKM/m² (Hyndman–Fan type 7, as `PERCENTILE.INC(…; 0,5)`); `None` when `n == 0`.
    pub median: Option<f64>,
}

/// Levels per Gemeinde (order of the Gemeinde table) and per Vergleichsraum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RentLevels {
    /// Per Gemeinde.
    pub gemeinde: Vec<Level>,
    /// Per Vergleichsraum.
    pub vergleichsraum: Vec<Level>,
}

/// Accumulates the two middle order statistics of a group while its values arrive sorted.
#[derive(Clone, Copy, Default)]
struct Middle {
    n: usize,
    seen: usize,
    low: Option<f64>,
    high: Option<f64>,
}

impl Middle {
    fn push(&mut self, v: f64) {
        // Type 7 median: the mean of the values at the positions ⌊(n−1)/2⌋ and ⌈(n−1)/2⌉.
        let (lo, hi) = ((self.n - 1) / 2, self.n / 2);
        if self.seen == lo {
            self.low = Some(v);
        }
        if self.seen == hi {
            self.high = Some(v);
        }
        self.seen += 1;
    }

    fn level(&self) -> Level {
        Level {
            n: self.n,
            median: self.low.zip(self.high).map(|(a, b)| a + (b - a) / 2.0),
        }
    }
}

impl Prepared {
    /// The rent levels of this prepared state (computed on first use).
    pub fn rent_levels(&self) -> &RentLevels {
        self.levels.get_or_init(|| self.compute_levels())
    }

    /// The Mietstufe of every Gemeinde of the table in the WoGV Anlage (`None`: not found or
    /// not unique), in the order of the Gemeinde table (computed on first use).
    pub fn anlage_mietstufen(&self) -> &[Option<u8>] {
        self.mietstufen.get_or_init(|| {
            self.key
                .gemeinden
                .iter()
                .map(|g| {
                    let ags = (!g.ags.is_empty()).then_some(g.ags.as_str());
                    ags.and_then(|a| {
                        crate::tables::mietstufen::mietstufe_of(None, Some(a), &g.name)
                    })
                })
                .collect()
        })
    }

    fn compute_levels(&self) -> RentLevels {
        let mut gemeinde = vec![Middle::default(); self.coverage.len()];
        let mut vr = vec![Middle::default(); self.vr_names.len()];
        let group = |record: usize| -> Option<(usize, Option<usize>)> {
            match self.status.get(record)? {
                RecordStatus::InCell { vr, .. } => Some((
                    *vr as usize,
                    self.gemeinde_of
                        .get(record)
                        .copied()
                        .flatten()
                        .map(|g| g as usize),
                )),
                RecordStatus::Excluded(_) => None,
            }
        };
        for e in &self.index.by_rent {
            if let Some((v, g)) = group(e.record as usize) {
                if let Some(m) = vr.get_mut(v) {
                    m.n += 1;
                }
                if let Some(m) = g.and_then(|g| gemeinde.get_mut(g)) {
                    m.n += 1;
                }
            }
        }
        for e in &self.index.by_rent {
            if let Some((v, g)) = group(e.record as usize) {
                let value = super::from_order_key(e.key);
                if let Some(m) = vr.get_mut(v) {
                    m.push(value);
                }
                if let Some(m) = g.and_then(|g| gemeinde.get_mut(g)) {
                    m.push(value);
                }
            }
        }
        RentLevels {
            gemeinde: gemeinde.iter().map(Middle::level).collect(),
            vergleichsraum: vr.iter().map(Middle::level).collect(),
        }
    }
}
