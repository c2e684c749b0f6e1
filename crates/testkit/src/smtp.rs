//! A real SMTP server for tests: Python's aiosmtpd (`scripts/setup-test-env.sh` installs it)
//! as a child process on 127.0.0.1, running `smtp_sink.py`. It parses every message with
//! Python's `email` package, independent of the sending code, and keeps it as a folder of
//! plain files, so nothing here needs a MIME or JSON parser.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp_sink.py");

/// One message as the sink received it, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The To header.
    pub to: String,
    /// The Subject header, decoded (å ä ö as written).
    pub subject: String,
    pub message_id: String,
    /// The decoded text/plain part, with `\n` line endings.
    pub text: String,
    /// The decoded text/html part, with `\n` line endings.
    pub html: String,
    /// The message as it came over the wire, for assertions on headers.
    pub raw: String,
}

/// The SMTP server process. Dropping it kills the process and removes its folder.
pub struct SmtpSink {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl SmtpSink {
    /// Starts the server on a free port, with an empty message folder.
    pub fn start() -> SmtpSink {
        let dir = std::env::temp_dir().join(format!("anh-smtp-{}", crate::random_name()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("smtp sink folder: {e}"));
        let (child, port) = launch(&dir, 0);
        SmtpSink {
            child: Some(child),
            port,
            dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The folder messages are stored in.
    pub fn folder(&self) -> &Path {
        &self.dir
    }

    /// Kills the server and waits for it (no zombie). Messages already stored stay.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, keeping the messages received so far.
    pub fn restart(&mut self) {
        self.stop();
        // The port was just released; another process could take it in between, or the
        // kernel could be slow to let go, so try for a few seconds before failing.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match try_launch(&self.dir, self.port) {
                Ok((child, _)) => {
                    self.child = Some(child);
                    return;
                }
                Err(e) if Instant::now() >= deadline => {
                    panic!("smtp sink: restart on port {}: {e}", self.port)
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut folders: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "msg"))
            .collect();
        folders.sort();
        folders
            .iter()
            .map(|f| {
                let field = |name: &str| std::fs::read_to_string(f.join(name)).unwrap_or_default();
                Received {
                    to: field("to"),
                    subject: field("subject"),
                    message_id: field("message_id"),
                    text: field("text"),
                    html: field("html"),
                    raw: field("raw"),
                }
            })
            .collect()
    }

    /// Waits until at least `n` messages have arrived or `timeout` has passed, and returns
    /// what is there then.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.messages();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn launch(dir: &Path, port: u16) -> (Child, u16) {
    try_launch(dir, port).unwrap_or_else(|e| {
        panic!("smtp sink: {e} (is aiosmtpd installed? run scripts/setup-test-env.sh)")
    })
}

/// Starts the script and waits for its "ready PORT" line.
fn try_launch(dir: &Path, port: u16) -> Result<(Child, u16), String> {
    let mut child = Command::new("python3")
        .arg(SCRIPT)
        .arg(dir)
        .arg(port.to_string())
        // Held open by us; the script exits when it closes, should this process die.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let Some(stdout) = child.stdout.take() else {
        kill(&mut child);
        return Err("no stdout".into());
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
    let bound = line
        .strip_prefix("ready ")
        .and_then(|p| p.trim().parse::<u16>().ok());
    match bound {
        Some(p) if port == 0 || p == port => Ok((child, p)),
        _ => {
            kill(&mut child);
            Err(format!("did not start (said {:?})", line.trim()))
        }
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}
