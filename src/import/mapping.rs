//! Automatic column mapping: header normalisation, one synonym table (German and English), the
//! per-header best match, the column assignment and saved mapping profiles.
//!
//! Matching is deliberately conservative around the classic confusions of rent data: warm or total
//! rents, rents per m², rent ranges/classes and "Nebenkosten inkl. Heizung" are never taken for the
//! Nettokaltmiete or the kalte Betriebskosten.

use crate::model::Field;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// How much a synonym says about a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    /// An unambiguous name for the field: exact 3, word/prefix 2, contained 1.
    Strong,
    /// A vague name ("Preis", "Datum"): score 1 at most, exact or whole words only.
    Weak,
}

use Strength::{Strong as S, Weak as W};

/// The synonym table: every header text we recognise, as users write it. Entries are normalised
/// with [`normalize_header`] before matching; the German display name and the code of every
/// [`Field`] are added automatically (so our own exports map back).
const SYNONYMS: &[(Field, &str, Strength)] = &[
    // Nettokaltmiete
    (Field::NetRent, "Nettokaltmiete", S),
    (Field::NetRent, "Netto-Kaltmiete", S),
    (Field::NetRent, "Kaltmiete", S),
    (Field::NetRent, "Kaltmiete netto", S),
    (Field::NetRent, "Grundmiete", S),
    (Field::NetRent, "Nettomiete", S),
    (Field::NetRent, "NKM", S),
    (Field::NetRent, "Miete netto", S),
    (Field::NetRent, "Miete netto kalt", S),
    (Field::NetRent, "baseRent", S),
    (Field::NetRent, "base rent", S),
    (Field::NetRent, "net rent", S),
    (Field::NetRent, "net cold rent", S),
    (Field::NetRent, "nm", S),
    (Field::NetRent, "price", W),
    (Field::NetRent, "Preis", W),
    (Field::NetRent, "Mietpreis", W),
    (Field::NetRent, "Miete", W),
    (Field::NetRent, "Angebotsmiete", W),
    (Field::NetRent, "rent", W),
    // Wohnfläche
    (Field::Area, "Wohnfläche", S),
    (Field::Area, "Fläche", S),
    (Field::Area, "Wfl", S),
    (Field::Area, "qm", S),
    (Field::Area, "m²", S),
    (Field::Area, "m2", S),
    (Field::Area, "Größe", S),
    (Field::Area, "Wohnungsgröße", S),
    (Field::Area, "livingSpace", S),
    (Field::Area, "living space", S),
    (Field::Area, "living area", S),
    (Field::Area, "area", S),
    (Field::Area, "size", S),
    (Field::Area, "sqm", S),
    // Gemeinde
    (Field::Gemeinde, "Gemeinde", S),
    (Field::Gemeinde, "Ort", S),
    (Field::Gemeinde, "Wohnort", S),
    (Field::Gemeinde, "Stadt", S),
    (Field::Gemeinde, "Gemeindename", S),
    (Field::Gemeinde, "Name der Gemeinde", S),
    (Field::Gemeinde, "Kommune", S),
    (Field::Gemeinde, "regio3", S),
    (Field::Gemeinde, "city", S),
    (Field::Gemeinde, "town", S),
    (Field::Gemeinde, "municipality", S),
    // AGS
    (Field::Ags, "AGS", S),
    (Field::Ags, "Gemeindeschlüssel", S),
    (Field::Ags, "amtlicher Gemeindeschlüssel", S),
    (Field::Ags, "Gemeindekennziffer", S),
    (Field::Ags, "GKZ", S),
    // PLZ
    (Field::Plz, "PLZ", S),
    (Field::Plz, "Postleitzahl", S),
    (Field::Plz, "geo_plz", S),
    (Field::Plz, "zip", S),
    (Field::Plz, "zip code", S),
    (Field::Plz, "postcode", S),
    (Field::Plz, "postal code", S),
    // Ortsteil
    (Field::Ortsteil, "Ortsteil", S),
    (Field::Ortsteil, "Stadtteil", S),
    (Field::Ortsteil, "Stadtbezirk", S),
    (Field::Ortsteil, "Bezirk", S),
    (Field::Ortsteil, "quarter", S),
    (Field::Ortsteil, "district", S),
    // Kalte Betriebskosten (a bare "Nebenkosten"/"NK" is not among them: it may include
    // heating, see `nebenkosten_header`)
    (Field::OperatingCosts, "kalte Betriebskosten", S),
    (Field::OperatingCosts, "Betriebskosten kalt", S),
    (Field::OperatingCosts, "Betriebskosten", S),
    (Field::OperatingCosts, "kalte Nebenkosten", S),
    (Field::OperatingCosts, "Nebenkosten kalt", S),
    (Field::OperatingCosts, "kalte NK", S),
    (Field::OperatingCosts, "NK kalt", S),
    (Field::OperatingCosts, "kalte BK", S),
    (Field::OperatingCosts, "BK kalt", S),
    (Field::OperatingCosts, "BK", S),
    (Field::OperatingCosts, "serviceCharge", S),
    (Field::OperatingCosts, "service charge", S),
    (Field::OperatingCosts, "operating costs", S),
    // Heizkosten
    (Field::HeatingCosts, "Heizkosten", S),
    (Field::HeatingCosts, "heatingCosts", S),
    (Field::HeatingCosts, "heating costs", S),
    (Field::HeatingCosts, "HK", S),
    // Nebenkosten inkl. Heizung (see also `heating_included_phrase`)
    (Field::HeatingIncluded, "Nebenkosten inkl. Heizung", S),
    (Field::HeatingIncluded, "NK inkl. HK", S),
    (Field::HeatingIncluded, "Heizkosten enthalten", S),
    (Field::HeatingIncluded, "Heizung inklusive", S),
    (Field::HeatingIncluded, "heating included", S),
    // Zimmer
    (Field::Rooms, "Zimmer", S),
    (Field::Rooms, "Zimmeranzahl", S),
    (Field::Rooms, "Anzahl Zimmer", S),
    (Field::Rooms, "Räume", S),
    (Field::Rooms, "noRooms", S),
    (Field::Rooms, "rooms", S),
    (Field::Rooms, "number of rooms", S),
    // Baujahr
    (Field::YearBuilt, "Baujahr", S),
    (Field::YearBuilt, "yearConstructed", S),
    (Field::YearBuilt, "year built", S),
    (Field::YearBuilt, "construction year", S),
    // Mietbeginn
    (Field::ContractStart, "Mietbeginn", S),
    (Field::ContractStart, "Vertragsbeginn", S),
    (Field::ContractStart, "Mietvertragsbeginn", S),
    (Field::ContractStart, "Beginn des Mietverhältnisses", S),
    (Field::ContractStart, "Einzug", S),
    (Field::ContractStart, "Einzugsdatum", S),
    (Field::ContractStart, "contract start", S),
    // Letzte Mietänderung
    (Field::LastRentChange, "letzte Mietänderung", S),
    (Field::LastRentChange, "Mietänderung", S),
    (Field::LastRentChange, "Mieterhöhung", S),
    (Field::LastRentChange, "letzte Mieterhöhung", S),
    (Field::LastRentChange, "Mietanpassung", S),
    (Field::LastRentChange, "last rent change", S),
    // Angebotsdatum
    (Field::OfferDate, "Angebotsdatum", S),
    (Field::OfferDate, "Inseratsdatum", S),
    (Field::OfferDate, "Erfassungsdatum", S),
    (Field::OfferDate, "Einstelldatum", S),
    (Field::OfferDate, "offer date", S),
    (Field::OfferDate, "date", W),
    (Field::OfferDate, "Datum", W),
    // Vermietertyp
    (Field::LandlordType, "Vermietertyp", S),
    (Field::LandlordType, "Vermieterart", S),
    (Field::LandlordType, "Vermieter", S),
    (Field::LandlordType, "Eigentümer", S),
    (Field::LandlordType, "Eigentümertyp", S),
    (Field::LandlordType, "landlord", S),
    (Field::LandlordType, "landlord type", S),
    // Aufzug
    (Field::Lift, "Aufzug", S),
    (Field::Lift, "Fahrstuhl", S),
    (Field::Lift, "Lift", S),
    (Field::Lift, "elevator", S),
    // Datenart
    (Field::Kind, "Datenquelle", S),
    (Field::Kind, "Datenart", S),
    (Field::Kind, "Mietart", S),
    (Field::Kind, "Quelle", S),
    (Field::Kind, "data source", S),
    // Leistungsbezug
    (Field::Welfare, "Leistungsbezug", S),
    (Field::Welfare, "SGB II", S),
    (Field::Welfare, "SGB-II", S),
    (Field::Welfare, "SGB XII", S),
    (Field::Welfare, "Bedarfsgemeinschaft", S),
    (Field::Welfare, "Transferleistung", S),
    (Field::Welfare, "Transferleistungsbezug", S),
    (Field::Welfare, "Leistungsempfänger", S),
    (Field::Welfare, "Bürgergeld", S),
    // Möbliert
    (Field::Furnished, "möbliert", S),
    (Field::Furnished, "furnished", S),
    // Gefördert
    (Field::Subsidised, "gefördert", S),
    (Field::Subsidised, "öffentlich gefördert", S),
    (Field::Subsidised, "preisgebunden", S),
    (Field::Subsidised, "Mietpreisbindung", S),
    (Field::Subsidised, "Sozialwohnung", S),
    (Field::Subsidised, "WBS", S),
    // Werks-/Dienstwohnung
    (Field::CompanyFlat, "Werkswohnung", S),
    (Field::CompanyFlat, "Dienstwohnung", S),
    // Wohnheim
    (Field::Dormitory, "Wohnheim", S),
    (Field::Dormitory, "Studentenwohnheim", S),
    // Gefälligkeitsmiete
    (Field::FavourRent, "Gefälligkeitsmiete", S),
    (Field::FavourRent, "Verwandtschaft", S),
    (Field::FavourRent, "Vermietung an Verwandte", S),
    // Substandard
    (Field::Substandard, "Substandard", S),
    (Field::Substandard, "ohne Bad", S),
    (Field::Substandard, "Ofenheizung", S),
    (Field::Substandard, "ohne Sammelheizung", S),
    // Objektart
    (Field::ObjectType, "Objektart", S),
    (Field::ObjectType, "Objekttyp", S),
    (Field::ObjectType, "Wohnungstyp", S),
    (Field::ObjectType, "Wohnungsart", S),
    (Field::ObjectType, "Typ", S),
    (Field::ObjectType, "typeOfFlat", S),
    (Field::ObjectType, "property type", S),
    (Field::ObjectType, "bullets", W),
    // Datensatz-ID
    (Field::RecordId, "ID", S),
    (Field::RecordId, "Nr", S),
    (Field::RecordId, "lfd. Nr.", S),
    (Field::RecordId, "Laufende Nummer", S),
    (Field::RecordId, "Nummer", S),
    (Field::RecordId, "Datensatznummer", S),
    (Field::RecordId, "Objekt-ID", S),
    (Field::RecordId, "scoutId", S),
];

