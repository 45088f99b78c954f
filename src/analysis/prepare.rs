//! The slow half of the pipeline, run when data or scope change: assign every record to its
//! Gemeinde and Vergleichsraum, apply the scope filters, sort into cells
//! (Vergleichsraum × size class) and sort each cell's values once.
//!
//! The scope-independent part (assignment, the facts the scope tests, the value orders) is the
//! [`RecordIndex`], built once per dataset and Gemeinde table; a scope change
//! ([`Prepared::rescope`]) only filters it in three passes. Parameter changes that do not touch
//! the scope (percentile, outlier rule, BK statistic, rounding, …) reuse a [`Prepared`] through
//! [`crate::analysis::compute`].

use super::availability::{OfferFacts, OfferInputs, PreparedOffers, prepare_offers};
use crate::model::params::{Parameters, PlausibilityParams, ScopeParams, SizeClassParams};
use crate::model::{
    Date, Exclusion, GemeindeRow, LandlordType, Project, Reason, Record, SourceKind,
};
use index::{BK_WITH_HEATING, Facts, HAS_BK};
pub use lazy::{Level, RentLevels};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

mod index;
mod lazy;
#[cfg(test)]
mod reference;

pub use index::{GemeindeLookup, RecordIndex, normalize_name};

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
    pub welfare: Vec<Option<bool>>,
    /// Plausible kBK/m² of the cell's records, ascending (all / without lift / with lift).
    pub bk: BkValues,
    /// Records of this Vergleichsraum and size class excluded by a scope rule, by reason.
    pub excluded: BTreeMap<Reason, usize>,
    /// Bestandsmieten of this Vergleichsraum and size class with neither contract start nor
    /// last rent change that passed every other scope rule: excluded
    /// ([`Reason::ContractDateMissing`]) or, with `scope.include_undated` or without a
    /// contract window, in the cell (docs/METHOD.md §2.5).
    pub n_undated: usize,
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
    /// Landlord type per value of `without_lift`.
    pub without_lift_landlord: Vec<Option<LandlordType>>,
    /// Buildings with lift.
    pub with_lift: Vec<f64>,
    /// Landlord type per value of `with_lift`.
    pub with_lift_landlord: Vec<Option<LandlordType>>,
    /// Records of the cell/VR without BK.
    pub n_missing: usize,
    /// Records with implausible BK/m².
    pub n_implausible: usize,
    /// Records whose Nebenkosten include heating (`heating_included`): their amount is no kalte
    /// BK and stays out of the statistic (docs/METHOD.md §2.9).
    pub n_heating_included: usize,
}

impl BkValues {
    /// Appends a plausible value (values arrive in ascending order).
    fn push(&mut self, v: f64, landlord: Option<LandlordType>, lift: bool) {
        self.all.push(v);
        self.all_landlord.push(landlord);
        if lift {
            self.with_lift.push(v);
            self.with_lift_landlord.push(landlord);
        } else {
            self.without_lift.push(v);
            self.without_lift_landlord.push(landlord);
        }
    }
}

/// A `u64` whose unsigned order is the order of [`f64::total_cmp`]; [`from_order_key`] gives
/// the value back bit for bit.
pub(super) fn order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The inverse of [`order_key`].
fn from_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// The cell of every record after [`Prepared`]'s pass 1; passes 2 and 3 look it up in value
/// order. `u16` where the number of cells allows, which halves the memory of these random
/// look-ups; the maximum value means "no cell".
enum CellOf {
    Small(Vec<u16>),
    Large(Vec<u32>),
}

impl CellOf {
    fn new(n_cells: usize, n_records: usize) -> CellOf {
        if n_cells < usize::from(u16::MAX) {
            CellOf::Small(Vec::with_capacity(n_records))
        } else {
            CellOf::Large(Vec::with_capacity(n_records))
        }
    }

    fn push(&mut self, cell: Option<usize>) {
        match self {
            CellOf::Small(v) => v.push(cell.map_or(u16::MAX, |c| c as u16)),
            CellOf::Large(v) => v.push(cell.map_or(u32::MAX, |c| c as u32)),
        }
    }

    /// The cell of a record, if any.
    #[inline]
    fn get(&self, record: u32) -> Option<usize> {
        match self {
            CellOf::Small(v) => match v.get(record as usize) {
                Some(&c) if c != u16::MAX => Some(usize::from(c)),
                _ => None,
            },
            CellOf::Large(v) => match v.get(record as usize) {
                Some(&c) if c != u32::MAX => Some(c as usize),
                _ => None,
            },
        }
    }
}

