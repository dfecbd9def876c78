use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: a quote's computation and its JSON make many small
/// allocations, and glibc's malloc/free were about 15% of a preview request's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