/// Words that make a header a category, class or trend rather than a value ("baseRentRange",
/// "Baualtersklasse", "pricetrend"): such headers are never mapped automatically.
const CATEGORY_WORDS: &[&str] = &["range", "trend", "klasse", "spanne", "kategorie"];

/// Words that disqualify a header from being the Nettokaltmiete (checked on the normalised text
/// without bracket contents).
const NOT_NET_RENT: &[&str] = &[
    "warm",
    "gesamt",
    "total",
    "brutto",
    "kaution",
    "deposit",
    "strom",
    "electricity",
    "stellplatz",
    "garage",
    "parking",
    "neben",
    "betriebs",
    "heiz",
    "heating",
    "service",
    "zuschlag",
    "vergleich",
    "ortsueblich",
    "durchschnitt",
    "mittelwert",
    "median",
    "kauf",
];

/// Words that, even inside brackets, show a rent is not the pure Nettokaltmiete.
const NOT_NET_RENT_ANYWHERE: &[&str] = &[
    "warm",
    "brutto",
    "gesamt",
    "total",
    "inkl",
    "incl",
    "inklusive",
    "inclusive",
    "einschl",
];

/// Words that disqualify a header from being the Wohnfläche.
const NOT_AREA: &[&str] = &[
    "grundstueck",
    "keller",
    "balkon",
    "terrasse",
    "garten",
    "gewerbe",
    "buero",
];