/// Counts per [`Reason`]; a handful of reasons occur, so a short list beats a map.
#[derive(Debug, Clone, Default)]
struct ReasonCounts(Vec<(Reason, usize)>);

impl ReasonCounts {
    fn add(&mut self, reason: Reason) {
        match self.0.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => self.0.push((reason, 1)),
        }
    }

    fn into_map(self) -> BTreeMap<Reason, usize> {
        self.0.into_iter().collect()
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
    /// (Shared with the record index: a scope change does not copy it.)
    pub gemeinde_of: Arc<[Option<u32>]>,
    /// Cells, index `vr * classes + class`.
    pub cells: Vec<PreparedCell>,
    /// kBK per Vergleichsraum.
    pub bk_vr: Vec<BkValues>,
    /// Coverage per Gemeinde (same order as the Gemeinde table).
    pub coverage: Vec<GemeindeCoverage>,
    /// Reference records in cells without contract date (the age rule could not be checked):
    /// Neuvertragsmieten and other kinds, and Bestandsmieten where they are included
    /// (`scope.include_undated`).
    pub n_without_contract_date: usize,
    /// Offers of the availability stage.
    pub offers: PreparedOffers,
    /// Bestand records in cells per Vergleichsraum (coverage, K5).
    pub n_bestand_vr: Vec<usize>,
    /// Records excluded from the reference stage, by reason (counted once here, not per change).
    pub excluded_counts: BTreeMap<Reason, usize>,
    /// Records in a cell.
    pub n_in_cells: usize,
    /// The scope-independent part, reused by [`Prepared::rescope`].
    index: Arc<RecordIndex>,
    /// Rent levels per Gemeinde and Vergleichsraum ([`Prepared::rent_levels`]).
    levels: OnceLock<RentLevels>,
    /// Mietstufen of the WoGV Anlage per Gemeinde ([`Prepared::anlage_mietstufen`]).
    mietstufen: OnceLock<Vec<Option<u8>>>,
}

impl Prepared {
    /// Builds the prepared state from records and the project.
    pub fn new(records: &[Record], project: &Project) -> Prepared {
        let index = Arc::new(RecordIndex::new(records, &project.gemeinden));
        Prepared::with_index(records, project, index)
    }

    /// The prepared state of `project` for the same records as `self` (a scope change:
    /// contract window, exclusions, size classes, Vergleichsräume), reusing the record index.
    /// `records` must be the records `self` was built from; the index is rebuilt only if their
    /// number or the AGS/names of the Gemeinde table changed.
    pub fn rescope(&self, records: &[Record], project: &Project) -> Prepared {
        Prepared::with_index(records, project, Arc::clone(&self.index))
    }

    /// The record index (assignment and value order), to keep next to the records.
    pub fn index(&self) -> &Arc<RecordIndex> {
        &self.index
    }

