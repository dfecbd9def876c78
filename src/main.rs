use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = offerte::cli::Cli::parse();
    match offerte::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("offerte: {error:#}");
            ExitCode::FAILURE
        }
    }
}