/// Words that disqualify a header from being the number of rooms ("Anzahl Badezimmer").
const NOT_ROOMS: &[&str] = &["bad", "schlaf", "bath", "bed"];

/// Words that show an inclusion ("inkl.", "enthalten").
const INCLUSION_WORDS: &[&str] = &[
    "inkl",
    "incl",
    "inklusive",
    "inclusive",
    "einschl",
    "einschliesslich",
    "enthalten",
    "including",
    "included",
    "includes",
    "mit",
];

/// One normalised synonym.
struct Synonym {
    field: Field,
    text: String,
    words: Vec<String>,
    strength: Strength,
}

/// The normalised synonym table, built once.
static TABLE: LazyLock<Vec<Synonym>> = LazyLock::new(|| {
    let mut table: Vec<Synonym> = Vec::new();
    let mut push = |field: Field, raw: &str, strength: Strength| {
        let text = normalize_header(raw);
        if text.is_empty()
            || table
                .iter()
                .any(|s| s.field == field && s.text == text && s.strength == strength)
        {
            return;
        }
        let words = text.split(' ').map(str::to_string).collect();
        table.push(Synonym {
            field,
            text,
            words,
            strength,
        });
    };
    for &(field, raw, strength) in SYNONYMS {
        push(field, raw, strength);
    }
    for field in Field::ALL {
        push(field, field.german(), S);
        push(field, field.code(), S);
    }
    table
});

/// Normalises a header for matching: camelCase split into words, lowercase, ä→ae ö→oe ü→ue ß→ss,
/// bracketed parts (units such as "(€/Monat)", "[m²]") and unit words ("€", "EUR", "Euro", "m²",
/// "qm") dropped together with a dangling "in"/"je"/"pro" before them, every other punctuation
/// turned into single spaces, trimmed.
///
/// A header that consists of a unit only ("qm", "m²") keeps it, so it can still be matched.
pub fn normalize_header(h: &str) -> String {
    let words = header_words(h, false);
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    for w in &words {
        if is_unit_word(w) {
            if matches!(kept.last(), Some(&("in" | "je" | "pro" | "per" | "im"))) {
                kept.pop();
            }
            continue;
        }
        kept.push(w);
    }
    if kept.is_empty() {
        // A unit-only header ("qm"): keep the unit words themselves.
        return words.join(" ");
    }
    kept.join(" ")
}

/// Whether a normalised word is a unit that says nothing about the field.
fn is_unit_word(w: &str) -> bool {
    matches!(
        w,
        "eur" | "euro" | "m²" | "m2" | "qm" | "sqm" | "monat" | "mtl" | "monatlich"
    )
}

