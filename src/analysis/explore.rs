//! The data explorer: the records as a pivot table. Group them by any of Gemeinde,
//! Vergleichsraum, size class, Baujahr class, landlord type, Datenart and source, and show n,
//! median, any percentile, mean, minimum and maximum of NKM €/m² (or kalte BK €/m²) per group;
//! optionally filtered to one value of a dimension (e.g. one Gemeinde).
//!
//! Which records: by default those the analysis uses ([`RecordStatus::InCell`] of the
//! [`Prepared`] state; for BK only plausible kalte BK, as in the BK statistic, docs/METHOD.md
//! §2.9), or every imported record. Values are those before the Extremwertkappung.
//!
//! polars groups (eager `group_by` on `u32` key columns built once per prepared state, see
//! [`Explorer::new`]); every statistic comes from [`crate::analysis::quantile`] with the
//! project's quantile type, so the P33 of a cell equals the derivation's on the same values.
//! Row order: size and Baujahr classes in their numeric order, other keys alphabetical, „ohne
//! Angabe“ and the like last. A record outside the Gemeinde table is grouped under the Gemeinde
//! it names, marked „(nicht in der Gemeindetabelle)“, so raw data can be explored before the
//! table exists. [`write`] writes a table as CSV or Excel.

use super::prepare::{Prepared, RecordStatus, size_class};
use super::quantile::{QuantileType, sort_values};
use crate::dataset::Dataset;
use crate::model::{LandlordType, Project, SourceKind};
use polars::prelude::{DataFrame, GroupsIndicator, IdxCa, IdxSize, NamedFrom, Series};
use std::fmt;

mod query;
pub mod write;

use query::MISSING;
pub use query::{
    Dimension, ExploreError, ExploreRow, ExploreTable, Filter, Measure, Query, Statistic,
    YEAR_BUILT_CLASSES, year_built_class, year_built_class_text,
};

/// A group: the key codes and the positions of its members.
type Group = (Vec<u32>, Vec<IdxSize>);

/// Bits of [`Explorer::used`].
const USED_NET_RENT: u8 = 1;
/// The record's kalte BK are in the analysis' BK statistic.
const USED_BK: u8 = 2;

/// The records of one prepared state as key columns (one `u32` code per dimension, whose order
/// is the row order) and value columns; built once per prepared state, answers many queries.
pub struct Explorer {
    /// One `u32` column per dimension, named by [`Dimension::code`].
    frame: DataFrame,
    /// Key text per code, per dimension (index [`Dimension::ALL`]).
    labels: Vec<Vec<String>>,
    /// NKM/m² per record.
    net_rent: Vec<f64>,
    /// Kalte BK/m² per record, NaN without (or including heating).
    bk: Vec<f64>,
    /// [`USED_NET_RENT`], [`USED_BK`] per record.
    used: Vec<u8>,
    quantile_type: QuantileType,
}

impl fmt::Debug for Explorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Explorer")
            .field("records", &self.net_rent.len())
            .field("quantile_type", &self.quantile_type)
            .finish()
    }
}

/// The codes of a dimension: key texts in row order and the code of each raw key.
struct Keys {
    labels: Vec<String>,
    code_of: Vec<u32>,
}

impl Keys {
    /// `raw` are the key texts by raw id (index), `missing` the text of records without key
    /// (its raw id is `raw.len()`); ordinal keys keep their order, others are sorted
    /// alphabetically (German folding); the missing text comes last.
    fn new(raw: Vec<String>, missing: &str, ordinal: bool) -> Keys {
        let mut order: Vec<usize> = (0..raw.len()).collect();
        if !ordinal {
            let folded: Vec<String> = raw.iter().map(|l| crate::tables::fold(l)).collect();
            order.sort_by(|&a, &b| folded[a].cmp(&folded[b]).then(raw[a].cmp(&raw[b])));
        }
        let mut code_of = vec![0; raw.len() + 1];
        let mut labels = Vec::with_capacity(raw.len() + 1);
        for (code, &i) in order.iter().enumerate() {
            code_of[i] = code as u32;
            labels.push(raw[i].clone());
        }
        code_of[raw.len()] = raw.len() as u32;
        labels.push(missing.to_string());
        Keys { labels, code_of }
    }

