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
    }
}
