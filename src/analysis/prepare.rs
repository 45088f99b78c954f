//! The slow half of the pipeline, run when data or scope change: assign every record to its
//! Gemeinde and Vergleichsraum, apply the scope filters, sort into cells
//! (Vergleichsraum × size class) and sort each cell's values once.
//!
//! Parameter changes that do not touch the scope (percentile, outlier rule, BK statistic,
//! rounding, …) reuse a [`Prepared`] through [`crate::analysis::compute`].

use super::availability::{PreparedOffers, prepare_offers};
use crate::model::params::{Parameters, PlausibilityParams, ScopeParams, SizeClassParams};
use crate::model::{Date, GemeindeRow, LandlordType, Project, Reason, Record, SourceKind};
use std::collections::{BTreeMap, HashMap};

/// Status of one record in the reference-rent stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordStatus {
    /// In scope, in cell (Vergleichsraum index, size class index 0-based).
    InCell {
        /// Vergleichsraum index.
        vr: u16,
        /// Size class index (household size − 1).
        class: u8,
    },
    /// Excluded with a reason.
    Excluded(Reason),
}

/// The part of the parameters and project that [`Prepared`] depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct PrepareKey {
    scope: ScopeParams,
    sizes: Vec<f64>,
    size_classes: SizeClassParams,
    plausibility: PlausibilityParams,
    availability: AvailabilityScopeKey,
    gemeinden: Vec<GemeindeRow>,
    vr_names: Vec<String>,
    stichtag: Date,
}

impl PrepareKey {
    /// The key of a project's current state.
    pub fn of(project: &Project) -> PrepareKey {
        let p = &project.parameters;
        PrepareKey {
            scope: p.scope.clone(),
            sizes: p.wohnflaechen.sizes.clone(),
            size_classes: p.size_classes.clone(),
            plausibility: p.plausibility.clone(),
            availability: AvailabilityScopeKey {
                window_months: p.availability.window_months,
                dedup: p.availability.dedup,
                dedup_area_m2: p.availability.dedup_area_m2,
                dedup_rent_share: p.availability.dedup_rent_share,
                heating_included: p.availability.heating_included,
            },
            gemeinden: project.gemeinden.clone(),
            vr_names: project.vergleichsraum_names(),
            stichtag: project.project.stichtag,
        }
    }
}

/// The availability parameters that change which offers are in scope.
#[derive(Debug, Clone, PartialEq)]
struct AvailabilityScopeKey {
    window_months: Option<u32>,
    dedup: bool,
    dedup_area_m2: f64,
    dedup_rent_share: f64,
    heating_included: crate::model::params::HeatingIncludedOffers,
}

/// A cell's sorted values.
#[derive(Debug, Clone, Default)]
pub struct PreparedCell {
    /// NKM/m², ascending.
    pub values: Vec<f64>,
    /// Record index per value (same order).
    pub records: Vec<u32>,
    /// Landlord type per value (same order), for post-stratification.
    pub landlord: Vec<Option<LandlordType>>,
    /// Leistungsbezug per value (same order), for the Zirkelschluss check.
    pub welfare: Vec<bool>,
    /// Plausible kBK/m² of the cell's records, ascending (all / without lift / with lift).
    pub bk: BkValues,
    /// Records of this Vergleichsraum and size class excluded by a scope rule, by reason.
    pub excluded: BTreeMap<Reason, usize>,
}

/// Sorted kBK/m² values, overall and split by lift.
#[derive(Debug, Clone, Default)]
pub struct BkValues {
    /// All plausible values.
    pub all: Vec<f64>,
    /// Landlord type per value of `all` (same order).
    pub all_landlord: Vec<Option<LandlordType>>,
    /// Buildings without lift (or lift unknown).
    pub without_lift: Vec<f64>,
    /// Buildings with lift.
    pub with_lift: Vec<f64>,
    /// Records of the cell/VR without BK.
    pub n_missing: usize,
    /// Records with implausible BK/m².
    pub n_implausible: usize,
}

impl BkValues {
    fn push(&mut self, r: &Record, plaus: &PlausibilityParams) {
        match r.operating_costs_per_m2() {
            None => self.n_missing += 1,
            Some(v) if !(plaus.bk_per_m2_min..=plaus.bk_per_m2_max).contains(&v) => {
                self.n_implausible += 1
            }
            Some(v) => {
                self.all.push(v);
                self.all_landlord.push(r.landlord_type);
                if r.lift == Some(true) {
                    self.with_lift.push(v);
                } else {
                    self.without_lift.push(v);
                }
            }
        }
    }