    fn code(&self, raw: Option<usize>) -> u32 {
        let i = raw.unwrap_or(self.code_of.len() - 1);
        self.code_of
            .get(i)
            .copied()
            .unwrap_or((self.labels.len() - 1) as u32)
    }
}

impl Explorer {
    /// Builds the key and value columns of every record of `data` with the Gemeinde, size
    /// class and status `prep` gave it (`prep` built from `data.records` and `project`).
    pub fn new(
        data: &Dataset,
        project: &Project,
        prep: &Prepared,
    ) -> Result<Explorer, ExploreError> {
        let records = &data.records;
        let n = records.len();
        let vr_index = |name: &str| prep.vr_names.iter().position(|v| v == name);
        let gemeinde_vr: Vec<Option<usize>> = project
            .gemeinden
            .iter()
            .map(|g| vr_index(&g.vergleichsraum))
            .collect();
        // A record outside the Gemeinde table keeps the Gemeinde it names, marked as such, so
        // that raw data can be explored before the table exists.
        let mut gemeinde_labels: Vec<String> =
            project.gemeinden.iter().map(|g| g.name.clone()).collect();
        let mut unlisted: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        let gemeinde_key: Vec<Option<usize>> = records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if let Some(g) = prep.gemeinde_of.get(i).copied().flatten() {
                    return Some(g as usize);
                }
                let name = r
                    .gemeinde
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())?;
                let key = super::prepare::normalize_name(name);
                Some(*unlisted.entry(key).or_insert_with(|| {
                    gemeinde_labels.push(format!("{name} (nicht in der Gemeindetabelle)"));
                    gemeinde_labels.len() - 1
                }))
            })
            .collect();
        let keys = [
            Keys::new(gemeinde_labels, "ohne Zuordnung", false),
            Keys::new(prep.vr_names.clone(), "ohne Vergleichsraum", false),
            Keys::new(
                prep.class_bounds
                    .iter()
                    .enumerate()
                    .map(|(i, &(lo, hi))| {
                        format!(
                            "{} ({})",
                            crate::fmt::persons(i as u32 + 1),
                            crate::fmt::class_text(lo, hi)
                        )
                    })
                    .collect(),
                "außerhalb der Größenklassen",
                true,
            ),
            Keys::new(
                (0..YEAR_BUILT_CLASSES.len())
                    .map(year_built_class_text)
                    .collect(),
                MISSING,
                true,
            ),
            Keys::new(
                [LandlordType::Privat, LandlordType::Institutionell]
                    .iter()
                    .map(|l| l.german().to_string())
                    .collect(),
                MISSING,
                false,
            ),
            Keys::new(
                SourceKind::ALL
                    .iter()
                    .map(|k| k.german().to_string())
                    .collect(),
                MISSING,
                false,
            ),
            Keys::new(
                data.sources
                    .iter()
                    .map(|s| match &s.import.sheet {
                        Some(sheet) => format!("{} ({sheet})", s.import.file_name),
                        None => s.import.file_name.clone(),
                    })
                    .collect(),
                "unbekannte Quelle",
                false,
            ),
        ];
        let mut codes: Vec<Vec<u32>> = vec![Vec::with_capacity(n); Dimension::ALL.len()];
        let mut net_rent = Vec::with_capacity(n);
        let mut bk = Vec::with_capacity(n);
        let mut used = Vec::with_capacity(n);
        let plausibility = &project.parameters.plausibility;
        for (i, r) in records.iter().enumerate() {
            let g = prep
                .gemeinde_of
                .get(i)
                .copied()
                .flatten()
                .map(|g| g as usize);
            let status = prep.status.get(i).copied();
            let class = match status {
                Some(RecordStatus::InCell { class, .. }) => Some(usize::from(class)),
                _ => size_class(r.area, &prep.class_bounds).map(usize::from),
            };
            let raw = [
                gemeinde_key.get(i).copied().flatten(),
                g.and_then(|g| gemeinde_vr.get(g).copied().flatten()),
                class,
                r.year_built.map(year_built_class),
                r.landlord_type.map(|l| l as usize),
                Some(r.kind as usize),
                Some(usize::from(r.source)).filter(|&s| s < data.sources.len()),
            ];
            for ((c, k), raw) in codes.iter_mut().zip(&keys).zip(raw) {
                c.push(k.code(raw));
            }
            let value_bk = r
                .operating_costs_per_m2()
                .filter(|_| r.heating_included != Some(true));
            net_rent.push(r.net_rent_per_m2());
            bk.push(value_bk.unwrap_or(f64::NAN));
            let mut u = 0;
            if matches!(status, Some(RecordStatus::InCell { .. })) {
                u |= USED_NET_RENT;
                if value_bk.is_some_and(|v| plausibility.bk_plausible(v)) {
                    u |= USED_BK;
                }
            }
            used.push(u);
        }
        let columns = Dimension::ALL
            .iter()
            .zip(codes)
            .map(|(d, c)| Series::new(d.code().into(), c).into())
            .collect();
        let frame = DataFrame::new_infer_height(columns)?;
        Ok(Explorer {
            frame,
            labels: keys.into_iter().map(|k| k.labels).collect(),
            net_rent,
            bk,
            used,
            quantile_type: project.parameters.quantile_type,
        })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.net_rent.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.net_rent.is_empty()
    }

    /// The key texts of a dimension in row order (e.g. the Gemeinden for a filter choice),
    /// only those some record has.
    pub fn values(&self, dimension: Dimension, all_records: bool) -> Vec<String> {
        let Some(labels) = self.labels.get(dimension.index()) else {
            return Vec::new();
        };
        let mut present = vec![false; labels.len()];
        if let Ok(col) = self.codes(dimension) {
            for (code, &u) in col.iter().zip(&self.used) {
                if (all_records || u & USED_NET_RENT != 0)
                    && let Some(p) = present.get_mut(*code as usize)
                {
                    *p = true;
                }
            }
        }
        labels
            .iter()
            .zip(present)
            .filter(|(_, p)| *p)
            .map(|(l, _)| l.clone())
            .collect()
    }

    /// The codes of a dimension's key column.
    fn codes(&self, dimension: Dimension) -> Result<Vec<u32>, ExploreError> {
        let col = self.frame.column(dimension.code())?.u32()?;
        Ok(col.into_no_null_iter().collect())
    }

    /// The codes of `dimension` whose key text matches `value`.
    fn matching(&self, filter: &Filter) -> Result<Vec<bool>, ExploreError> {
        let labels = self
            .labels
            .get(filter.dimension.index())
            .map_or(&[][..], Vec::as_slice);
        let wanted = super::prepare::normalize_name(&filter.value);
        let by_number = filter.value.trim().parse::<usize>().ok();
        let kind = SourceKind::parse(&filter.value).map(SourceKind::german);
        let hits: Vec<bool> = labels
            .iter()
            .enumerate()
            .map(|(code, l)| {
                super::prepare::normalize_name(l) == wanted
                    || (filter.dimension == Dimension::SizeClass && by_number == Some(code + 1))
                    || (filter.dimension == Dimension::Kind && kind == Some(l.as_str()))
            })
            .collect();
        if hits.iter().any(|h| *h) {
            return Ok(hits);
        }
        let mut known: Vec<String> = labels.iter().take(12).map(|l| format!("„{l}“")).collect();
        if labels.len() > 12 {
            known.push("…".to_string());
        }
        Err(ExploreError::UnknownFilterValue {
            dimension: filter.dimension.german(),
            value: filter.value.clone(),
            known: known.join(", "),
        })
    }

    /// Answers a query: one row per group with at least one value.
    pub fn query(&self, q: &Query) -> Result<ExploreTable, ExploreError> {
        let (values, bit) = match q.measure {
            Measure::NetRentPerM2 => (&self.net_rent, USED_NET_RENT),
            Measure::BkPerM2 => (&self.bk, USED_BK),
        };
        let filter = match &q.filter {
            Some(f) => Some((self.codes(f.dimension)?, self.matching(f)?)),
            None => None,
        };
        // The records of the query, as positions into the frame.
        let rows: Vec<IdxSize> = (0..self.len())
            .filter(|&i| {
                (q.all_records || self.used.get(i).is_some_and(|u| u & bit != 0))
                    && values.get(i).is_some_and(|v| v.is_finite())
                    && filter.as_ref().is_none_or(|(codes, hits)| {
                        codes
                            .get(i)
                            .and_then(|&c| hits.get(c as usize))
                            .copied()
                            .unwrap_or(false)
                    })
            })
            .map(|i| i as IdxSize)
            .collect();
        let mut groups = self.group(&q.dimensions, &rows)?;
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut table_rows = Vec::with_capacity(groups.len());
        let mut n_records = 0;
        let mut sorted = Vec::new();
        for (codes, members) in groups {
            sorted.clear();
            sorted.extend(
                members
                    .iter()
                    .filter_map(|&p| rows.get(p as usize))
                    .filter_map(|&i| values.get(i as usize).copied()),
            );
            if sorted.is_empty() {
                continue;
            }
            sort_values(&mut sorted);
            n_records += sorted.len();
            let keys = q
                .dimensions
                .iter()
                .zip(&codes)
                .map(|(d, &c)| self.label(*d, c))
                .collect();
            let values = q
                .statistics
                .iter()
                .map(|s| s.of(&sorted, self.quantile_type).unwrap_or(f64::NAN))
                .collect();
            table_rows.push(ExploreRow { keys, values });
        }
        // The filter as the table names it (e.g. „Lindenfeld“ for „lindenfeld“).
        let matched: Vec<String> = match (&q.filter, &filter) {
            (Some(f), Some((_, hits))) => hits
                .iter()
                .enumerate()
                .filter(|(_, hit)| **hit)
                .map(|(c, _)| self.label(f.dimension, c as u32))
                .collect(),
            _ => Vec::new(),
        };
        Ok(ExploreTable {
            description: self.describe(q, &matched),
            dimensions: q.dimensions.clone(),
            statistics: q.statistics.clone(),
            rows: table_rows,
            n_records,
        })
    }

    /// The groups of `rows` by the key columns of `dimensions`: (codes, positions into
    /// `rows`). Without dimensions one group of all rows.
    fn group(
        &self,
        dimensions: &[Dimension],
        rows: &[IdxSize],
    ) -> Result<Vec<Group>, ExploreError> {
        if dimensions.is_empty() {
            return Ok(vec![(Vec::new(), (0..rows.len() as IdxSize).collect())]);
        }
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = dimensions.iter().map(|d| d.code()).collect();
        let sub = self
            .frame
            .select(names.iter().copied())?
            .take(&IdxCa::from_vec("rows".into(), rows.to_vec()))?;
        let gb = sub.group_by(names.iter().copied())?;
        let keys = gb.keys();
        let key_codes: Vec<&polars::prelude::UInt32Chunked> =
            keys.iter().map(|k| k.u32()).collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(gb.get_groups().len());
        for (g, group) in gb.get_groups().iter().enumerate() {
            let members: Vec<IdxSize> = match group {
                GroupsIndicator::Idx((_, ix)) => ix.to_vec(),
                GroupsIndicator::Slice([first, len]) => (first..first + len).collect(),
            };
            let codes = key_codes
                .iter()
                .map(|k| k.get(g).unwrap_or(u32::MAX))
                .collect();
            out.push((codes, members));
        }
        Ok(out)
    }

    fn label(&self, dimension: Dimension, code: u32) -> String {
        self.labels
            .get(dimension.index())
            .and_then(|l| l.get(code as usize))
            .cloned()
            .unwrap_or_else(|| MISSING.to_string())
    }

    /// The German description of a query's table; `matched` are the key texts the filter
    /// selected.
    fn describe(&self, q: &Query, matched: &[String]) -> String {
        let records = if q.all_records {
            "alle eingelesenen Datensätze"
        } else {
            match q.measure {
                Measure::NetRentPerM2 => "Datensätze der Auswertung (in einem Tabellenfeld)",
                Measure::BkPerM2 => {
                    "Datensätze der Auswertung mit plausiblen kalten Betriebskosten"
                }
            }
        };
        let filter = q
            .filter
            .as_ref()
            .map(|f| {
                let value = if matched.is_empty() {
                    f.value.clone()
                } else {
                    matched.join("“, „")
                };
                format!(", nur {} = „{value}“", f.dimension.german())
            })
            .unwrap_or_default();
        format!(
            "{} vor der Extremwertkappung, {records}{filter}; Perzentile nach {}",
            q.measure.german(),
            self.quantile_type.german()
        )
    }
}

#[cfg(test)]
mod tests;
