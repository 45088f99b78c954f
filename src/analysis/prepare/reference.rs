//! The straightforward first version of [`Prepared::new`](super::Prepared::new), kept
//! unchanged as the reference of the equivalence test: one pass with a SipHash lookup of the AGS
//! string and of the Vergleichsraum name per record, stable sorts with ties looked up in the
//! records. The fast version must give the same `Prepared` bit for bit.

use super::{
    BkValues, GemeindeCoverage, Prepared, PreparedCell, RecordStatus, class_bounds, normalize_name,
    size_class,
};
use crate::analysis::availability::{Offer, PreparedOffers};
use crate::model::params::{
    AvailabilityParams, HeatingIncludedOffers, Parameters, PlausibilityParams, ScopeParams,
};
use crate::model::{Date, GemeindeRow, LandlordType, Project, Reason, Record, SourceKind};
use std::collections::{BTreeMap, HashMap};

/// The reference result of [`Prepared::new`](super::Prepared::new).
pub fn prepared(records: &[Record], project: &Project) -> Prepared {
    let key = super::PrepareKey::of(project);
    let params: &Parameters = &project.parameters;
    let vr_names = key.vr_names.clone();
    let vr_index: HashMap<&str, u16> = vr_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u16))
        .collect();
    let lookup = Lookup::new(&project.gemeinden);
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
        let undated = r.contract_start.is_none() && r.last_rent_change.is_none();
        if let RecordStatus::InCell { vr, class } = st {
            let ci = vr as usize * classes + class as usize;
            if undated {
                n_without_contract_date += 1;
                if r.kind == SourceKind::Bestand {
                    cells[ci].n_undated += 1;
                }
            }
            cell_pairs[ci].push((r.net_rent_per_m2(), idx as u32));
            bk_push(&mut cells[ci].bk, r, &params.plausibility);
            bk_push(&mut bk_vr[vr as usize], r, &params.plausibility);
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
            if reason == Reason::ContractDateMissing {
                cells[ci].n_undated += 1;
            }
        }
        status.push(st);
    }
    let welfare = super::index::WelfareReader::new(records);
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
            .map(|p| {
                let r = &records[p.1 as usize];
                welfare.of(r)
            })
            .collect();
        bk_sort(&mut cell.bk);
    }
    for b in &mut bk_vr {
        bk_sort(b);
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
            && matches!(
                r.kind,
                SourceKind::Bestand | SourceKind::MietspiegelMikrodaten
            )
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
        gemeinde_of: gemeinde_of.into(),
        cells,
        bk_vr,
        coverage,
        n_without_contract_date,
        offers,
        n_bestand_vr,
        excluded_counts,
        n_in_cells,
        index: std::sync::Arc::new(super::RecordIndex::new(records, &project.gemeinden)),
        levels: std::sync::OnceLock::new(),
        mietstufen: std::sync::OnceLock::new(),
    }
}

fn bk_push(b: &mut BkValues, r: &Record, plaus: &PlausibilityParams) {
    match r.operating_costs_per_m2() {
        None => b.n_missing += 1,
        Some(_) if r.heating_included == Some(true) => b.n_heating_included += 1,
        Some(v) if !plaus.bk_plausible(v) => b.n_implausible += 1,
        Some(v) => {
            b.all.push(v);
            b.all_landlord.push(r.landlord_type);
            if r.lift == Some(true) {
                b.with_lift.push(v);
                b.with_lift_landlord.push(r.landlord_type);
            } else {
                b.without_lift.push(v);
                b.without_lift_landlord.push(r.landlord_type);
            }
        }
    }
}

fn bk_sort(bk: &mut BkValues) {
    fn sort(values: &mut Vec<f64>, landlord: &mut Vec<Option<LandlordType>>) {
        let mut pairs: Vec<(f64, Option<LandlordType>)> = values
            .iter()
            .copied()
            .zip(landlord.iter().copied())
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *values = pairs.iter().map(|p| p.0).collect();
        *landlord = pairs.iter().map(|p| p.1).collect();
    }
    sort(&mut bk.all, &mut bk.all_landlord);
    sort(&mut bk.without_lift, &mut bk.without_lift_landlord);
    sort(&mut bk.with_lift, &mut bk.with_lift_landlord);
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
    if let Some(reason) = scope_exclusion(r, scope) {
        return Excluded(reason);
    }
    if let Some(start) = window_start {
        let latest = match (r.contract_start, r.last_rent_change) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if latest.is_some_and(|d| d < start) {
            return Excluded(Reason::ContractTooOld);
        }
        if latest.is_none() && r.kind == SourceKind::Bestand && !scope.include_undated {
            return Excluded(Reason::ContractDateMissing);
        }
    }
    match size_class(r.area, bounds) {
        Some(class) => RecordStatus::InCell { vr, class },
        None => Excluded(Reason::OutsideSizeClasses),
    }
}

/// The first scope exclusion that applies to the record.
fn scope_exclusion(r: &Record, scope: &ScopeParams) -> Option<Reason> {
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
    flags
        .iter()
        .find(|(on, v, _)| *on && *v == Some(true))
        .map(|(_, _, reason)| *reason)
}

/// Assigns records to rows of the Gemeinde table: by AGS, else by normalised name, else by the
/// record's Ortsteil (city concepts whose table lists Stadtbezirke), exactly or by a unique first
/// word ("Aubing-Lochhausen-Langwied" → "Aubing").
struct Lookup {
    by_ags: HashMap<String, u32>,
    by_name: HashMap<String, u32>,
    by_first_word: HashMap<String, Option<u32>>,
}