/// Splits a header into normalised words; `keep_brackets` keeps the words inside brackets.
fn header_words(h: &str, keep_brackets: bool) -> Vec<String> {
    // camelCase → separate words, then lowercase and fold umlauts.
    let mut folded = String::with_capacity(h.len() + 8);
    let mut prev_lower = false;
    let mut depth = 0usize;
    for c in h.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                folded.push(' ');
                prev_lower = false;
                continue;
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                folded.push(' ');
                prev_lower = false;
                continue;
            }
            _ => {}
        }
        if depth > 0 && !keep_brackets {
            continue;
        }
        if c.is_uppercase() && prev_lower {
            folded.push(' ');
        }
        prev_lower = c.is_lowercase();
        for l in c.to_lowercase() {
            match l {
                'ä' => folded.push_str("ae"),
                'ö' => folded.push_str("oe"),
                'ü' => folded.push_str("ue"),
                'ß' => folded.push_str("ss"),
                '€' => folded.push(' '),
                l if l.is_alphanumeric() => folded.push(l),
                _ => folded.push(' '),
            }
        }
    }
    folded.split_whitespace().map(str::to_string).collect()
}

/// Whether the raw header speaks of an amount per m² ("€/m²", "Miete je qm", "Quadratmeterpreis").
fn mentions_area_unit(raw: &str) -> bool {
    let lower = raw.to_lowercase();
    if lower.contains("m²") || lower.contains("quadratmeter") {
        return true;
    }
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|t| matches!(t, "qm" | "m2" | "sqm"))
}

/// Whether the normalised words contain `needle` as a contiguous word sequence; returns its
/// position.
fn word_position(words: &[&str], needle: &[String]) -> Option<usize> {
    if needle.is_empty() || needle.len() > words.len() {
        return None;
    }
    (0..=words.len() - needle.len()).find(|&i| needle.iter().zip(&words[i..]).all(|(a, b)| a == b))
}

/// "Nebenkosten inkl. Heizung", "BK (inkl. HK)", "Heizkosten in den NK enthalten".
fn heating_included_phrase(full: &str, full_words: &[&str]) -> bool {
    if full.contains("miete") || full.contains("warm") {
        return false;
    }
    let inclusion = full_words.iter().any(|w| INCLUSION_WORDS.contains(w));
    let heating = full.contains("heiz") || full.contains("heating") || full_words.contains(&"hk");
    let operating = full.contains("neben")
        || full.contains("betriebskosten")
        || full.contains("service")
        || full_words.iter().any(|w| matches!(*w, "nk" | "bk"));
    inclusion && heating && operating
}

/// What a header about Nebenkosten says of heating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NebenkostenHeader {
    /// "Nebenkosten kalt", "Nebenkosten (ohne Heizung)": kalte Betriebskosten.
    Cold,
    /// A bare "Nebenkosten"/"NK": may or may not include heating.
    Unclear,
}

/// Whether a header names Nebenkosten ("Nebenkosten", "NK", "Nebenkostenvorauszahlung", not a
/// rent) and what it says of heating. `n` is the normalised header, `full_words` its words with
/// the bracket contents. Headers that include heating are [`heating_included_phrase`]s.
fn nebenkosten_header(n: &str, full_words: &[&str]) -> Option<NebenkostenHeader> {
    let nk = n
        .split(' ')
        .any(|w| w == "nk" || w.starts_with("nebenkosten"));
    if !nk || n.contains("miete") {
        return None;
    }
    let cold = full_words
        .iter()
        .any(|w| matches!(*w, "kalt" | "kalte" | "kalten" | "ohne"));
    Some(if cold {
        NebenkostenHeader::Cold
    } else {
        NebenkostenHeader::Unclear
    })
}

/// Whether a header is a bare "Nebenkosten"/"NK" column: it may include heating, so it is not
/// taken for the kalte Betriebskosten automatically (unless a column says per row whether
/// heating is included, see [`auto_map`]); the user decides what it holds.
pub fn is_unclear_nebenkosten(header: &str) -> bool {
    let n = normalize_header(header);
    let full_words_owned = header_words(header, true);
    let full_words: Vec<&str> = full_words_owned.iter().map(String::as_str).collect();
    !heating_included_phrase(&full_words.join(" "), &full_words)
        && nebenkosten_header(&n, &full_words) == Some(NebenkostenHeader::Unclear)
}

/// German notes on the columns that [`auto_map`] leaves unassigned on purpose (bare
/// "Nebenkosten"/"NK"), for the column check of the app and the CLI import; `mapped(i)` says
/// whether column `i` is assigned.
pub fn column_notes(headers: &[String], mapped: impl Fn(usize) -> bool) -> Vec<String> {
    headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !mapped(*i) && is_unclear_nebenkosten(h))
        .map(|(_, h)| {
            format!(
                "Spalte „{}“ gefunden, aber nicht zugeordnet: Es ist unklar, ob diese Nebenkosten Heizkosten enthalten. Enthält sie nur kalte Betriebskosten, bitte dem Feld „{}“ zuordnen; sonst eine Spalte „{}“ (ja/nein) mitliefern.",
                h.trim(),
                Field::OperatingCosts.german(),
                Field::HeatingIncluded.german()
            )
        })
        .collect()
}