    fn sort(&mut self) {
        let mut pairs: Vec<(f64, Option<LandlordType>)> = self
            .all
            .iter()
            .copied()
            .zip(self.all_landlord.iter().copied())
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.all = pairs.iter().map(|p| p.0).collect();
        self.all_landlord = pairs.iter().map(|p| p.1).collect();
        for v in [&mut self.without_lift, &mut self.with_lift] {
            v.sort_by(f64::total_cmp);
        }
    }
}

/// Records per Gemeinde (coverage, K1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GemeindeCoverage {
    /// Reference records in scope (in a cell).
    pub n_reference: usize,
    /// All records assigned to the Gemeinde (any kind, any status).
    pub n_assigned: usize,
    /// Offers assigned to the Gemeinde.
    pub n_offers: usize,
}

/// Everything the fast computation needs, built once per data/scope change.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The key this was built from.
    pub key: PrepareKey,
    /// Vergleichsraum names.
    pub vr_names: Vec<String>,
    /// Number of size classes (= household sizes in the table).
    pub classes: usize,
    /// Class bounds: (lower exclusive, upper inclusive or open).
    pub class_bounds: Vec<(f64, Option<f64>)>,
    /// Status per record (same index as the dataset's records).
    pub status: Vec<RecordStatus>,
    /// Gemeinde index per record, where assigned.
    pub gemeinde_of: Vec<Option<u32>>,
    /// Cells, index `vr * classes + class`.
    pub cells: Vec<PreparedCell>,
    /// kBK per Vergleichsraum.
    pub bk_vr: Vec<BkValues>,
    /// Coverage per Gemeinde (same order as the Gemeinde table).
    pub coverage: Vec<GemeindeCoverage>,
    /// Reference records without contract date (the age rule could not be checked).
    pub n_without_contract_date: usize,
    /// Offers of the availability stage.
    pub offers: PreparedOffers,
    /// Bestand records in cells per Vergleichsraum (coverage, K5).
    pub n_bestand_vr: Vec<usize>,
    /// Records excluded from the reference stage, by reason (counted once here, not per change).
    pub excluded_counts: BTreeMap<Reason, usize>,
    /// Records in a cell.
    pub n_in_cells: usize,
}

impl Prepared {
    /// Builds the prepared state from records and the project.
    pub fn new(records: &[Record], project: &Project) -> Prepared {
        let key = PrepareKey::of(project);
        let params: &Parameters = &project.parameters;
        let vr_names = key.vr_names.clone();
        let vr_index: HashMap<&str, u16> = vr_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u16))
            .collect();
        let lookup = GemeindeLookup::new(&project.gemeinden);
        let class_bounds = class_bounds(&params.wohnflaechen.sizes, &params.size_classes);
        let classes = class_bounds.len();
        let mut cells = vec![PreparedCell::default(); vr_names.len() * classes];
        let mut bk_vr = vec![BkValues::default(); vr_names.len()];
        let mut coverage = vec![GemeindeCoverage::default(); project.gemeinden.len()];
        let mut status = Vec::with_capacity(records.len());
        let mut gemeinde_of = Vec::with_capacity(records.len());
        let mut n_without_contract_date = 0;
        let window_start = params
            .scope
            .contract_window_years
            .map(|y| project.project.stichtag.minus_years(y as i32));
        let scope = &params.scope;

        // Pairs (value, record) per cell, sorted afterwards for order independence.
        let mut cell_pairs: Vec<Vec<(f64, u32)>> = vec![Vec::new(); cells.len()];

        let mut found = Vec::with_capacity(records.len());
        for (idx, r) in records.iter().enumerate() {
            let g = lookup.find(r);
            found.push(g);
            gemeinde_of.push(g.ok());
            if let Ok(gi) = g
                && let Some(c) = coverage.get_mut(gi as usize)
            {
                c.n_assigned += 1;
                if r.kind == SourceKind::Angebot {
                    c.n_offers += 1;
                }
            }
            let st = classify(r, g, project, &vr_index, scope, window_start, &class_bounds);
            if let RecordStatus::InCell { vr, class } = st {
                if r.contract_start.is_none() && r.last_rent_change.is_none() {
                    n_without_contract_date += 1;
                }
                let ci = vr as usize * classes + class as usize;
                cell_pairs[ci].push((r.net_rent_per_m2(), idx as u32));
                cells[ci].bk.push(r, &params.plausibility);
                bk_vr[vr as usize].push(r, &params.plausibility);
                if let Ok(gi) = g
                    && let Some(c) = coverage.get_mut(gi as usize)
                {
                    c.n_reference += 1;
                }
            }
            if let RecordStatus::Excluded(reason) = st
                && let Some(vr) = g
                    .ok()
                    .and_then(|gi| project.gemeinden.get(gi as usize))
                    .and_then(|row| vr_index.get(row.vergleichsraum.as_str()))
                && let Some(class) = size_class(r.area, &class_bounds)
                && reason != Reason::KindNotUsed
            {
                let ci = *vr as usize * classes + class as usize;
                *cells[ci].excluded.entry(reason).or_insert(0) += 1;
            }
            status.push(st);
        }
        for (cell, mut pairs) in cells.iter_mut().zip(cell_pairs) {
            // Ties broken by (source, row) so the order never depends on input order.
            pairs.sort_by(|a, b| {
                a.0.total_cmp(&b.0).then_with(|| {
                    let (ra, rb) = (&records[a.1 as usize], &records[b.1 as usize]);
                    (ra.source, ra.row).cmp(&(rb.source, rb.row))
                })
            });
            cell.values = pairs.iter().map(|p| p.0).collect();
            cell.records = pairs.iter().map(|p| p.1).collect();
            cell.landlord = pairs
                .iter()
                .map(|p| records[p.1 as usize].landlord_type)
                .collect();
            cell.welfare = pairs
                .iter()
                .map(|p| records[p.1 as usize].welfare == Some(true))
                .collect();
            cell.bk.sort();
        }
        for b in &mut bk_vr {
            b.sort();
        }
        let offers = prepare_offers(records, project, &found, &vr_index);
        let mut excluded_counts = BTreeMap::new();
        let mut n_in_cells = 0;
        for st in &status {
            match st {
                RecordStatus::Excluded(reason) => *excluded_counts.entry(*reason).or_insert(0) += 1,
                RecordStatus::InCell { .. } => n_in_cells += 1,
            }
        }
        let mut n_bestand_vr = vec![0; vr_names.len()];
        for (r, st) in records.iter().zip(&status) {
            if let RecordStatus::InCell { vr, .. } = st
                && r.kind == SourceKind::Bestand
            {
                n_bestand_vr[*vr as usize] += 1;
            }
        }
        Prepared {
            key,
            vr_names,
            classes,
            class_bounds,
            status,
            gemeinde_of,
            cells,
            bk_vr,
            coverage,
            n_without_contract_date,
            offers,
            n_bestand_vr,
            excluded_counts,
            n_in_cells,
        }
    }

    /// Whether the project changed in a way that needs a new [`Prepared`].
    pub fn is_stale(&self, project: &Project) -> bool {
        self.key != PrepareKey::of(project)
    }

    /// The cell of Vergleichsraum `vr` and size class `class`.
    pub fn cell(&self, vr: usize, class: usize) -> Option<&PreparedCell> {
        self.cells.get(vr * self.classes + class)
    }
}

