//! What [`Prepared`](super::Prepared) needs of the records that does not depend on the scope:
//! each record's Gemeinde, the facts the scope rules test, and the records in the order of their
//! NKM/m² and kBK/m² values. Built once per dataset and Gemeinde table; a scope change (contract
//! window, exclusions, size classes, Vergleichsraum of a Gemeinde) then only filters these lists
//! in one pass and sorts nothing.

use super::order_key;
use crate::analysis::availability::OfferFacts;
use crate::model::Exclusion;
use crate::model::{Date, GemeindeRow, LandlordType, Reason, Record, SourceKind};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// Bits of [`Facts::flags`]: bits 0–5 are [`Exclusion::bit`] (the first set bit decides the
/// reason, in the order of [`Exclusion::ALL`]); this one says the record has kalte
/// Betriebskosten for the BK statistic.
pub(super) const HAS_BK: u8 = 1 << 6;
/// The record's Nebenkosten include heating: its amount is no kalte BK (docs/METHOD.md §2.9).
pub(super) const BK_WITH_HEATING: u8 = 1 << 7;

/// The facts of one record that the scope rules test.
#[derive(Debug, Clone, Copy)]
pub(super) struct Facts {
    /// The later of contract start and last rent change.
    pub latest: Option<Date>,
    pub area: f64,
    pub kind: SourceKind,
    /// Exclusion flags that are set (`Some(true)`) and [`HAS_BK`].
    pub flags: u8,
}

/// A record in the NKM/m² order.
#[derive(Debug, Clone, Copy)]
pub(super) struct RentEntry {
    /// [`order_key`] of NKM/m².
    pub key: u64,
    pub record: u32,
    pub landlord: Option<LandlordType>,
    /// Leistungsbezug: known yes/no, `None` unknown (a Leistungsempfänger source counts as yes).
    pub welfare: Option<bool>,
}

/// A record with Betriebskosten in the kBK/m² order.
#[derive(Debug, Clone, Copy)]
pub(super) struct BkEntry {
    /// [`order_key`] of kBK/m².
    pub key: u64,
    pub record: u32,
    pub landlord: Option<LandlordType>,
    pub lift: bool,
}

/// Reads the Leistungsbezug of a record for the Zirkelschluss check: a record of a
/// Leistungsempfänger source counts as yes; in a source whose column marks only "yes" (e.g. "x")
/// and leaves every other row blank, a blank means no; otherwise a blank is unknown.
pub(crate) struct WelfareReader {
    /// Per source index: its Leistungsbezug column marks only "yes".
    markers_only: Vec<bool>,
}

impl WelfareReader {
    /// Looks at every record once.
    pub(crate) fn new(records: &[Record]) -> WelfareReader {
        let mut seen: Vec<(bool, bool)> = Vec::new();
        for r in records {
            let i = usize::from(r.source);
            if seen.len() <= i {
                seen.resize(i + 1, (false, false));
            }
            match r.welfare {
                Some(true) => seen[i].0 = true,
                Some(false) => seen[i].1 = true,
                None => {}
            }
        }
        WelfareReader {
            markers_only: seen.into_iter().map(|(yes, no)| yes && !no).collect(),
        }
    }

    /// The Leistungsbezug of `r`: yes, no, or unknown.
    pub(crate) fn of(&self, r: &Record) -> Option<bool> {
        if r.kind == SourceKind::Leistungsempfaenger {
            return Some(true);
        }
        match r.welfare {
            Some(w) => Some(w),
            None if self
                .markers_only
                .get(usize::from(r.source))
                .copied()
                .unwrap_or(false) =>
            {
                Some(false)
            }
            None => None,
        }
    }
}

/// The scope-independent part of [`Prepared`](super::Prepared) for one dataset and Gemeinde
/// table. [`Prepared::rescope`](super::Prepared::rescope) reuses it.
pub struct RecordIndex {
    /// (AGS, name) of the Gemeinde table it was built for.
    gemeinden: Vec<(String, String)>,
    /// Gemeinde per record, or why there is none.
    pub(super) gemeinde_of: Vec<Result<u32, Reason>>,
    /// Gemeinde per record where assigned ([`Prepared::gemeinde_of`](super::Prepared)).
    pub(super) assigned: Arc<[Option<u32>]>,
    /// Per record.
    pub(super) facts: Vec<Facts>,
    /// Assigned records by NKM/m², ties by (source, row), then position: the order of every cell.
    pub(super) by_rent: Vec<RentEntry>,
    /// Assigned records with kalte Betriebskosten (not including heating) by (kBK/m², landlord
    /// type).
    pub(super) by_bk: Vec<BkEntry>,
    /// Rank of each record's PLZ text (missing = "") among all PLZ texts, for the offer order.
    pub(super) plz_rank: Vec<u32>,
    /// The records of kind Angebot (the default availability kind) in the de-duplication
    /// order ([`OfferFacts::dedup_order`]).
    pub(super) angebote: Vec<OfferFacts>,
}