/// Whether `field` is ruled out for this header.
fn excluded(field: Field, n: &str, full: &str, area_unit: bool) -> bool {
    let any = |list: &[&str], s: &str| list.iter().any(|w| s.contains(w));
    if field.is_money() && area_unit {
        return true;
    }
    match field {
        Field::NetRent => any(NOT_NET_RENT, n) || any(NOT_NET_RENT_ANYWHERE, full),
        Field::OperatingCosts | Field::HeatingCosts => n.contains("miete"),
        Field::Area => any(NOT_AREA, n),
        Field::Rooms => any(NOT_ROOMS, n),
        Field::RecordId => {
            n.contains("haus")
                || n.contains("house")
                || n.contains("telefon")
                || n.split(' ').any(|w| matches!(w, "tel" | "fax" | "steuer"))
        }
        _ => false,
    }
}

/// The score of one synonym against a normalised header.
fn synonym_score(n: &str, words: &[&str], syn: &Synonym) -> Option<(u8, usize)> {
    let len = syn.text.chars().count();
    if n == syn.text {
        return Some((if syn.strength == S { 3 } else { 1 }, 0));
    }
    if let Some(pos) = word_position(words, &syn.words) {
        return Some((if syn.strength == S { 2 } else { 1 }, pos));
    }
    if syn.strength == W {
        return None;
    }
    if len >= 4 && n.starts_with(&syn.text) {
        return Some((2, 0));
    }
    if len >= 5 && n.contains(&syn.text) {
        return Some((1, 1));
    }
    None
}

/// The field a header most likely names, with a score: 3 = exact synonym, 2 = the synonym is a
/// prefix or whole words of the header, 1 = weak (synonym contained in a word, or a vague name such
/// as "Preis"/"Datum"). `None` if nothing fits or the header is a category/range/per-m² column.
pub fn match_header(h: &str) -> Option<(Field, u8)> {
    let n = normalize_header(h);
    if n.is_empty() {
        return None;
    }
    let full_words_owned = header_words(h, true);
    let full = full_words_owned.join(" ");
    if CATEGORY_WORDS.iter().any(|w| full.contains(w)) {
        return None;
    }
    let full_words: Vec<&str> = full_words_owned.iter().map(String::as_str).collect();
    if heating_included_phrase(&full, &full_words) {
        return Some((Field::HeatingIncluded, 3));
    }
    match nebenkosten_header(&n, &full_words) {
        Some(NebenkostenHeader::Cold) => return Some((Field::OperatingCosts, 3)),
        Some(NebenkostenHeader::Unclear) => return None,
        None => {}
    }
    let area_unit = mentions_area_unit(h);
    let words: Vec<&str> = n.split(' ').collect();
    // Best by score, then by longer synonym, then by earlier position, then table order.
    let mut best: Option<(u8, usize, usize, Field)> = None;
    for syn in TABLE.iter() {
        if excluded(syn.field, &n, &full, area_unit) {
            continue;
        }
        let Some((score, pos)) = synonym_score(&n, &words, syn) else {
            continue;
        };
        let len = syn.text.len();
        let better = match best {
            None => true,
            Some((bs, bl, bp, _)) => {
                (score, len, std::cmp::Reverse(pos)) > (bs, bl, std::cmp::Reverse(bp))
            }
        };
        if better {
            best = Some((score, len, pos, syn.field));
        }
    }
    best.map(|(score, _, _, field)| (field, score))
}

/// Maps columns to fields automatically: every header gets its best match ([`match_header`]); a
/// field claimed by several columns goes to the best score, ties to the leftmost column. Each field
/// and each column is used at most once.
///
/// A bare "Nebenkosten"/"NK" column ([`is_unclear_nebenkosten`]) is taken for the kalte
/// Betriebskosten only when another column says per row whether they include heating ("NK inkl.
/// Heizung"): then every row's amount is known for what it is.
pub fn auto_map(headers: &[String]) -> BTreeMap<Field, usize> {
    let mut candidates: Vec<(u8, usize, Field)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| match_header(h).map(|(f, s)| (s, i, f)))
        .collect();
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut map = BTreeMap::new();
    for (_, col, field) in candidates {
        map.entry(field).or_insert(col);
    }
    if map.contains_key(&Field::HeatingIncluded)
        && !map.contains_key(&Field::OperatingCosts)
        && let Some(col) = headers.iter().position(|h| is_unclear_nebenkosten(h))
    {
        map.insert(Field::OperatingCosts, col);
    }
    map
}

pub use crate::model::MappingProfile;

