//! Entry point: parse the command line, then run a CLI subcommand or the desktop app.

use kdu_konzept::cli::{EXIT_USAGE, InvalidArgument, parse_args, run};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(stop) => {
            // Written, not printed: a closed output pipe is no reason to panic.
            let _ = if stop.to_stdout {
                std::io::stdout().write_all(stop.text.as_bytes())
            } else {
                std::io::stderr().write_all(stop.text.as_bytes())
            };
            return ExitCode::from(stop.code);
        }
    };
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
            if e.chain()
                .any(|c| c.downcast_ref::<InvalidArgument>().is_some())
            {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
