//! KdU-Konzept: Angemessenheitsgrenzen für Kosten der Unterkunft nach schlüssigem Konzept.
//!
//! The domain core (`model`, `import`, `analysis`, `tables`, `export`) knows nothing of the GUI;
//! the CLI (`cli`), the desktop app (`app`) and the tests drive it through the same API.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod dataset;
pub mod export;
pub mod fmt;
pub mod import;
pub mod init;
pub mod io_util;
pub mod model;
pub mod sample;
pub mod sample_project;
pub mod tables;