/// A fingerprint of a header row: SHA-256 (hex) of the normalised non-empty headers joined by
/// U+001F. Order matters; spelling variants that normalise alike do not.
pub fn header_signature(headers: &[String]) -> String {
    let joined = headers
        .iter()
        .map(|h| normalize_header(h))
        .filter(|h| !h.is_empty())
        .collect::<Vec<_>>()
        .join("\u{1f}");
    let digest = Sha256::digest(joined.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The profile for these headers: first one with the same [`header_signature`]; otherwise the
/// profile all of whose columns are present (by normalised text) and that maps the most columns
/// (ties: first in the list). `None` if no profile fits.
pub fn find_profile<'a>(
    profiles: &'a [MappingProfile],
    headers: &[String],
) -> Option<&'a MappingProfile> {
    let signature = header_signature(headers);
    if let Some(p) = profiles.iter().find(|p| p.signature == signature) {
        return Some(p);
    }
    let mut best: Option<(&MappingProfile, usize)> = None;
    for p in profiles {
        if p.columns.is_empty() {
            continue;
        }
        let resolved = p.resolve(headers).len();
        if resolved == p.columns.len() && best.is_none_or(|(_, n)| resolved > n) {
            best = Some((p, resolved));
        }
    }
    best.map(|(p, _)| p)
}

impl MappingProfile {
    /// Column index per field for these headers, matching the saved header texts by normalised
    /// equality (leftmost unused column first). Fields whose header is missing are left out.
    pub fn resolve(&self, headers: &[String]) -> BTreeMap<Field, usize> {
        let normalised: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        let mut used = vec![false; headers.len()];
        let mut map = BTreeMap::new();
        for (field, text) in &self.columns {
            let wanted = normalize_header(text);
            // Exact text first (two headers may normalise alike), then normalised equality.
            let exact = headers
                .iter()
                .enumerate()
                .position(|(i, h)| !used[i] && h.trim() == text.trim());
            let found = exact.or_else(|| {
                normalised
                    .iter()
                    .enumerate()
                    .position(|(i, h)| !used[i] && !wanted.is_empty() && *h == wanted)
            });
            if let Some(i) = found {
                used[i] = true;
                map.insert(*field, i);
            }
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// The header of a real-data CSV; `None` (test skipped) without the folder, except under
    /// `CI`, where real data must be present.
    fn realdata_header(file: &str, sep: char) -> Option<Vec<String>> {
        let path = format!(
            "{}/../shared/realdata/immoscout24_kaggle_subsets/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                assert!(std::env::var_os("CI").is_none(), "{path}: {e}");
                eprintln!("realdata not available; test skipped");
                return None;
            }
        };
        let first = text.lines().next()?;
        Some(
            first
                .split(sep)
                .map(|h| h.trim().trim_matches('"').to_string())
                .collect(),
        )
    }

    fn col(headers: &[String], name: &str) -> usize {
        headers.iter().position(|h| h == name).unwrap()
    }

    #[test]
    fn normalises_units_umlauts_and_camel_case() {
        assert_eq!(normalize_header("Nettokaltmiete (€)"), "nettokaltmiete");
        assert_eq!(normalize_header("Wohnfläche in m²"), "wohnflaeche");
        assert_eq!(
            normalize_header("kalte Betriebskosten (€/Monat)"),
            "kalte betriebskosten"
        );
        assert_eq!(normalize_header("Mietbeginn (TT.MM.JJJJ)"), "mietbeginn");
        assert_eq!(normalize_header("  Größe [qm] "), "groesse");
        assert_eq!(normalize_header("baseRent"), "base rent");
        assert_eq!(normalize_header("geo_plz"), "geo plz");
        assert_eq!(normalize_header("SGB-II"), "sgb ii");
        assert_eq!(normalize_header("Miete in EUR"), "miete");
        assert_eq!(normalize_header("qm"), "qm");
        assert_eq!(normalize_header("m²"), "m²");
        assert_eq!(normalize_header(""), "");
        assert_eq!(normalize_header("(€)"), "");
        assert_eq!(normalize_header("Straße"), "strasse");
    }

    #[test]
    fn scores() {
        assert_eq!(match_header("Nettokaltmiete"), Some((Field::NetRent, 3)));
        assert_eq!(
            match_header("Nettokaltmiete (€)"),
            Some((Field::NetRent, 3))
        );
        assert_eq!(
            match_header("Nettokaltmiete Wohnung"),
            Some((Field::NetRent, 2))
        );
        assert_eq!(
            match_header("Betriebskostenvorauszahlung"),
            Some((Field::OperatingCosts, 2))
        );
        assert_eq!(match_header("Gesamtwohnfläche"), Some((Field::Area, 1)));
        assert_eq!(match_header("Preis"), Some((Field::NetRent, 1)));
        assert_eq!(match_header("Datum"), Some((Field::OfferDate, 1)));
        assert_eq!(match_header("qm"), Some((Field::Area, 3)));
        assert_eq!(match_header("m²"), Some((Field::Area, 3)));
        assert_eq!(match_header("Wohnfläche in m²"), Some((Field::Area, 3)));
        assert_eq!(match_header(""), None);
        assert_eq!(match_header("Bemerkung"), None);
    }

    #[test]
    fn conflicts_are_resolved() {
        for h in [
            "Nebenkosten inkl. Heizung",
            "NK inkl. HK",
            "Nebenkosten (inkl. Heizung)",
            "Betriebskosten einschließlich Heizkosten",
        ] {
            assert_eq!(match_header(h), Some((Field::HeatingIncluded, 3)), "{h}");
        }
        for h in [
            "Warmmiete",
            "Gesamtmiete",
            "totalRent",
            "Bruttokaltmiete",
            "Miete inkl. NK",
            "Nettokaltmiete (€/m²)",
            "Nettokaltmiete je qm",
            "Quadratmeterpreis",
            "baseRentRange",
            "pricetrend",
            "electricityBasePrice",
            "Baualtersklasse",
            "Ortsübliche Vergleichsmiete",
        ] {
            assert_ne!(match_header(h).map(|m| m.0), Some(Field::NetRent), "{h}");
        }
        assert_eq!(match_header("Mietbeginn"), Some((Field::ContractStart, 3)));
        assert_eq!(
            match_header("Mieterhöhung"),
            Some((Field::LastRentChange, 3))
        );
        assert_eq!(
            match_header("Heizkosten inkl. Warmwasser"),
            Some((Field::HeatingCosts, 2))
        );
        assert_eq!(
            match_header("kalte Betriebskosten (ohne Heizkosten)"),
            Some((Field::OperatingCosts, 3))
        );
        assert_eq!(match_header("Grundstücksfläche"), None);
        assert!(match_header("Nutzfläche").is_none_or(|(_, s)| s <= 1));
        assert_eq!(match_header("Gemeindeschlüssel"), Some((Field::Ags, 3)));
        assert_eq!(match_header("Stadtteil"), Some((Field::Ortsteil, 3)));
        assert_eq!(
            match_header("Kaltmiete (ohne Nebenkosten)"),
            Some((Field::NetRent, 3))
        );
        assert_eq!(match_header("Hausnummer"), None);
        assert_eq!(match_header("Anzahl Badezimmer"), None);
    }

    #[test]
    fn bare_nebenkosten_are_not_taken_for_kalte_betriebskosten() {
        for h in [
            "Nebenkosten",
            "NK",
            "Nebenkosten (€)",
            "Nebenkosten monatlich",
            "Nebenkostenvorauszahlung",
            "NK-Vorauszahlung",
        ] {
            assert_eq!(match_header(h), None, "{h}");
            assert!(is_unclear_nebenkosten(h), "{h}");
        }
        for h in [
            "kalte Betriebskosten",
            "Betriebskosten kalt",
            "BK kalt",
            "kalte BK",
            "kalte Nebenkosten",
            "Nebenkosten kalt",
            "Nebenkosten (ohne Heizung)",
            "Nebenkosten ohne Heizkosten",
            "NK kalt (€)",
            "Betriebskosten",
        ] {
            assert_eq!(match_header(h), Some((Field::OperatingCosts, 3)), "{h}");
            assert!(!is_unclear_nebenkosten(h), "{h}");
        }
        for h in ["Nebenkosten inkl. Heizung", "Miete inkl. NK", "Heizkosten"] {
            assert!(!is_unclear_nebenkosten(h), "{h}");
        }
        // Unassigned, and named in the column check.
        let h = strings(&["Nettokaltmiete", "Wohnfläche", "Nebenkosten"]);
        let m = auto_map(&h);
        assert!(!m.contains_key(&Field::OperatingCosts), "{m:?}");
        let mapped: Vec<usize> = m.values().copied().collect();
        let notes = column_notes(&h, |i| mapped.contains(&i));
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("Spalte „Nebenkosten“ gefunden, aber nicht zugeordnet")
                && notes[0].contains("Heizkosten enthalten"),
            "{}",
            notes[0]
        );
        assert!(column_notes(&h, |_| true).is_empty());
        // A column saying per row whether heating is included settles it.
        let h = strings(&[
            "Kaltmiete (€)",
            "Wohnfläche (m²)",
            "Nebenkosten (€)",
            "NK inkl. Heizung",
        ]);
        let m = auto_map(&h);
        assert_eq!(m[&Field::OperatingCosts], 2);
        assert_eq!(m[&Field::HeatingIncluded], 3);
    }