impl Lookup {
    /// Builds the lookup.
    fn new(gemeinden: &[GemeindeRow]) -> Lookup {
        let mut by_ags = HashMap::new();
        let mut by_name = HashMap::new();
        let mut by_first_word = HashMap::new();
        for (i, g) in gemeinden.iter().enumerate() {
            let ags = crate::model::Ags::normalise_text(&g.ags);
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
        Lookup {
            by_ags,
            by_name,
            by_first_word,
        }
    }

    /// The Gemeinde of a record, or why there is none.
    fn find(&self, r: &Record) -> Result<u32, Reason> {
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

/// Filters the offers of the availability stage.
fn prepare_offers(
    records: &[Record],
    project: &Project,
    gemeinde_of: &[Result<u32, Reason>],
    vr_index: &HashMap<&str, u16>,
) -> PreparedOffers {
    let p = &project.parameters;
    let a = &p.availability;
    let stichtag = project.project.stichtag;
    let window_start: Option<Date> = a.window_months.map(|m| stichtag.minus_months(m as i32));
    let mut out = PreparedOffers {
        by_vr: vec![Vec::new(); vr_index.len()],
        excluded: Vec::new(),
    };
    let mut candidates: Vec<Offer> = Vec::new();
    for (idx, r) in records.iter().enumerate() {
        if !p.scope.availability_kinds.contains(&r.kind) {
            continue;
        }
        let idx = idx as u32;
        let gemeinde = match gemeinde_of[idx as usize] {
            Ok(g) => g,
            Err(reason) => {
                out.excluded.push((idx, reason));
                continue;
            }
        };
        let Some(&vr) = project
            .gemeinden
            .get(gemeinde as usize)
            .and_then(|g| vr_index.get(g.vergleichsraum.as_str()))
        else {
            out.excluded.push((idx, Reason::NoVergleichsraum));
            continue;
        };
        if let Some(reason) = scope_exclusion(r, &p.scope) {
            out.excluded.push((idx, reason));
            continue;
        }
        if let Some(start) = window_start {
            match r.offer_date {
                None => {
                    out.excluded.push((idx, Reason::OfferDateMissing));
                    continue;
                }
                Some(d) if d < start || d > stichtag => {
                    out.excluded.push((idx, Reason::OfferOutsideWindow));
                    continue;
                }
                Some(_) => {}
            }
        }
        let heating_included = r.heating_included == Some(true);
        if heating_included && a.heating_included == HeatingIncludedOffers::Exclude {
            out.excluded.push((idx, Reason::OfferHeatingIncluded));
            continue;
        }
        candidates.push(Offer {
            record: idx,
            vr,
            gemeinde,
            area: r.area,
            net_rent: r.net_rent,
            operating_costs: r.operating_costs,
            heating_included,
        });
    }
    let kept = if a.dedup {
        dedup(candidates, records, a, &mut out.excluded)
    } else {
        candidates
    };
    for o in kept {
        out.by_vr[o.vr as usize].push(o);
    }
    out.excluded.sort_unstable();
    out
}

/// Drops duplicates: same Gemeinde (and PLZ where given), area within ± tolerance, rent within
/// ± share. The first offer in the order (date, source, row) is kept.
fn dedup(
    offers: Vec<Offer>,
    records: &[Record],
    a: &AvailabilityParams,
    excluded: &mut Vec<(u32, Reason)>,
) -> Vec<Offer> {
    // Group key (Gemeinde, PLZ) computed once per offer; PLZ texts become small integers.
    let mut plz_ids: HashMap<&str, u32> = HashMap::new();
    let mut keyed: Vec<((u32, u32), Offer)> = offers
        .into_iter()
        .map(|o| {
            let plz = records[o.record as usize].plz.as_deref().unwrap_or("");
            let next = plz_ids.len() as u32;
            let id = *plz_ids.entry(plz).or_insert(next);
            ((o.gemeinde, id), o)
        })
        .collect();
    // PLZ ids depend on input order; sort groups by the PLZ text to stay order independent.
    let mut plz_text: Vec<&str> = vec![""; plz_ids.len()];
    for (t, id) in &plz_ids {
        plz_text[*id as usize] = t;
    }
    keyed.sort_by(|(kx, x), (ky, y)| {
        let (rx, ry) = (&records[x.record as usize], &records[y.record as usize]);
        (kx.0, plz_text[kx.1 as usize])
            .cmp(&(ky.0, plz_text[ky.1 as usize]))
            .then(x.area.total_cmp(&y.area))
            .then((rx.offer_date, rx.source, rx.row).cmp(&(ry.offer_date, ry.source, ry.row)))
    });
    let mut kept: Vec<Offer> = Vec::with_capacity(keyed.len());
    let mut group: Option<(u32, u32)> = None;
    let mut group_start = 0;
    for (key, o) in keyed {
        if group != Some(key) {
            group = Some(key);
            group_start = kept.len();
        }
        // Candidates are sorted by area: only the tail within the area tolerance can match.
        let duplicate = kept[group_start..]
            .iter()
            .rev()
            .take_while(|k| o.area - k.area <= a.dedup_area_m2)
            .any(|k| {
                (o.net_rent - k.net_rent).abs() <= a.dedup_rent_share * k.net_rent.max(o.net_rent)
            });
        if duplicate {
            excluded.push((o.record, Reason::OfferDuplicate));
        } else {
            kept.push(o);
        }
    }
    kept
}
