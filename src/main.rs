//! Entry point: parse the command line, then run a CLI subcommand or the desktop app.

use clap::Parser;
use kdu_konzept::cli::{Cli, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(command) => run(command),
        None => kdu_konzept::app::run(cli.project),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Output piped into `head` and closed early: not an error for the user.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Fehler: {e:#}");
            ExitCode::FAILURE
        }
    }
}
