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
use std::hash::{BuildHasherDefault, Hasher};

#[cfg(test)]
mod reference;

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
    /// The values of entries sorted by [`BkEntry::cmp_key`], with the counts of the records
    /// without (plausible) BK.
    fn from_sorted(entries: &[BkEntry], counts: BkCounts) -> BkValues {
        let mut b = BkValues {
            all: Vec::with_capacity(entries.len()),
            all_landlord: Vec::with_capacity(entries.len()),
            n_missing: counts.missing,
            n_implausible: counts.implausible,
            ..BkValues::default()
        };
        // Equal keys are equal values, so the lift groups keep the order of `all`.
        for e in entries {
            let v = from_order_key(e.key);
            b.all.push(v);
            b.all_landlord.push(e.landlord);
            if e.lift {
                b.with_lift.push(v);
            } else {
                b.without_lift.push(v);
            }
        }
        b
    }
}

/// Records of a cell without BK or with implausible BK/m².
#[derive(Debug, Clone, Copy, Default)]
struct BkCounts {
    missing: usize,
    implausible: usize,
}

/// One plausible kBK/m² value while the cells are filled.
#[derive(Debug, Clone, Copy)]
struct BkEntry {
    /// [`order_key`] of the value.
    key: u64,
    landlord: Option<LandlordType>,
    lift: bool,
}

impl BkEntry {
    /// The order of [`BkValues::all`]: value, then landlord type.
    fn cmp_key(&self) -> (u64, Option<LandlordType>) {
        (self.key, self.landlord)
    }
}

/// One record of a cell while the cells are filled: the sort key and what the cell keeps.
#[derive(Debug, Clone, Copy)]
struct CellEntry {
    /// [`order_key`] of NKM/m².
    key: u64,
    /// `(source << 32) | row`: the tie-break of equal values.
    tie: u64,
    record: u32,
    landlord: Option<LandlordType>,
    welfare: bool,
}