    /// Builds the prepared state with a record index of these records (see
    /// [`Prepared::rescope`]); an index that does not [fit](RecordIndex::fits) is rebuilt.
    ///
    /// Three passes without sorting or string work: the facts in record order (status,
    /// coverage, counts), then the records in NKM/m² order and in kBK/m² order, each appended
    /// to its cell, which keeps every cell sorted.
    pub fn with_index(records: &[Record], project: &Project, index: Arc<RecordIndex>) -> Prepared {
        let index = if index.fits(records, &project.gemeinden) {
            index
        } else {
            Arc::new(RecordIndex::new(records, &project.gemeinden))
        };
        let key = PrepareKey::of(project);
        let params: &Parameters = &project.parameters;
        let vr_names = key.vr_names.clone();
        let (gemeinde_vr, n_vr_distinct) = gemeinde_vergleichsraum(&project.gemeinden, &vr_names);
        let class_bounds = class_bounds(&params.wohnflaechen.sizes, &params.size_classes);
        let classes = class_bounds.len();
        let n_cells = vr_names.len() * classes;
        let scope = ScopeFilter::new(params, project.project.stichtag);

        // Pass 1, record order: status, cell, coverage and counts.
        let n = index.facts.len();
        let mut status = Vec::with_capacity(n);
        let mut cell_of = CellOf::new(n_cells, n);
        let mut coverage = vec![GemeindeCoverage::default(); project.gemeinden.len()];
        let mut cell_len = vec![0; n_cells];
        let mut bk_missing = vec![0; n_cells];
        let mut bk_heating = vec![0; n_cells];
        let mut cell_excluded = vec![ReasonCounts::default(); n_cells];
        let mut cell_undated = vec![0; n_cells];
        let mut excluded_counts = ReasonCounts::default();
        let mut offer_candidates = Vec::new();
        let mut n_bestand_vr = vec![0; vr_names.len()];
        let mut n_in_cells = 0;
        let mut n_without_contract_date = 0;
        for (idx, (f, &g)) in index.facts.iter().zip(&index.gemeinde_of).enumerate() {
            let coverage_row = g.ok().and_then(|gi| coverage.get_mut(gi as usize));
            if let Some(c) = coverage_row {
                c.n_assigned += 1;
                if f.kind == SourceKind::Angebot {
                    c.n_offers += 1;
                }
            }
            if scope.offer_kinds & kind_bit(f.kind) != 0 {
                offer_candidates.push(idx as u32);
            }
            let st = scope.classify(f, g, &gemeinde_vr, &class_bounds);
            match st {
                RecordStatus::InCell { vr, class } => {
                    n_in_cells += 1;
                    if matches!(
                        f.kind,
                        SourceKind::Bestand | SourceKind::MietspiegelMikrodaten
                    ) {
                        n_bestand_vr[vr as usize] += 1;
                    }
                    let ci = vr as usize * classes + class as usize;
                    if f.latest.is_none() {
                        n_without_contract_date += 1;
                        if f.kind == SourceKind::Bestand {
                            cell_undated[ci] += 1;
                        }
                    }
                    cell_len[ci] += 1;
                    if f.flags & BK_WITH_HEATING != 0 {
                        bk_heating[ci] += 1;
                    } else if f.flags & HAS_BK == 0 {
                        bk_missing[ci] += 1;
                    }
                    if let Some(c) = g.ok().and_then(|gi| coverage.get_mut(gi as usize)) {
                        c.n_reference += 1;
                    }
                    cell_of.push(Some(ci));
                }
                RecordStatus::Excluded(reason) => {
                    excluded_counts.add(reason);
                    if reason != Reason::KindNotUsed
                        && let Ok(gi) = g
                        && let Some(&Some(vr)) = gemeinde_vr.get(gi as usize)
                        && let Some(class) = size_class(f.area, &class_bounds)
                    {
                        let ci = vr as usize * classes + class as usize;
                        cell_excluded[ci].add(reason);
                        if reason == Reason::ContractDateMissing {
                            cell_undated[ci] += 1;
                        }
                    }
                    cell_of.push(None);
                }
            }
            status.push(st);
        }

        // Pass 2, NKM/m² order: each cell receives its values already sorted.
        let mut cells: Vec<PreparedCell> = cell_len
            .iter()
            .zip(cell_excluded)
            .zip(cell_undated)
            .map(|((&len, excluded), n_undated)| PreparedCell {
                values: Vec::with_capacity(len),
                records: Vec::with_capacity(len),
                landlord: Vec::with_capacity(len),
                welfare: Vec::with_capacity(len),
                bk: BkValues::default(),
                excluded: excluded.into_map(),
                n_undated,
            })
            .collect();
        for e in &index.by_rent {
            if let Some(cell) = cell_of.get(e.record).and_then(|ci| cells.get_mut(ci)) {
                cell.values.push(from_order_key(e.key));
                cell.records.push(e.record);
                cell.landlord.push(e.landlord);
                cell.welfare.push(e.welfare);
            }
        }

        // Pass 3, kBK/m² order: cells and Vergleichsräume receive their values sorted.
        let mut bk_vr = vec![BkValues::default(); vr_names.len()];
        let plaus = &params.plausibility;
        for e in &index.by_bk {
            let Some(ci) = cell_of.get(e.record) else {
                continue;
            };
            let (Some(cell), Some(vr)) = (cells.get_mut(ci), bk_vr.get_mut(ci / classes.max(1)))
            else {
                continue;
            };
            let v = from_order_key(e.key);
            if plaus.bk_plausible(v) {
                cell.bk.push(v, e.landlord, e.lift);
                vr.push(v, e.landlord, e.lift);
            } else {
                cell.bk.n_implausible += 1;
                vr.n_implausible += 1;
            }
        }
        for (ci, ((cell, missing), heating)) in
            cells.iter_mut().zip(bk_missing).zip(bk_heating).enumerate()
        {
            cell.bk.n_missing = missing;
            cell.bk.n_heating_included = heating;
            if let Some(vr) = bk_vr.get_mut(ci / classes.max(1)) {
                vr.n_missing += missing;
                vr.n_heating_included += heating;
            }
        }

        // The default offer kind is presorted in the index; other kind sets are sorted here.
        let presorted = scope.offer_kinds == kind_bit(SourceKind::Angebot);
        let other_offers: Vec<OfferFacts> = if presorted {
            Vec::new()
        } else {
            offer_candidates
                .iter()
                .filter_map(|&i| {
                    let (r, &g) = (records.get(i as usize)?, index.gemeinde_of.get(i as usize)?);
                    let plz = index.plz_rank.get(i as usize).copied().unwrap_or(0);
                    Some(OfferFacts::of(r, i, g, plz))
                })
                .collect()
        };
        let offers = prepare_offers(
            project,
            &OfferInputs {
                candidates: if presorted {
                    &index.angebote
                } else {
                    &other_offers
                },
                presorted,
                gemeinde_vr: &gemeinde_vr,
                n_vr: n_vr_distinct,
            },
        );
        let gemeinde_of = Arc::clone(&index.assigned);
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
            excluded_counts: excluded_counts.into_map(),
            n_in_cells,
            index,
            levels: OnceLock::new(),
            mietstufen: OnceLock::new(),
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

/// The size class (index into `bounds`) of an area, if inside one.
pub(crate) fn size_class(area: f64, bounds: &[(f64, Option<f64>)]) -> Option<u8> {
    bounds
        .iter()
        .position(|&(lo, hi)| area > lo && hi.is_none_or(|h| area <= h))
        .map(|i| i as u8)
}

/// The Vergleichsraum index of every row of the Gemeinde table (`None`: the row names no known
/// Vergleichsraum). Computed once, so no record looks up a name.
/// Also returns the number of distinct names.
fn gemeinde_vergleichsraum(
    gemeinden: &[GemeindeRow],
    vr_names: &[String],
) -> (Vec<Option<u16>>, usize) {
    let vr_index: HashMap<&str, u16> = vr_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u16))
        .collect();
    let of_gemeinde = gemeinden
        .iter()
        .map(|g| vr_index.get(g.vergleichsraum.as_str()).copied())
        .collect();
    (of_gemeinde, vr_index.len())
}

