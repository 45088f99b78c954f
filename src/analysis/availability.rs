//! Verfügbarkeitsprüfung and iterative procedure (docs/METHOD.md §2.8 G1, §2.11).
//!
//! Offers (default: Angebotsmieten) are filtered once in [`prepare_offers`] (the scope exclusions
//! of the Untersuchungsgegenstand, window before the Stichtag, duplicates, heating in the
//! Nebenkosten); [`Availability`] then answers "how many
//! offers are affordable at this limit" with two binary searches, so the iteration and the
//! availability curve stay cheap on every parameter change.

use super::prepare::order_key;
use crate::model::params::{AvailabilityParams, HeatingIncludedOffers};
use crate::model::{Date, Exclusion, Project, Reason, Record};
use serde::Serialize;
use std::collections::BTreeMap;

/// One offer that passed the availability scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Record index.
    pub record: u32,
    /// Vergleichsraum index.
    pub vr: u16,
    /// Gemeinde index.
    pub gemeinde: u32,
    /// Wohnfläche.
    pub area: f64,
    /// Nettokaltmiete €.
    pub net_rent: f64,
    /// Kalte BK € (None: unknown).
    pub operating_costs: Option<f64>,
    /// The Nebenkosten include heating (split with the abstract BK).
    pub heating_included: bool,
}

impl Offer {
    /// The offer's kalte BK € as compared with a limit: its own, or where its Nebenkosten
    /// include heating at most the abstract BK (`bk_per_m2` × area); `None` when unknown.
    pub fn cold_operating_costs(&self, bk_per_m2: Option<f64>) -> Option<f64> {
        match (self.operating_costs, self.heating_included, bk_per_m2) {
            (Some(nk), true, Some(b)) => Some(nk.min(b * self.area)),
            (Some(_), true, None) => None,
            (bk, _, _) => bk,
        }
    }
}

/// Offers after scope, per Vergleichsraum, plus the exclusions with reasons. Every record of an
/// availability kind is in exactly one of the two.
#[derive(Debug, Clone, Default)]
pub struct PreparedOffers {
    /// Offers per Vergleichsraum.
    pub by_vr: Vec<Vec<Offer>>,
    /// Excluded offers: (record index, reason), sorted.
    pub excluded: Vec<(u32, Reason)>,
}

impl PreparedOffers {
    /// Offers that entered the availability check.
    pub fn n_kept(&self) -> usize {
        self.by_vr.iter().map(Vec::len).sum()
    }

    /// Records of the availability kinds: kept plus excluded.
    pub fn n_candidates(&self) -> usize {
        self.n_kept() + self.excluded.len()
    }

    /// Excluded offers counted by reason.
    pub fn excluded_by_reason(&self) -> BTreeMap<Reason, usize> {
        let mut m = BTreeMap::new();
        for (_, reason) in &self.excluded {
            *m.entry(*reason).or_insert(0) += 1;
        }
        m
    }

    /// The offers were excluded wholesale: the data hold offers, but not one of them entered
    /// the availability check (e.g. all without date or all outside the window), so the check
    /// silently has nothing to count. Returns the exclusions by reason; `None` when at least one
    /// offer is used or there are no offers at all.
    pub fn wholesale_excluded(&self) -> Option<BTreeMap<Reason, usize>> {
        (self.n_kept() == 0 && !self.excluded.is_empty()).then(|| self.excluded_by_reason())
    }
}

/// The order of offers for the de-duplication: Gemeinde, PLZ rank, area (as an order key), offer
/// date, source, row, record index.
pub type DedupOrder = (u32, u32, u64, Option<Date>, u16, u32, u32);

