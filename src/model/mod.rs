//! The domain model: records, reasons, dates, parameters and the project file.

mod ags;
pub mod boundaries;
pub mod catalogue;
pub mod cluster;
mod criterion;
mod date;
mod exclusion;
pub mod heizspiegel;
pub mod params;
pub mod project;
mod quantile_type;
mod reason;
mod record;
pub mod table_file;

pub use ags::Ags;
pub use criterion::BsgCriterion;
pub use date::Date;
pub use exclusion::Exclusion;
pub use params::Parameters;
pub use project::{GemeindeRow, MappingProfile, Project, SourceSpec, VergleichsraumSpec};
pub use quantile_type::QuantileType;
pub use reason::Reason;
pub use record::{Field, LandlordType, Record, SourceKind};