/// A bit per [`SourceKind`], for sets of kinds.
fn kind_bit(kind: SourceKind) -> u8 {
    1 << (kind as u8)
}

/// The scope rules of the reference stage as bit masks, prepared once per [`Prepared`].
struct ScopeFilter {
    /// [`kind_bit`]s of the reference kinds.
    reference_kinds: u8,
    /// [`kind_bit`]s of the availability kinds.
    offer_kinds: u8,
    /// Flag bits ([`Exclusion::bit`]) of the exclusion rules that are on.
    exclusions: u8,
    window_start: Option<Date>,
    /// Bestandsmieten without any contract date stay in (`scope.include_undated`).
    include_undated: bool,
}

impl ScopeFilter {
    fn new(params: &Parameters, stichtag: Date) -> ScopeFilter {
        let scope: &ScopeParams = &params.scope;
        let bits = |kinds: &[SourceKind]| kinds.iter().fold(0, |m, &k| m | kind_bit(k));
        ScopeFilter {
            reference_kinds: bits(&scope.reference_kinds),
            offer_kinds: bits(&scope.availability_kinds),
            exclusions: Exclusion::excluded_bits(scope),
            window_start: scope
                .contract_window_years
                .map(|y| stichtag.minus_years(y as i32)),
            include_undated: scope.include_undated,
        }
    }

    /// The record's status; `g` is its Gemeinde (or why there is none).
    fn classify(
        &self,
        f: &Facts,
        g: Result<u32, Reason>,
        gemeinde_vr: &[Option<u16>],
        bounds: &[(f64, Option<f64>)],
    ) -> RecordStatus {
        use RecordStatus::Excluded;
        if self.reference_kinds & kind_bit(f.kind) == 0 {
            return Excluded(Reason::KindNotUsed);
        }
        let gi = match g {
            Ok(gi) => gi,
            Err(reason) => return Excluded(reason),
        };
        let Some(&Some(vr)) = gemeinde_vr.get(gi as usize) else {
            return Excluded(Reason::NoVergleichsraum);
        };
        if let Some(reason) = Exclusion::first_reason(f.flags, self.exclusions) {
            return Excluded(reason);
        }
        if let Some(start) = self.window_start {
            match f.latest {
                Some(d) if d < start => return Excluded(Reason::ContractTooOld),
                // Without a date the age cannot be checked (SG Magdeburg, S 14 AS 720/19 WA).
                None if f.kind == SourceKind::Bestand && !self.include_undated => {
                    return Excluded(Reason::ContractDateMissing);
                }
                _ => {}
            }
        }
        match size_class(f.area, bounds) {
            Some(class) => RecordStatus::InCell { vr, class },
            None => Excluded(Reason::OutsideSizeClasses),
        }
    }
}

#[cfg(test)]
mod tests;