/// Size-class bounds from the Wohnflächen steps: class h = (A_{h−1}, A_h].
pub fn class_bounds(sizes: &[f64], sc: &SizeClassParams) -> Vec<(f64, Option<f64>)> {
    let mut out = Vec::with_capacity(sizes.len());
    let mut lower = sc.lower_bound.unwrap_or(0.0);
    for (i, &upper) in sizes.iter().enumerate() {
        let open = sc.open_top && i + 1 == sizes.len();
        out.push((lower, if open { None } else { Some(upper) }));
        lower = upper;
    }
    out
}

fn size_class(area: f64, bounds: &[(f64, Option<f64>)]) -> Option<u8> {
    bounds
        .iter()
        .position(|&(lo, hi)| area > lo && hi.is_none_or(|h| area <= h))
        .map(|i| i as u8)
}

#[allow(clippy::too_many_arguments)]
fn classify(
    r: &Record,
    g: Result<u32, Reason>,
    project: &Project,
    vr_index: &HashMap<&str, u16>,
    scope: &ScopeParams,
    window_start: Option<Date>,
    bounds: &[(f64, Option<f64>)],
) -> RecordStatus {
    use RecordStatus::Excluded;
    if !scope.reference_kinds.contains(&r.kind) {
        return Excluded(Reason::KindNotUsed);
    }
    let gi = match g {
        Ok(gi) => gi,
        Err(reason) => return Excluded(reason),
    };
    let vr = match project
        .gemeinden
        .get(gi as usize)
        .and_then(|row| vr_index.get(row.vergleichsraum.as_str()))
    {
        Some(&vr) => vr,
        None => return Excluded(Reason::NoVergleichsraum),
    };
    let flags = [
        (scope.exclude_furnished, r.furnished, Reason::Furnished),
        (scope.exclude_subsidised, r.subsidised, Reason::Subsidised),
        (
            scope.exclude_company_flats,
            r.company_flat,
            Reason::CompanyFlat,
        ),
        (scope.exclude_dormitories, r.dormitory, Reason::Dormitory),
        (
            scope.exclude_favour_rents,
            r.favour_rent,
            Reason::FavourRent,
        ),
        (
            scope.exclude_substandard,
            r.substandard,
            Reason::Substandard,
        ),
    ];
    if let Some((_, _, reason)) = flags.iter().find(|(on, v, _)| *on && *v == Some(true)) {
        return Excluded(*reason);
    }
    if let Some(start) = window_start {
        let latest = match (r.contract_start, r.last_rent_change) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if latest.is_some_and(|d| d < start) {
            return Excluded(Reason::ContractTooOld);
        }
    }
    match size_class(r.area, bounds) {
        Some(class) => RecordStatus::InCell { vr, class },
        None => Excluded(Reason::OutsideSizeClasses),
    }
}

