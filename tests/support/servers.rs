//! The support scripts of `tests/support/` as servers on loopback, for the test crates that use
//! them (`#[path = "../support/servers.rs"] mod servers;`): a Python with `aiosmtpd` and
//! `standardwebhooks` is needed ([`python`]; for the S3 server, one with `moto[server]`:
//! [`s3_python`]): `OFFERTE_TEST_PYTHON`, or else `target/ci-venv/bin/python`
//! (`scripts/ci-venv aiosmtpd standardwebhooks 'moto[server]'` makes it). Without one the tests
//! are skipped with a notice, unless `OFFERTE_TEST_REQUIRE_TOOLS` is set.
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

/// The Python that runs the S3 server (`s3_server.py`: moto with its server extra), or `None`
/// (skip) when it is missing. Probed once.
pub fn s3_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            probe(
                "import boto3, flask, moto.server",
                "the S3 archive tests need a Python with moto[server]",
                "scripts/ci-venv 'moto[server]'",
            )
        })
        .clone()
}

fn probe_python() -> Option<PathBuf> {
    probe(
        "import aiosmtpd, standardwebhooks",
        "the delivery tests need a Python with aiosmtpd and standardwebhooks",
        "scripts/ci-venv aiosmtpd standardwebhooks",
    )
}

/// The test Python if `imports` work in it; else a notice and `None`, or a panic when
/// `OFFERTE_TEST_REQUIRE_TOOLS` is set.
fn probe(imports: &str, needs: &str, make: &str) -> Option<PathBuf> {
    let python = std::env::var_os("OFFERTE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/python"));
    let probe = Command::new(&python).args(["-c", imports]).output();
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
        "{needs} at {} ({why}); make it with `{make}` or set OFFERTE_TEST_PYTHON",
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

    /// Stops the server now (a store that went down); dropping it later does nothing more.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

/// An S3-compatible server (moto, `tests/support/s3_server.py`) on loopback with one bucket;
/// stopped when dropped. It takes any credentials: the tests give [`S3Server::ACCESS_KEY`] and
/// [`S3Server::SECRET_KEY`] to the archive explicitly (`S3Location::with_credentials`), so no
/// test sets a process-wide `AWS_` variable.
pub struct S3Server {
    pub bucket: String,
    server: Server,
}

impl S3Server {
    pub const ACCESS_KEY: &str = "offerte-test";
    pub const SECRET_KEY: &str = "offerte-test-secret";

    pub fn start(python: &Path, bucket: &str) -> S3Server {
        let server = Server::start(python, "s3_server.py", &["--bucket", bucket]);
        S3Server {
            bucket: bucket.to_string(),
            server,
        }
    }

    pub fn port(&self) -> u16 {
        self.server.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    /// The `document_store` URL of `prefix` (may be empty) in the bucket.
    pub fn url(&self, prefix: &str) -> String {
        format!(
            "s3://{}/{prefix}?endpoint={}&region=eu-west-1",
            self.bucket,
            self.endpoint()
        )
    }

    /// Stops the server now: the store went down.
    pub fn stop(&mut self) {
        self.server.stop();
    }
}
