//! The support scripts of `tests/support/` as servers on loopback, for the test crates that use
//! them (`#[path = "../support/servers.rs"] mod servers;`): a Python with `aiosmtpd` and
//! `standardwebhooks` is needed: `OFFERTE_TEST_PYTHON`, or else `target/ci-venv/bin/python`
//! (`scripts/ci-venv aiosmtpd standardwebhooks` makes it). Without one the tests are skipped
//! with a notice, unless `OFFERTE_TEST_REQUIRE_TOOLS` is set.
#![allow(
    dead_code,
    reason = "each test crate that includes this file uses only some of its servers"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The Python that runs the support scripts, or `None` (skip) when it is missing. Probed once.
pub fn python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON.get_or_init(probe_python).clone()
}

fn probe_python() -> Option<PathBuf> {
    let python = std::env::var_os("OFFERTE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/python"));
    let probe = Command::new(&python)
        .args(["-c", "import aiosmtpd, standardwebhooks"])
        .output();
    let why = match probe {
        Ok(out) if out.status.success() => return Some(python),
        Ok(out) => String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("")
            .to_owned(),
        Err(e) => e.to_string(),
    };
    let what = format!(
        "the delivery tests need a Python with aiosmtpd and standardwebhooks at {} ({why}); \
         make it with `scripts/ci-venv aiosmtpd standardwebhooks` or set OFFERTE_TEST_PYTHON",
        python.display()
    );
    if std::env::var_os("OFFERTE_TEST_REQUIRE_TOOLS").is_some() {
        panic!("{what}");
    }
    // Straight to stderr: libtest would swallow an `eprintln!` of a passing test.
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
    None
}

/// A port on loopback that refuses every connection for as long as this value lives: bound (so
/// nothing else, not even another test picking port 0, can take it) but never listening. A relay
/// or a receiver that is down.
pub struct ClosedPort {
    pub port: u16,
    _socket: socket2::Socket,
}

impl ClosedPort {
    pub fn new() -> ClosedPort {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket
            .bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .unwrap();
        let port = socket.local_addr().unwrap().as_socket().unwrap().port();
        ClosedPort {
            port,
            _socket: socket,
        }
    }
}

/// A support script running on loopback; killed when dropped.
pub struct Server {
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl Server {
    pub fn start(python: &Path, script: &str, args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/support")
            .join(script);
        let mut child = Command::new(python)
            .arg(&script)
            .arg("--dir")
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", script.display()));
        // The first line says the port; read it on a thread so a hung script cannot hang us.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let Some(port) = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} did not print its port (got {line:?})", script.display());
        };
        Server { child, port, dir }
    }

    /// Writes the (empty) file `name` in the server's folder: the signal a script started with
    /// `--down-until NAME` waits for.
    pub fn touch(&self, name: &str) {
        std::fs::write(self.path(name), b"").unwrap();
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The file `name` in the server's folder, waiting for it to appear (60 s at most: generous,
    /// for a busy CI machine).
    pub fn file(&self, name: &str) -> Vec<u8> {
        let path = self.path(name);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(bytes) = std::fs::read(&path) {
                return bytes;
            }
            assert!(
                Instant::now() < deadline,
                "{} never appeared",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn json(&self, name: &str) -> serde_json::Value {
        serde_json::from_slice(&self.file(name)).unwrap()
    }

    /// How many files named `*.{ext}` the server wrote.
    pub fn count(&self, ext: &str) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.ends_with(&format!(".{ext}")) && !name.contains("envelope")
            })
            .count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