/// A `u64` whose unsigned order is the order of [`f64::total_cmp`]; [`from_order_key`] gives
/// the value back bit for bit.
fn order_key(v: f64) -> u64 {
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
    ///
    /// One pass over the records (assignment, scope, cell, BK, counts), then one sort per cell
    /// on precomputed keys. Runs on every scope change (contract window, exclusions, size
    /// classes), so it avoids per-record string hashing and allocation.
    pub fn new(records: &[Record], project: &Project) -> Prepared {
        let key = PrepareKey::of(project);
        let params: &Parameters = &project.parameters;
        let vr_names = key.vr_names.clone();
        let (gemeinde_vr, n_vr_distinct) = gemeinde_vergleichsraum(&project.gemeinden, &vr_names);
        let mut assign = Assigner::new(GemeindeLookup::new(&project.gemeinden));
        let class_bounds = class_bounds(&params.wohnflaechen.sizes, &params.size_classes);
        let classes = class_bounds.len();
        let n_cells = vr_names.len() * classes;
        let scope = ScopeFilter::new(params, project.project.stichtag);
        let plaus = &params.plausibility;
        let bk_range = plaus.bk_per_m2_min..=plaus.bk_per_m2_max;

        let mut found = Vec::with_capacity(records.len());
        let mut status = Vec::with_capacity(records.len());
        let mut coverage = vec![GemeindeCoverage::default(); project.gemeinden.len()];
        let mut entries: Vec<Vec<CellEntry>> = vec![Vec::new(); n_cells];
        let mut bk_entries: Vec<Vec<BkEntry>> = vec![Vec::new(); n_cells];
        let mut bk_counts = vec![BkCounts::default(); n_cells];
        let mut cell_excluded = vec![ReasonCounts::default(); n_cells];
        let mut excluded_counts = ReasonCounts::default();
        let mut offer_candidates = Vec::new();
        let mut n_bestand_vr = vec![0; vr_names.len()];
        let mut n_in_cells = 0;
        let mut n_without_contract_date = 0;

        for (idx, r) in records.iter().enumerate() {
            let g = assign.find(r);
            found.push(g);
            if let Ok(gi) = g
                && let Some(c) = coverage.get_mut(gi as usize)
            {
                c.n_assigned += 1;
                if r.kind == SourceKind::Angebot {
                    c.n_offers += 1;
                }
            }
            if scope.offer_kinds & kind_bit(r.kind) != 0 {
                offer_candidates.push(idx as u32);
            }
            let st = scope.classify(r, g, &gemeinde_vr, &class_bounds);
            match st {
                RecordStatus::InCell { vr, class } => {
                    n_in_cells += 1;
                    if r.kind == SourceKind::Bestand {
                        n_bestand_vr[vr as usize] += 1;
                    }
                    if r.contract_start.is_none() && r.last_rent_change.is_none() {
                        n_without_contract_date += 1;
                    }
                    let ci = vr as usize * classes + class as usize;
                    entries[ci].push(CellEntry {
                        key: order_key(r.net_rent_per_m2()),
                        tie: u64::from(r.source) << 32 | u64::from(r.row),
                        record: idx as u32,
                        landlord: r.landlord_type,
                        welfare: r.welfare == Some(true),
                    });
                    match r.operating_costs_per_m2() {
                        None => bk_counts[ci].missing += 1,
                        Some(v) if !bk_range.contains(&v) => bk_counts[ci].implausible += 1,
                        Some(v) => bk_entries[ci].push(BkEntry {
                            key: order_key(v),
                            landlord: r.landlord_type,
                            lift: r.lift == Some(true),
                        }),
                    }
                    if let Ok(gi) = g
                        && let Some(c) = coverage.get_mut(gi as usize)
                    {
                        c.n_reference += 1;
                    }
                }
                RecordStatus::Excluded(reason) => {
                    excluded_counts.add(reason);
                    if reason != Reason::KindNotUsed
                        && let Ok(gi) = g
                        && let Some(&Some(vr)) = gemeinde_vr.get(gi as usize)
                        && let Some(class) = size_class(r.area, &class_bounds)
                    {
                        cell_excluded[vr as usize * classes + class as usize].add(reason);
                    }
                }
            }
            status.push(st);
        }

        let mut cells = Vec::with_capacity(n_cells);
        for (ci, mut list) in entries.into_iter().enumerate() {
            // Ties broken by (source, row), then input position, so the order never depends on
            // the order of the input files (the same order as a stable sort by (value, source,
            // row)).
            list.sort_unstable_by_key(|e| (e.key, e.tie, e.record));
            let bk = &mut bk_entries[ci];
            bk.sort_unstable_by_key(BkEntry::cmp_key);
            cells.push(PreparedCell {
                values: list.iter().map(|e| from_order_key(e.key)).collect(),
                records: list.iter().map(|e| e.record).collect(),
                landlord: list.iter().map(|e| e.landlord).collect(),
                welfare: list.iter().map(|e| e.welfare).collect(),
                bk: BkValues::from_sorted(bk, bk_counts[ci]),
                excluded: std::mem::take(&mut cell_excluded[ci]).into_map(),
            });
        }
        // kBK per Vergleichsraum: the union of its cells, whose lists are sorted already (the
        // stable sort merges the runs).
        let bk_vr = (0..vr_names.len())
            .map(|vr| {
                let range = vr * classes..(vr + 1) * classes;
                let mut merged: Vec<BkEntry> = bk_entries[range.clone()].concat();
                merged.sort_by_key(BkEntry::cmp_key);
                let counts = bk_counts[range]
                    .iter()
                    .fold(BkCounts::default(), |a, c| BkCounts {
                        missing: a.missing + c.missing,
                        implausible: a.implausible + c.implausible,
                    });
                BkValues::from_sorted(&merged, counts)
            })
            .collect();
        let offers = prepare_offers(
            records,
            project,
            &offer_candidates,
            &found,
            &gemeinde_vr,
            n_vr_distinct,
        );
        let gemeinde_of = found.iter().map(|g| g.ok()).collect();
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

/// The scope rules of the reference stage, prepared once per [`Prepared::new`].
struct ScopeFilter<'a> {
    /// [`kind_bit`]s of the reference kinds.
    reference_kinds: u8,
    /// [`kind_bit`]s of the availability kinds.
    offer_kinds: u8,
    scope: &'a ScopeParams,
    window_start: Option<Date>,
}

impl<'a> ScopeFilter<'a> {
    fn new(params: &'a Parameters, stichtag: Date) -> ScopeFilter<'a> {
        let scope = &params.scope;
        let bits = |kinds: &[SourceKind]| kinds.iter().fold(0, |m, &k| m | kind_bit(k));
        ScopeFilter {
            reference_kinds: bits(&scope.reference_kinds),
            offer_kinds: bits(&scope.availability_kinds),
            scope,
            window_start: scope
                .contract_window_years
                .map(|y| stichtag.minus_years(y as i32)),
        }
    }

    /// The record's status; `g` is its Gemeinde (or why there is none).
    fn classify(
        &self,
        r: &Record,
        g: Result<u32, Reason>,
        gemeinde_vr: &[Option<u16>],
        bounds: &[(f64, Option<f64>)],
    ) -> RecordStatus {
        use RecordStatus::Excluded;
        if self.reference_kinds & kind_bit(r.kind) == 0 {
            return Excluded(Reason::KindNotUsed);
        }
        let gi = match g {
            Ok(gi) => gi,
            Err(reason) => return Excluded(reason),
        };
        let Some(&Some(vr)) = gemeinde_vr.get(gi as usize) else {
            return Excluded(Reason::NoVergleichsraum);
        };
        let scope = self.scope;
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
        if let Some(start) = self.window_start {
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
}

/// A fast hasher for the short keys of the assignment (AGS, names): FxHash's mixing step.
/// The keys come from the user's own files, so hash flooding is no concern here; SipHash of the
/// AGS string was ≈ 15 % of `Prepared::new`.
#[derive(Debug, Clone, Copy, Default)]
struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A record's AGS, Gemeinde and Ortsteil texts.
type PlaceText<'r> = (Option<&'r str>, Option<&'r str>, Option<&'r str>);

/// [`GemeindeLookup::find`] for many records: the AGS is looked up directly; the slower name
/// rules (normalisation allocates) run once per distinct (AGS, Gemeinde, Ortsteil) text.
struct Assigner<'r> {
    lookup: GemeindeLookup,
    by_text: FastMap<PlaceText<'r>, Result<u32, Reason>>,
}

impl<'r> Assigner<'r> {
    fn new(lookup: GemeindeLookup) -> Assigner<'r> {
        Assigner {
            lookup,
            by_text: FastMap::default(),
        }
    }

    fn find(&mut self, r: &'r Record) -> Result<u32, Reason> {
        if let Some(ags) = &r.ags
            && let Some(&i) = self.lookup.by_ags.get(ags.as_str())
        {
            return Ok(i);
        }
        let text = (
            r.ags.as_deref(),
            r.gemeinde.as_deref(),
            r.ortsteil.as_deref(),
        );
        if let Some(&g) = self.by_text.get(&text) {
            return g;
        }
        let g = self.lookup.find(r);
        self.by_text.insert(text, g);
        g
    }
}

/// Assigns records to rows of the Gemeinde table: by AGS, else by normalised name, else by the
/// record's Ortsteil (city concepts whose table lists Stadtbezirke), exactly or by a unique first
/// word ("Aubing-Lochhausen-Langwied" → "Aubing").
pub struct GemeindeLookup {
    by_ags: FastMap<String, u32>,
    by_name: FastMap<String, u32>,
    by_first_word: FastMap<String, Option<u32>>,
}

impl GemeindeLookup {
    /// Builds the lookup.
    pub fn new(gemeinden: &[GemeindeRow]) -> GemeindeLookup {
        let mut by_ags = FastMap::default();
        let mut by_name = FastMap::default();
        let mut by_first_word = FastMap::default();
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
            && let Some(&i) = self.by_ags.get(ags.as_str())
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
    use crate::model::VergleichsraumSpec;
    use crate::model::params::HeatingIncludedOffers;

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

    #[test]
    fn order_keys_follow_total_cmp() {
        let values = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            1.0,
            7.25,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in values {
            assert_eq!(from_order_key(order_key(a)).to_bits(), a.to_bits());
            for b in values {
                assert_eq!(order_key(a).cmp(&order_key(b)), a.total_cmp(&b), "{a} {b}");
            }
        }
    }

    /// Deterministic pseudo-random numbers (splitmix64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = self.0;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn pick<T: Clone>(&mut self, items: &[T]) -> T {
            items[self.below(items.len() as u64) as usize].clone()
        }

        fn maybe_bool(&mut self) -> Option<bool> {
            self.pick(&[None, None, None, Some(false), Some(true)])
        }
    }

    fn gemeinde(ags: &str, name: &str, vr: &str) -> GemeindeRow {
        GemeindeRow {
            ags: ags.into(),
            name: name.into(),
            vergleichsraum: vr.into(),
            einwohner: None,
            mietwohnungen: None,
            mietstufe: None,
        }
    }

    /// A project with awkward Gemeinde rows (no AGS, duplicate AGS, no Vergleichsraum,
    /// Stadtbezirke) and scope parameters drawn from `rng`.
    fn random_project(rng: &mut Rng) -> Project {
        let mut p = Project::new("t", Date::from_ymd(2025, 1, 1).unwrap());
        p.vergleichsraeume = ["Nord", "Süd", "Leer"]
            .iter()
            .map(|n| VergleichsraumSpec {
                name: n.to_string(),
                begruendung: String::new(),
                ohne_konzept: false,
            })
            .collect();
        p.gemeinden = vec![
            gemeinde("01001000", "Stadt Nordhausen", "Nord"),
            gemeinde("1001001", "Nordheim", "Nord"),
            gemeinde("01001002", "Südstadt", "Süd"),
            gemeinde("01001002", "Südstadt Doppelt", "Süd"),
            gemeinde("", "Aubing", "Süd"),
            gemeinde("01001004", "Ohnraum", ""),
            gemeinde("01001005", "Westdorf", "West"),
        ];
        let q = &mut p.parameters;
        q.scope.contract_window_years = rng.pick(&[None, Some(2), Some(4), Some(10)]);
        q.scope.exclude_furnished = rng.below(2) == 0;
        q.scope.exclude_subsidised = rng.below(2) == 0;
        q.scope.exclude_company_flats = rng.below(2) == 0;
        q.scope.exclude_dormitories = rng.below(2) == 0;
        q.scope.exclude_favour_rents = rng.below(2) == 0;
        q.scope.exclude_substandard = rng.below(2) == 0;
        q.scope.reference_kinds = rng.pick(&[
            vec![SourceKind::Bestand, SourceKind::Neuvertrag],
            vec![SourceKind::Bestand],
            vec![SourceKind::Angebot, SourceKind::Bestand],
        ]);
        q.scope.availability_kinds = rng.pick(&[
            vec![SourceKind::Angebot],
            vec![SourceKind::Angebot, SourceKind::Neuvertrag],
            vec![],
        ]);
        q.wohnflaechen.sizes = rng.pick(&[
            vec![50.0, 60.0, 75.0, 85.0, 95.0],
            vec![45.0, 60.0],
            vec![40.0, 55.0, 70.0],
        ]);
        q.size_classes.open_top = rng.below(2) == 0;
        q.size_classes.lower_bound = rng.pick(&[None, Some(20.0)]);
        q.availability.window_months = rng.pick(&[None, Some(12), Some(24)]);
        q.availability.dedup = rng.below(3) > 0;
        q.availability.heating_included =
            rng.pick(&[HeatingIncludedOffers::Split, HeatingIncludedOffers::Exclude]);
        p
    }

    /// Records with every case of the assignment and scope rules, many equal values (ties
    /// across sources and rows, duplicate rows) and offers that duplicate each other.
    fn random_records(rng: &mut Rng, n: usize) -> Vec<Record> {
        let kinds = SourceKind::ALL;
        let areas = [
            20.0, 25.0, 40.0, 45.0, 45.5, 50.0, 55.0, 60.0, 60.01, 75.0, 95.0, 120.0,
        ];
        let rents = [300.0, 333.0, 400.0, 450.0, 500.0, 612.5];
        (0..n)
            .map(|i| {
                let kind = rng.pick(&kinds);
                let area = if rng.below(4) == 0 {
                    rng.pick(&areas)
                } else {
                    20.0 + rng.below(10_000) as f64 / 100.0
                };
                let rent = if rng.below(3) == 0 {
                    rng.pick(&rents)
                } else {
                    area * (4.0 + rng.below(800) as f64 / 100.0)
                };
                let row = if rng.below(20) == 0 { 7 } else { 2 + i as u32 };
                let mut r = Record::new(rng.below(3) as u16, row, kind, rent, area);
                let place = rng.below(12);
                (r.ags, r.gemeinde, r.ortsteil) = match place {
                    0 => (Some("01001000".into()), None, None),
                    1 => (Some("01001001".into()), Some("Nordheim".into()), None),
                    2 => (Some("01001002".into()), None, None),
                    3 => (Some("09999999".into()), Some("Nordheim".into()), None),
                    4 => (None, Some("Nordhausen, Stadt".into()), None),
                    5 => (None, Some("SÜDSTADT".into()), None),
                    6 => (None, None, Some("Aubing-Lochhausen".into())),
                    7 => (None, Some("Irgendwo".into()), None),
                    8 => (None, None, None),
                    9 => (Some("01001004".into()), None, None),
                    10 => (Some("01001005".into()), None, None),
                    _ => (None, Some("Stadt".into()), Some("Aubing".into())),
                };
                r.plz = rng.pick(&[None, Some("12345".to_string()), Some("54321".into())]);
                r.operating_costs = match rng.below(6) {
                    0 => None,
                    1 => Some(area * 9.0),
                    2 => Some(area * 2.0),
                    _ => Some(area * (0.5 + rng.below(300) as f64 / 100.0)),
                };
                r.heating_included = rng.maybe_bool();
                let date = |rng: &mut Rng| {
                    Date::from_ymd(2015 + rng.below(11) as i32, 1 + rng.below(12) as u32, 1)
                };
                r.contract_start = if rng.below(3) == 0 { None } else { date(rng) };
                r.last_rent_change = if rng.below(2) == 0 { None } else { date(rng) };
                r.offer_date = match rng.below(4) {
                    0 => None,
                    1 => Date::from_ymd(2025, 6, 1),
                    _ => Date::from_ymd(2023 + rng.below(2) as i32, 1 + rng.below(12) as u32, 1),
                };
                r.landlord_type = rng.pick(&[
                    None,
                    Some(LandlordType::Privat),
                    Some(LandlordType::Institutionell),
                ]);
                r.lift = rng.maybe_bool();
                r.welfare = rng.maybe_bool();
                for flag in [
                    &mut r.furnished,
                    &mut r.subsidised,
                    &mut r.company_flat,
                    &mut r.dormitory,
                    &mut r.favour_rent,
                    &mut r.substandard,
                ] {
                    *flag = if rng.below(15) == 0 {
                        Some(true)
                    } else {
                        rng.pick(&[None, Some(false)])
                    };
                }
                r
            })
            .collect()
    }

    /// The fast `Prepared::new` gives exactly the reference's result (the first, plain
    /// implementation): same statuses, cells, values bit for bit, BK, coverage, offers, counts.
    #[test]
    fn same_as_reference() {
        let mut rng = Rng(4711);
        for round in 0..60 {
            let project = random_project(&mut rng);
            let n = [0, 1, 17, 400, 3_000][round % 5];
            let records = random_records(&mut rng, n);
            let fast = Prepared::new(&records, &project);
            let slow = reference::prepared(&records, &project);
            // `Debug` prints every f64 in its shortest round-trip form, so equal texts mean
            // bit-identical values.
            assert_eq!(
                format!("{fast:#?}"),
                format!("{slow:#?}"),
                "round {round}, {n} records"
            );
            assert!(fast.n_in_cells > 0 || n < 100, "round {round}: empty cells");
        }
    }
}