    #[test]
    fn german_headers_with_units() {
        let h = strings(&[
            "lfd. Nr.",
            "Gemeinde",
            "Nettokaltmiete (€)",
            "Wohnfläche in m²",
            "kalte Betriebskosten (€/Monat)",
            "Heizkosten (€/Monat)",
            "Mietbeginn (TT.MM.JJJJ)",
            "Letzte Mietänderung",
            "Warmmiete (€)",
            "Vermietertyp",
            "SGB II",
            "Bemerkung",
        ]);
        let m = auto_map(&h);
        assert_eq!(m[&Field::RecordId], 0);
        assert_eq!(m[&Field::Gemeinde], 1);
        assert_eq!(m[&Field::NetRent], 2);
        assert_eq!(m[&Field::Area], 3);
        assert_eq!(m[&Field::OperatingCosts], 4);
        assert_eq!(m[&Field::HeatingCosts], 5);
        assert_eq!(m[&Field::ContractStart], 6);
        assert_eq!(m[&Field::LastRentChange], 7);
        assert_eq!(m[&Field::LandlordType], 9);
        assert_eq!(m[&Field::Welfare], 10);
        assert!(!m.values().any(|&c| c == 8 || c == 11));
    }

    #[test]
    fn immonet_header() {
        let h = strings(&[
            "id", "title", "bullets", "tags", "price", "area", "rooms", "page", "state",
        ]);
        let m = auto_map(&h);
        assert_eq!(m[&Field::RecordId], 0);
        assert_eq!(m[&Field::ObjectType], 2);
        assert_eq!(m[&Field::NetRent], 4);
        assert_eq!(m[&Field::Area], 5);
        assert_eq!(m[&Field::Rooms], 6);
        assert_eq!(m.len(), 5, "{m:?}");
    }