/// What the offer scope tests of one record, and its place in the de-duplication order.
#[derive(Debug, Clone, Copy)]
pub struct OfferFacts {
    /// Record index.
    pub record: u32,
    /// Gemeinde, or why there is none.
    pub gemeinde: Result<u32, Reason>,
    /// Rank of the PLZ text (missing = "") among all PLZ texts of the dataset.
    pub plz_rank: u32,
    /// Source index.
    pub source: u16,
    /// Row.
    pub row: u32,
    /// Wohnfläche.
    pub area: f64,
    /// Nettokaltmiete €.
    pub net_rent: f64,
    /// Kalte BK € (None: unknown).
    pub operating_costs: Option<f64>,
    /// Offer date.
    pub offer_date: Option<Date>,
    /// The Nebenkosten include heating.
    pub heating_included: bool,
    /// [`Exclusion::bit`]s of the kinds of flat the record is (möbliert, gefördert, …).
    pub flags: u8,
}

impl OfferFacts {
    /// The facts of record `idx`.
    pub fn of(r: &Record, idx: u32, gemeinde: Result<u32, Reason>, plz_rank: u32) -> OfferFacts {
        OfferFacts {
            record: idx,
            gemeinde,
            plz_rank,
            source: r.source,
            row: r.row,
            area: r.area,
            net_rent: r.net_rent,
            operating_costs: r.operating_costs,
            offer_date: r.offer_date,
            heating_included: r.heating_included == Some(true),
            flags: Exclusion::flags_of(r),
        }
    }

    /// The de-duplication order: group (Gemeinde, PLZ text), then area, offer date, source,
    /// row; the record index last makes an unstable sort give the order of a stable one.
    pub fn dedup_order(&self) -> DedupOrder {
        (
            self.gemeinde.unwrap_or(u32::MAX),
            self.plz_rank,
            order_key(self.area),
            self.offer_date,
            self.source,
            self.row,
            self.record,
        )
    }
}

/// What [`prepare_offers`] needs besides the parameters, from the record index and the scope.
#[derive(Debug, Clone, Copy)]
pub struct OfferInputs<'a> {
    /// The records of an availability kind in record order, or (`presorted`) in
    /// [`OfferFacts::dedup_order`].
    pub candidates: &'a [OfferFacts],
    /// `candidates` are in de-duplication order.
    pub presorted: bool,
    /// The Vergleichsraum index (below `n_vr`) of every Gemeinde, `None` where it has none.
    pub gemeinde_vr: &'a [Option<u16>],
    /// Number of Vergleichsräume.
    pub n_vr: usize,
}

