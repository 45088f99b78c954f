//! The kinds of flat that are not part of the observed market (Gegenstand der Beobachtung,
//! BSG criterion K2): one list for the record fields, the scope switches, the reason codes and
//! the German wording.

use super::params::ScopeParams;
use super::{Reason, Record};

/// A kind of flat that the scope can exclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    /// Möblierte Wohnung, Wohnen auf Zeit.
    Furnished,
    /// Öffentlich geförderte (preisgebundene) Wohnung.
    Subsidised,
    /// Werks- oder Dienstwohnung.
    CompanyFlat,
    /// Wohnheim.
    Dormitory,
    /// Gefälligkeitsmiete.
    FavourRent,
    /// Wohnung des untersten Standards.
    Substandard,
}

impl Exclusion {
    /// All kinds in display order.
    pub const ALL: [Exclusion; 6] = [
        Exclusion::Furnished,
        Exclusion::Subsidised,
        Exclusion::CompanyFlat,
        Exclusion::Dormitory,
        Exclusion::FavourRent,
        Exclusion::Substandard,
    ];

    /// German plural, as in "ausgeschlossen sind …".
    pub fn german(self) -> &'static str {
        match self {
            Exclusion::Furnished => "möblierte Wohnungen",
            Exclusion::Subsidised => "öffentlich geförderte Wohnungen",
            Exclusion::CompanyFlat => "Werks- und Dienstwohnungen",
            Exclusion::Dormitory => "Wohnheime",
            Exclusion::FavourRent => "Gefälligkeitsmieten",
            Exclusion::Substandard => {
                "Wohnungen des untersten Standards (ohne Bad/WC oder Sammelheizung)"
            }
        }
    }

    /// The reason code of a record excluded for this.
    pub fn reason(self) -> Reason {
        match self {
            Exclusion::Furnished => Reason::Furnished,
            Exclusion::Subsidised => Reason::Subsidised,
            Exclusion::CompanyFlat => Reason::CompanyFlat,
            Exclusion::Dormitory => Reason::Dormitory,
            Exclusion::FavourRent => Reason::FavourRent,
            Exclusion::Substandard => Reason::Substandard,
        }
    }

    /// What the record says (`None`: not known).
    pub fn of_record(self, r: &Record) -> Option<bool> {
        match self {
            Exclusion::Furnished => r.furnished,
            Exclusion::Subsidised => r.subsidised,
            Exclusion::CompanyFlat => r.company_flat,
            Exclusion::Dormitory => r.dormitory,
            Exclusion::FavourRent => r.favour_rent,
            Exclusion::Substandard => r.substandard,
        }
    }

    /// Whether the scope excludes this kind.
    pub fn is_excluded(self, s: &ScopeParams) -> bool {
        match self {
            Exclusion::Furnished => s.exclude_furnished,
            Exclusion::Subsidised => s.exclude_subsidised,
            Exclusion::CompanyFlat => s.exclude_company_flats,
            Exclusion::Dormitory => s.exclude_dormitories,
            Exclusion::FavourRent => s.exclude_favour_rents,
            Exclusion::Substandard => s.exclude_substandard,
        }
    }

    /// A bit of its own (bits 0–5), for compact flag sets.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The bits of the kinds the record is (`Some(true)`).
    pub fn flags_of(r: &Record) -> u8 {
        Exclusion::ALL
            .into_iter()
            .filter(|e| e.of_record(r) == Some(true))
            .fold(0, |m, e| m | e.bit())
    }

    /// The bits of the kinds the scope excludes.
    pub fn excluded_bits(s: &ScopeParams) -> u8 {
        Exclusion::ALL
            .into_iter()
            .filter(|e| e.is_excluded(s))
            .fold(0, |m, e| m | e.bit())
    }

    /// The reason of a record with `flags` under a scope excluding `excluded` (both bit sets):
    /// the first kind in the order of [`Exclusion::ALL`] set in both decides; `None` when the
    /// record is in scope.
    pub fn first_reason(flags: u8, excluded: u8) -> Option<Reason> {
        let hit = flags & excluded;
        if hit == 0 {
            return None;
        }
        Exclusion::ALL
            .get(hit.trailing_zeros() as usize)
            .map(|e| e.reason())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_distinct_and_the_default_scope_excludes_all() {
        let bits: u8 = Exclusion::ALL.iter().fold(0, |m, e| {
            assert_eq!(m & e.bit(), 0);
            m | e.bit()
        });
        assert_eq!(bits, 0b11_1111);
        let s = ScopeParams::default();
        assert!(Exclusion::ALL.iter().all(|e| e.is_excluded(&s)));
        assert_eq!(Exclusion::excluded_bits(&s), bits);
    }

    #[test]
    fn the_first_kind_in_display_order_decides() {
        let mut r = Record::new(0, 2, crate::model::SourceKind::Angebot, 500.0, 50.0);
        r.furnished = Some(false);
        r.dormitory = Some(true);
        r.substandard = Some(true);
        let flags = Exclusion::flags_of(&r);
        assert_eq!(
            flags,
            Exclusion::Dormitory.bit() | Exclusion::Substandard.bit()
        );
        let mut s = ScopeParams::default();
        assert_eq!(
            Exclusion::first_reason(flags, Exclusion::excluded_bits(&s)),
            Some(Reason::Dormitory)
        );
        s.exclude_dormitories = false;
        assert_eq!(
            Exclusion::first_reason(flags, Exclusion::excluded_bits(&s)),
            Some(Reason::Substandard)
        );
        s.exclude_substandard = false;
        assert_eq!(
            Exclusion::first_reason(flags, Exclusion::excluded_bits(&s)),
            None
        );
    }
}
