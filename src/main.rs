//! headroom's entry point: parses the command line and maps outcomes to exit codes
//! (0 success, 1 an SLO failed or a guard aborted, 2 bad input or usage).

mod cli;
mod commands;
mod demo_data;
mod output;
mod progress;

use clap::Parser;
use std::process::ExitCode;

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = cli::Cli::try_parse().unwrap_or_else(|e| usage_error(e));
    let outcome = match cli.command {
        cli::Command::Run(args) => commands::run::run(args),
        cli::Command::Validate { scenario } => commands::validate::run(&scenario),
        cli::Command::Target(args) => commands::target::run(args),
        cli::Command::Fit(args) => commands::fit::run(args),
        cli::Command::Forecast(args) => commands::forecast::run(args),
        cli::Command::Rightsize(args) => commands::rightsize::run(args),
        cli::Command::Plan(args) => commands::plan::run(args),
        cli::Command::Review(args) => commands::review::run(args),
        cli::Command::Report(args) => commands::report::run(args),
        cli::Command::Demo(args) => commands::demo::run(args),
        cli::Command::Merge(args) => commands::merge::run(args),
        cli::Command::Compare(args) => commands::compare::run(args),
        cli::Command::Import(args) => commands::import::run(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(commands::BAD_INPUT)
        }
    }
}

/// A command line clap refused, printed without clap's tip for an unknown flag ("to
/// pass '--url' as a value, use '-- --url'"): no headroom command takes a flag-like
/// value, so the tip only misleads; the error and clap's "did you mean" stay. Exit 2.
fn usage_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let rendered = e.render().to_string();
    let kept: String = rendered
        .lines()
        .filter(|l| !l.trim_start().starts_with("tip: to pass"))
        .map(|l| format!("{l}\n"))
        .collect();
    eprint!("{}", kept.replace("\n\n\n", "\n\n"));
    std::process::exit(i32::from(commands::BAD_INPUT))
}

/// Output piped into `head` and the like ends quietly with exit 0 when the reader stops
/// reading, as Unix tools do, instead of a panic message about a broken pipe.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