/// Filters the offers of the availability stage: Gemeinde and Vergleichsraum, the scope
/// exclusions of the Untersuchungsgegenstand (the same as for the Referenzmiete, docs/METHOD.md
/// §2.5), the window before the Stichtag, heating in the Nebenkosten, duplicates. Every
/// candidate ends as an offer or as an exclusion with its reason.
pub fn prepare_offers(project: &Project, inputs: &OfferInputs<'_>) -> PreparedOffers {
    let OfferInputs {
        candidates,
        presorted,
        gemeinde_vr,
        n_vr,
    } = *inputs;
    let p = &project.parameters;
    let a = &p.availability;
    let stichtag = project.project.stichtag;
    let window_start: Option<Date> = a.window_months.map(|m| stichtag.minus_months(m as i32));
    let excluded_kinds = Exclusion::excluded_bits(&p.scope);
    let mut out = PreparedOffers {
        by_vr: vec![Vec::new(); n_vr],
        excluded: Vec::new(),
    };
    let mut kept: Vec<(DedupOrder, Offer)> = Vec::new();
    for f in candidates {
        let idx = f.record;
        let gemeinde = match f.gemeinde {
            Ok(g) => g,
            Err(reason) => {
                out.excluded.push((idx, reason));
                continue;
            }
        };
        let Some(&Some(vr)) = gemeinde_vr.get(gemeinde as usize) else {
            out.excluded.push((idx, Reason::NoVergleichsraum));
            continue;
        };
        if let Some(reason) = Exclusion::first_reason(f.flags, excluded_kinds) {
            out.excluded.push((idx, reason));
            continue;
        }
        if let Some(start) = window_start {
            match f.offer_date {
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
        if f.heating_included && a.heating_included == HeatingIncludedOffers::Exclude {
            out.excluded.push((idx, Reason::OfferHeatingIncluded));
            continue;
        }
        kept.push((
            f.dedup_order(),
            Offer {
                record: idx,
                vr,
                gemeinde,
                area: f.area,
                net_rent: f.net_rent,
                operating_costs: f.operating_costs,
                heating_included: f.heating_included,
            },
        ));
    }
    let kept = if a.dedup {
        if !presorted {
            kept.sort_unstable_by_key(|(order, _)| *order);
        }
        dedup(kept, a, &mut out.excluded)
    } else {
        if presorted {
            kept.sort_unstable_by_key(|(_, o)| o.record);
        }
        kept.into_iter().map(|(_, o)| o).collect()
    };
    for o in kept {
        out.by_vr[o.vr as usize].push(o);
    }
    out.excluded.sort_unstable();
    out
}

/// Drops duplicates: same Gemeinde (and PLZ where given), area within ± tolerance, rent within
/// ± share. The first offer in the order (date, source, row) is kept. `offers` are sorted by
/// their [`OfferFacts::dedup_order`].
fn dedup(
    offers: Vec<(DedupOrder, Offer)>,
    a: &AvailabilityParams,
    excluded: &mut Vec<(u32, Reason)>,
) -> Vec<Offer> {
    let mut kept: Vec<Offer> = Vec::with_capacity(offers.len());
    let mut group: Option<(u32, u32)> = None;
    let mut group_start = 0;
    for (order, o) in offers {
        let key = (order.0, order.1);
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

/// Offers of one cell ready for counting at any limit.
#[derive(Debug, Clone, Default)]
pub struct Availability {
    /// Bruttokaltmiete of offers with known BK, ascending.
    gross: Vec<(f64, u32)>,
    /// Nettokaltmiete of offers without BK, ascending.
    net_only: Vec<(f64, u32)>,
    /// Nettokaltmiete of all offers, ascending (used when no abstract BK value exists).
    all_net: Vec<(f64, u32)>,
}

impl Availability {
    /// Builds the cell's offers: those of `vr` whose area lies in `(lower, upper]` (or above
    /// `lower` under the Produkttheorie), with heating-included Nebenkosten split at `bk_per_m2`.
    pub fn new(
        offers: &[Offer],
        lower: f64,
        upper: Option<f64>,
        produkttheorie: bool,
        bk_per_m2: Option<f64>,
    ) -> Availability {
        let mut gross = Vec::new();
        let mut net_only = Vec::new();
        let mut all_net = Vec::new();
        for o in offers {
            let in_class = o.area > lower && (produkttheorie || upper.is_none_or(|u| o.area <= u));
            if !in_class {
                continue;
            }
            all_net.push((o.net_rent, o.gemeinde));
            match o.cold_operating_costs(bk_per_m2) {
                Some(b) => gross.push((o.net_rent + b, o.gemeinde)),
                None => net_only.push((o.net_rent, o.gemeinde)),
            }
        }
        gross.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        net_only.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all_net.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Availability {
            gross,
            net_only,
            all_net,
        }
    }

    /// Offers in the cell.
    pub fn n(&self) -> usize {
        self.gross.len() + self.net_only.len()
    }

    /// Offers affordable at the limits: Bruttokaltmiete ≤ gross limit, or NKM ≤ NKM limit where
    /// the offer's BK are unknown. Without a gross limit (no abstract BK value) every offer is
    /// compared by its NKM.
    pub fn affordable(&self, net_limit: f64, gross_limit: Option<f64>) -> usize {
        match gross_limit {
            Some(g) => {
                self.gross.partition_point(|x| x.0 <= g)
                    + self.net_only.partition_point(|x| x.0 <= net_limit)
            }
            None => self.all_net.partition_point(|x| x.0 <= net_limit),
        }
    }

    /// Affordable offers per Gemeinde index, and all offers per Gemeinde index.
    pub fn by_gemeinde(
        &self,
        net_limit: f64,
        gross_limit: Option<f64>,
    ) -> (BTreeMap<u32, usize>, BTreeMap<u32, usize>) {
        let mut affordable = BTreeMap::new();
        let mut all = BTreeMap::new();
        let lists: Vec<(&Vec<(f64, u32)>, f64)> = match gross_limit {
            Some(g) => vec![(&self.gross, g), (&self.net_only, net_limit)],
            None => vec![(&self.all_net, net_limit)],
        };
        for (list, limit) in lists {
            for (v, g) in list.iter() {
                *all.entry(*g).or_insert(0) += 1;
                if *v <= limit {
                    *affordable.entry(*g).or_insert(0) += 1;
                }
            }
        }
        (affordable, all)
    }
}

/// One step of the iterative procedure (BSG K8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IterationStep {
    /// Percentile.
    pub p: f64,
    /// NKM €/m² at p (as used for the limit).
    pub net_rent_per_m2: f64,
    /// Nettokaltmiete limit at p.
    pub limit_net_cold: f64,
    /// Bruttokaltmiete limit at p (None without a BK value).
    pub limit_gross_cold: Option<f64>,
    /// Affordable offers.
    pub n_affordable: usize,
    /// Share of affordable offers.
    pub share: f64,
}

/// The availability result of one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvailabilityResult {
    /// Offers in the cell.
    pub n_offers: usize,
    /// Affordable offers at the final limit.
    pub n_affordable: usize,
    /// Share of affordable offers (None without offers).
    pub share: Option<f64>,
    /// Target share.
    pub target_share: f64,
    /// Affordable offers per Gemeinde name.
    pub by_gemeinde: BTreeMap<String, usize>,
    /// Offers per Gemeinde name.
    pub offers_by_gemeinde: BTreeMap<String, usize>,
    /// Iteration log (empty unless the iterative method is used).
    pub iteration: Vec<IterationStep>,
    /// The iteration reached the target.
    pub target_reached: bool,
    /// Availability curve: (p, share) for p = 0,05 … 0,95.
    pub curve: Vec<(f64, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GemeindeRow, SourceKind};

    fn offer(row: u32, area: f64, rent: f64, date: (i32, u32, u32)) -> Record {
        let mut r = Record::new(0, row, SourceKind::Angebot, rent, area);
        r.gemeinde = Some("A".into());
        r.offer_date = Date::from_ymd(date.0, date.1, date.2);
        r.operating_costs = Some(area * 2.0);
        r
    }

    fn project() -> Project {
        let mut p = Project::new("t", Date::from_ymd(2025, 1, 1).unwrap());
        p.gemeinden.push(GemeindeRow {
            ags: String::new(),
            name: "A".into(),
            vergleichsraum: "V".into(),
            einwohner: None,
            mietwohnungen: None,
            mietstufe: None,
        });
        p
    }

    #[test]
    fn window_duplicates_and_heating() {
        let p = project();
        let mut heated = offer(6, 60.0, 400.0, (2024, 6, 1));
        heated.heating_included = Some(true);
        heated.operating_costs = Some(250.0);
        let records = [
            offer(2, 50.0, 300.0, (2024, 6, 1)),
            offer(3, 50.4, 301.0, (2024, 7, 1)), // duplicate of row 2
            offer(4, 50.0, 330.0, (2024, 7, 1)), // rent differs by 10 %: kept
            offer(5, 45.0, 280.0, (2023, 6, 1)), // outside the 12-month window
            heated,
        ];
        let lookup = super::super::prepare::GemeindeLookup::new(&p.gemeinden);
        let found: Vec<Result<u32, Reason>> = records.iter().map(|r| lookup.find(r)).collect();
        let facts: Vec<OfferFacts> = records
            .iter()
            .zip(&found)
            .enumerate()
            .map(|(i, (r, &g))| OfferFacts::of(r, i as u32, g, 0))
            .collect();
        let inputs = OfferInputs {
            candidates: &facts,
            presorted: false,
            gemeinde_vr: &[Some(0)],
            n_vr: 1,
        };
        let prepared = prepare_offers(&p, &inputs);
        assert_eq!(prepared.by_vr[0].len(), 3);
        assert_eq!(
            prepared.excluded,
            vec![(1, Reason::OfferDuplicate), (3, Reason::OfferOutsideWindow)]
        );
        // Heating split at 2 €/m²: 400 + min(250, 120) = 520.
        let a = Availability::new(&prepared.by_vr[0], 0.0, None, false, Some(2.0));
        assert_eq!(a.n(), 3);
        assert_eq!(a.affordable(0.0, Some(399.99)), 0);
        assert_eq!(a.affordable(0.0, Some(400.0)), 1);
        assert_eq!(a.affordable(0.0, Some(520.0)), 3);
        // Without an abstract BK value the NKM decides.
        assert_eq!(a.affordable(330.0, None), 2);
        // Size class (50, 65]: only the 60 m² offer; under the Produkttheorie larger flats
        // count too, smaller ones do not.
        let small = Availability::new(&prepared.by_vr[0], 50.0, Some(65.0), false, Some(2.0));
        assert_eq!(small.n(), 1);
        let pt = Availability::new(&prepared.by_vr[0], 0.0, Some(50.0), true, Some(2.0));
        assert_eq!(pt.n(), 3);
        let mut p2 = p.clone();
        p2.parameters.availability.heating_included = HeatingIncludedOffers::Exclude;
        let prepared = prepare_offers(&p2, &inputs);
        assert!(
            prepared
                .excluded
                .contains(&(4, Reason::OfferHeatingIncluded))
        );
    }

    fn prepare(p: &Project, records: &[Record]) -> PreparedOffers {
        let lookup = super::super::prepare::GemeindeLookup::new(&p.gemeinden);
        let facts: Vec<OfferFacts> = records
            .iter()
            .enumerate()
            .map(|(i, r)| OfferFacts::of(r, i as u32, lookup.find(r), 0))
            .collect();
        prepare_offers(
            p,
            &OfferInputs {
                candidates: &facts,
                presorted: false,
                gemeinde_vr: &[Some(0)],
                n_vr: 1,
            },
        )
    }

    #[test]
    fn offers_pass_the_scope_exclusions_with_their_reasons() {
        let mut p = project();
        let mut records: Vec<Record> = (0..7)
            .map(|i| offer(2 + i, 40.0 + 5.0 * f64::from(i), 300.0, (2024, 6, 1)))
            .collect();
        records[1].furnished = Some(true);
        records[2].subsidised = Some(true);
        records[3].company_flat = Some(true);
        records[4].dormitory = Some(true);
        records[5].favour_rent = Some(true);
        records[6].substandard = Some(true);
        records[6].furnished = Some(false);
        let prepared = prepare(&p, &records);
        assert_eq!(prepared.n_kept(), 1);
        assert_eq!(prepared.by_vr[0][0].record, 0);
        assert_eq!(
            prepared.excluded,
            vec![
                (1, Reason::Furnished),
                (2, Reason::Subsidised),
                (3, Reason::CompanyFlat),
                (4, Reason::Dormitory),
                (5, Reason::FavourRent),
                (6, Reason::Substandard),
            ]
        );
        assert_eq!(prepared.n_candidates(), 7);
        assert_eq!(prepared.wholesale_excluded(), None);
        // A scope switch off lets its kind in.
        p.parameters.scope.exclude_furnished = false;
        let prepared = prepare(&p, &records);
        assert_eq!(prepared.n_kept(), 2);
        assert!(!prepared.excluded.contains(&(1, Reason::Furnished)));
    }

    #[test]
    fn offers_excluded_wholesale_are_a_fact_with_their_reasons() {
        let p = project();
        let mut records: Vec<Record> = (0..3)
            .map(|i| offer(2 + i, 50.0 + 10.0 * f64::from(i), 300.0, (2024, 6, 1)))
            .collect();
        for r in &mut records[..2] {
            r.offer_date = None;
        }
        records[2].offer_date = Date::from_ymd(2020, 1, 1);
        let prepared = prepare(&p, &records);
        assert_eq!(prepared.n_kept(), 0);
        let by_reason = prepared.wholesale_excluded().unwrap();
        assert_eq!(by_reason[&Reason::OfferDateMissing], 2);
        assert_eq!(by_reason[&Reason::OfferOutsideWindow], 1);
        // No offers at all is no wholesale exclusion.
        assert_eq!(prepare(&p, &[]).wholesale_excluded(), None);
    }
}