impl fmt::Debug for RecordIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordIndex")
            .field("records", &self.facts.len())
            .field("gemeinden", &self.gemeinden.len())
            .field("by_rent", &self.by_rent.len())
            .field("by_bk", &self.by_bk.len())
            .field("angebote", &self.angebote.len())
            .finish()
    }
}

impl RecordIndex {
    /// Assigns and orders the records once.
    pub fn new(records: &[Record], gemeinden: &[GemeindeRow]) -> RecordIndex {
        let mut assign = Assigner::new(GemeindeLookup::new(gemeinden));
        let mut gemeinde_of = Vec::with_capacity(records.len());
        let mut facts = Vec::with_capacity(records.len());
        let mut by_rent = Vec::with_capacity(records.len());
        let mut by_bk = Vec::with_capacity(records.len());
        let mut plz_ids: FastMap<&str, u32> = FastMap::default();
        let mut plz_id = Vec::with_capacity(records.len());
        let mut angebote: Vec<OfferFacts> = Vec::new();
        let welfare = WelfareReader::new(records);
        for (idx, r) in records.iter().enumerate() {
            let g = assign.find(r);
            gemeinde_of.push(g);
            let mut flags = Exclusion::flags_of(r);
            let mut bk = r.operating_costs_per_m2();
            if bk.is_some() && r.heating_included == Some(true) {
                flags |= BK_WITH_HEATING;
                bk = None;
            }
            if bk.is_some() {
                flags |= HAS_BK;
            }
            facts.push(Facts {
                latest: match (r.contract_start, r.last_rent_change) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                },
                area: r.area,
                kind: r.kind,
                flags,
            });
            let next = plz_ids.len() as u32;
            let id = *plz_ids
                .entry(r.plz.as_deref().unwrap_or(""))
                .or_insert(next);
            plz_id.push(id);
            if r.kind == SourceKind::Angebot {
                // The PLZ id becomes its rank below.
                angebote.push(OfferFacts::of(r, idx as u32, g, id));
            }
            if g.is_err() {
                continue;
            }
            by_rent.push((
                order_key(r.net_rent_per_m2()),
                u64::from(r.source) << 32 | u64::from(r.row),
                RentEntry {
                    key: 0,
                    record: idx as u32,
                    landlord: r.landlord_type,
                    welfare: welfare.of(r),
                },
            ));
            if let Some(v) = bk {
                by_bk.push(BkEntry {
                    key: order_key(v),
                    record: idx as u32,
                    landlord: r.landlord_type,
                    lift: r.lift == Some(true),
                });
            }
        }
        // Ties by (source, row), then position: the order of a stable sort by (value, source,
        // row), so it never depends on the order of the input files.
        by_rent.sort_unstable_by_key(|(key, tie, e)| (*key, *tie, e.record));
        let by_rent = by_rent
            .into_iter()
            .map(|(key, _, e)| RentEntry { key, ..e })
            .collect();
        // Equal (value, landlord type) pairs are indistinguishable in the cells.
        by_bk.sort_unstable_by_key(|e| (e.key, e.landlord));
        let mut texts: Vec<(&str, u32)> = plz_ids.into_iter().collect();
        texts.sort_unstable();
        let mut rank_of_id = vec![0; texts.len()];
        for (rank, (_, id)) in texts.iter().enumerate() {
            rank_of_id[*id as usize] = rank as u32;
        }
        for o in &mut angebote {
            o.plz_rank = rank_of_id.get(o.plz_rank as usize).copied().unwrap_or(0);
        }
        angebote.sort_unstable_by_key(OfferFacts::dedup_order);
        RecordIndex {
            gemeinden: gemeinden
                .iter()
                .map(|g| (g.ags.clone(), g.name.clone()))
                .collect(),
            assigned: gemeinde_of.iter().map(|g| g.ok()).collect(),
            gemeinde_of,
            facts,
            by_rent,
            by_bk,
            plz_rank: plz_id.iter().map(|&id| rank_of_id[id as usize]).collect(),
            angebote,
        }
    }

    /// Whether the index was built for this many records and a Gemeinde table with the same
    /// AGS and names (the Vergleichsraum of a Gemeinde may differ). Whether the records are the
    /// same ones is the caller's promise.
    pub fn fits(&self, records: &[Record], gemeinden: &[GemeindeRow]) -> bool {
        self.facts.len() == records.len()
            && self.gemeinden.len() == gemeinden.len()
            && self
                .gemeinden
                .iter()
                .zip(gemeinden)
                .all(|((ags, name), g)| *ags == g.ags && *name == g.name)
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