    /// The columns every ImmoScout24 export maps the same way.
    fn assert_immoscout_core(h: &[String], m: &BTreeMap<Field, usize>) {
        for (field, header) in [
            (Field::NetRent, "baseRent"),
            (Field::Area, "livingSpace"),
            (Field::OperatingCosts, "serviceCharge"),
            (Field::HeatingCosts, "heatingCosts"),
            (Field::Gemeinde, "regio3"),
            (Field::Plz, "geo_plz"),
            (Field::Rooms, "noRooms"),
            (Field::YearBuilt, "yearConstructed"),
        ] {
            assert_eq!(m[&field], col(h, header), "{field:?}");
        }
    }

    #[test]
    fn immoscout_cologne_header() {
        let Some(h) = realdata_header("cologneData.csv", ',') else {
            return;
        };
        let m = auto_map(&h);
        assert_immoscout_core(&h, &m);
        assert_eq!(m[&Field::Lift], col(&h, "lift"));
        assert_eq!(m[&Field::ObjectType], col(&h, "typeOfFlat"));
        let total = col(&h, "totalRent");
        assert!(!m.values().any(|&c| c == total), "{m:?}");
        for name in ["yearConstructedRange", "noRoomsRange", "heatingType"] {
            let c = col(&h, name);
            assert!(!m.values().any(|&v| v == c), "{name} mapped: {m:?}");
        }
    }

    #[test]
    fn immoscout_konstanz_header() {
        let Some(h) = realdata_header("KN_Kreis.csv", ';') else {
            return;
        };
        let m = auto_map(&h);
        assert_immoscout_core(&h, &m);
        assert_eq!(m[&Field::RecordId], col(&h, "scoutId"));
        for name in [
            "totalRent",
            "baseRentRange",
            "livingSpaceRange",
            "pricetrend",
            "electricityBasePrice",
            "electricityKwhPrice",
            "regio1",
            "regio2",
        ] {
            let c = col(&h, name);
            assert!(!m.values().any(|&v| v == c), "{name} mapped: {m:?}");
        }
    }

    #[test]
    fn ties_go_left_and_columns_are_used_once() {
        let h = strings(&["Kaltmiete", "Nettokaltmiete", "Kaltmiete", "Fläche"]);
        let m = auto_map(&h);
        assert_eq!(m[&Field::NetRent], 0);
        assert_eq!(m[&Field::Area], 3);
        assert_eq!(m.len(), 2);
        // A score-3 column beats a leftmost score-2 column.
        let h = strings(&["Nettokaltmiete Wohnung", "Nettokaltmiete"]);
        assert_eq!(auto_map(&h)[&Field::NetRent], 1);
    }

    #[test]
    fn own_export_names_map_back() {
        for field in Field::ALL {
            assert_eq!(
                match_header(field.german()).map(|m| m.0),
                Some(field),
                "{}",
                field.german()
            );
        }
    }

    #[test]
    fn profiles() {
        let headers = strings(&["Miete (EUR)", "Fläche qm", "Ort"]);
        let mut columns = BTreeMap::new();
        columns.insert(Field::NetRent, "Miete (EUR)".to_string());
        columns.insert(Field::Area, "Fläche qm".to_string());
        let p = MappingProfile {
            name: "Export X".into(),
            signature: header_signature(&headers),
            columns,
            annual: BTreeSet::new(),
        };
        // Same layout, other spelling.
        let other = strings(&["miete", "FLÄCHE", "ort"]);
        assert_eq!(header_signature(&headers), header_signature(&other));
        assert_eq!(header_signature(&headers).len(), 64);
        let found = find_profile(std::slice::from_ref(&p), &other).unwrap();
        let map = found.resolve(&other);
        assert_eq!(map[&Field::NetRent], 0);
        assert_eq!(map[&Field::Area], 1);
        // Reordered with an extra column: signature differs, but all columns are present.
        let moved = strings(&["Ort", "Baujahr", "Fläche qm", "Miete (EUR)"]);
        assert_ne!(header_signature(&moved), p.signature);
        let found = find_profile(std::slice::from_ref(&p), &moved).unwrap();
        let map = found.resolve(&moved);
        assert_eq!(map[&Field::NetRent], 3);
        assert_eq!(map[&Field::Area], 2);
        // A column missing: no profile.
        assert!(find_profile(std::slice::from_ref(&p), &strings(&["Miete (EUR)"])).is_none());
        // Serde round trip; `annual` defaults to empty.
        let json = serde_json::to_string(&p).unwrap();
        let back: MappingProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let without_annual = r#"{"name":"n","signature":"s","columns":{"net_rent":"Miete"}}"#;
        let q: MappingProfile = serde_json::from_str(without_annual).unwrap();
        assert!(q.annual.is_empty());
    }
}
