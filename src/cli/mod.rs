//! The command line: `import`, `init`, `compute`, `export`, `set`, `cluster`, `explore`,
//! `sample-data`; without a subcommand the desktop app starts.
//!
//! `args` defines the arguments and the German help; each subcommand has its module with its run
//! function; `json` holds the rows of `compute --json`. [`run`] dispatches.

use crate::dataset::LoadedProject;
use crate::model::params::apply_override;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// `println!` that returns the write error instead of panicking: output piped into `head` and
/// closed early ends the command quietly (see `main`).
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)
    };
}

mod args;
mod cluster;
mod compute;
mod explore;
mod export;
mod import;
mod init;
mod json;

pub use args::{Cli, Command, ParseStop, parse_args};
pub use json::{CellJson, WeightsJson, cells_json};

use cluster::cmd_cluster;
use compute::cmd_compute;
use explore::{ExploreArgs, cmd_explore};
use export::cmd_export;
use import::cmd_import;
use init::cmd_init;

/// Runs a subcommand; `Ok(())` → exit code 0.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Import {
            file,
            sheet,
            kind,
            header_row,
            json,
        } => cmd_import(&file, sheet, kind, header_row, json),
        Command::Init {
            project,
            sources,
            kinds,
            gemeinden,
            recipients,
            neighbours,
            boundaries,
            land,
            stichtag,
            name,
        } => cmd_init(
            &project,
            &sources,
            &kinds,
            [gemeinden, recipients, neighbours, boundaries],
            land,
            stichtag,
            name,
        ),
        Command::Compute {
            project,
            json,
            overrides,
        } => cmd_compute(&project, json, &overrides),
        Command::Export {
            project,
            output,
            variant,
            overrides,
            despite_errors,
        } => cmd_export(&project, &output, &variant, &overrides, despite_errors),
        Command::Set {
            project,
            assignments,
        } => cmd_set(&project, &assignments),
        Command::Cluster {
            file,
            project,
            kmeans,
            k,
            weights,
            json,
        } => cmd_cluster(&cluster::ClusterArgs {
            file,
            project,
            kmeans,
            k,
            weights,
            json,
        }),
        Command::Explore {
            project,
            by,
            stat,
            wert,
            filter,
            alle,
            json,
            xlsx,
            csv,
            overrides,
        } => cmd_explore(&ExploreArgs {
            project,
            by,
            stat,
            wert,
            filter,
            all_records: alle,
            json,
            xlsx,
            csv,
            overrides,
        }),
        Command::SampleData { dir } => {
            let path = crate::sample_project::write_sample_project(&dir)?;
            outln!("Beispielprojekt geschrieben: {}", path.display())?;
            Ok(())
        }
    }
}

/// `set`: writes parameter changes into the project file, validated like `--set`; nothing is
/// written when one assignment is invalid.
fn cmd_set(path: &Path, assignments: &[String]) -> Result<()> {
    let mut project = crate::model::Project::load(path)?;
    let mut params = project.parameters.clone();
    for a in assignments {
        params = apply_override(&params, a)
            .map_err(|e| anyhow::Error::new(InvalidArgument(format!("{a}: {e}"))))?;
    }
    let changed: Vec<&crate::model::catalogue::Spec> = crate::model::catalogue::CATALOGUE
        .iter()
        .filter(|s| s.value(&params) != s.value(&project.parameters))
        .collect();
    // Structured keys (e.g. wohnflaechen.land, wohnflaechen.sizes) are not catalogue entries:
    // name them as they were given when the parameters changed.
    let structured: Vec<(&str, &str)> = if params == project.parameters {
        Vec::new()
    } else {
        assignments
            .iter()
            .filter_map(|a| a.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, _)| crate::model::catalogue::find(k).is_none())
            .collect()
    };
    project.parameters = params;
    project.save(path)?;
    for s in &changed {
        outln!(
            "{} ({}) = {}",
            s.label,
            s.path,
            s.display(&project.parameters)
        )?;
    }
    for (key, value) in &structured {
        outln!("{} ({key}) = {value}", crate::model::catalogue::label(key))?;
    }
    outln!(
        "{} Parameter geändert, gespeichert: {}",
        changed.len() + structured.len(),
        path.display()
    )?;
    Ok(())
}

/// A wrong value on the command line (e.g. `--set percentile=1.5`): the program exits with
/// code 2, like a wrong call.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidArgument(pub String);

/// Exit code for a wrong call or a wrong value on the command line.
pub const EXIT_USAGE: u8 = 2;

/// Loads a project with its data, applying `--set` overrides; warnings go to stderr.
///
/// The only place the command line applies `--set` (used by `compute` and `export`).
pub fn load_with_overrides(path: &Path, overrides: &[String]) -> Result<LoadedProject> {
    let mut lp = LoadedProject::load(path, &mut |_, _, _| true)
        .with_context(|| format!("Projekt {} konnte nicht geladen werden", path.display()))?;
    for o in overrides {
        lp.project.parameters = apply_override(&lp.project.parameters, o)
            .map_err(|e| anyhow::Error::new(InvalidArgument(format!("--set {o}: {e}"))))?;
    }
    for w in &lp.warnings {
        eprintln!("Warnung: {w}");
    }
    Ok(lp)
}