/// Assigns records to rows of the Gemeinde table: by AGS, else by normalised name, else by the
/// record's Ortsteil (city concepts whose table lists Stadtbezirke), exactly or by a unique first
/// word ("Aubing-Lochhausen-Langwied" → "Aubing").
pub struct GemeindeLookup {
    by_ags: HashMap<String, u32>,
    by_name: HashMap<String, u32>,
    by_first_word: HashMap<String, Option<u32>>,
}

impl GemeindeLookup {
    /// Builds the lookup.
    pub fn new(gemeinden: &[GemeindeRow]) -> GemeindeLookup {
        let mut by_ags = HashMap::new();
        let mut by_name = HashMap::new();
        let mut by_first_word = HashMap::new();
        for (i, g) in gemeinden.iter().enumerate() {
            let ags = crate::import::validate::normalize_ags(&g.ags);
            if !ags.is_empty() {
                by_ags.entry(ags).or_insert(i as u32);
            }
            let norm = normalize_name(&g.name);
            if let Some(first) = norm.split_whitespace().next() {
                by_first_word
                    .entry(first.to_string())
                    .and_modify(|e: &mut Option<u32>| *e = None)
                    .or_insert(Some(i as u32));
            }
            by_name.entry(norm).or_insert(i as u32);
        }
        GemeindeLookup {
            by_ags,
            by_name,
            by_first_word,
        }
    }

    /// The Gemeinde of a record, or why there is none.
    pub fn find(&self, r: &Record) -> Result<u32, Reason> {
        if let Some(ags) = &r.ags
            && let Some(&i) = self.by_ags.get(ags)
        {
            return Ok(i);
        }
        if let Some(name) = &r.gemeinde
            && let Some(&i) = self.by_name.get(&normalize_name(name))
        {
            return Ok(i);
        }
        if let Some(ortsteil) = &r.ortsteil {
            let norm = normalize_name(ortsteil);
            if let Some(&i) = self.by_name.get(&norm) {
                return Ok(i);
            }
            if let Some(Some(i)) = norm
                .split_whitespace()
                .next()
                .and_then(|w| self.by_first_word.get(w))
            {
                return Ok(*i);
            }
        }
        if r.ags.is_none() && r.gemeinde.is_none() && r.ortsteil.is_none() {
            Err(Reason::MissingGemeinde)
        } else {
            Err(Reason::UnknownGemeinde)
        }
    }
}

/// Normalises a Gemeinde name for matching: case, umlauts, ß, accents, punctuation
/// (`tables::fold`), and the decorations "Stadt", "Gemeinde", "Markt", "Hansestadt",
/// "Landeshauptstadt" before or after the name.
pub fn normalize_name(name: &str) -> String {
    // The same character folding as the legal tables (`tables::fold`).
    let s = crate::tables::fold(name);
    const DECORATIONS: [&str; 7] = [
        "stadt",
        "gemeinde",
        "markt",
        "hansestadt",
        "landeshauptstadt",
        "kreisstadt",
        "universitaetsstadt",
    ];
    let words: Vec<&str> = s.split_whitespace().collect();
    let kept: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !DECORATIONS.contains(w))
        .collect();
    if kept.is_empty() {
        words.join(" ")
    } else {
        kept.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalize_name("Stadt Musterstadt"), "musterstadt");
        assert_eq!(normalize_name("Düren, Stadt"), "dueren");
        assert_eq!(normalize_name("  GROSS-Gerau "), "gross gerau");
        assert_eq!(normalize_name("Stadt"), "stadt");
    }

    #[test]
    fn classes() {
        let sc = SizeClassParams::default();
        let b = class_bounds(&[50.0, 65.0, 80.0], &sc);
        assert_eq!(size_class(50.0, &b), Some(0));
        assert_eq!(size_class(50.01, &b), Some(1));
        assert_eq!(size_class(80.0, &b), Some(2));
        assert_eq!(size_class(80.5, &b), None);
        let open = SizeClassParams {
            lower_bound: Some(25.0),
            open_top: true,
        };
        let b = class_bounds(&[50.0, 65.0, 80.0], &open);
        assert_eq!(size_class(20.0, &b), None);
        assert_eq!(size_class(200.0, &b), Some(2));
    }
}
