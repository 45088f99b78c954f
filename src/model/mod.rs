//! The domain model: records, reasons, dates, the source register, the Gemeinde table,
//! parameters and the project file.

mod date;
mod reason;
mod record;

pub use date::Date;
pub use reason::Reason;
pub use record::{Field, LandlordType, Record, SourceKind};
