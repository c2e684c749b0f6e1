#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    unused_imports
)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub use testkit::{spawn_app, spawn_app_with, TestApp};

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn post_json(app: &TestApp, kommunkod: &str, body: &Value) -> (u16, Value) {
    let res = client()
        .post(app.url(&format!(
            "/api/v1/municipalities/{kommunkod}/contact-requests"
        )))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn count_requests(app: &TestApp, kommunkod: &str) -> i64 {
    store::contact_requests::count(&app.db, kommunkod)
        .await
        .unwrap()
}

pub const BIN: &str = env!("CARGO_BIN_EXE_anhorigstod");

/// Runs the real binary with a database URL; returns (exit code, stdout, stderr).
pub fn run_cli(url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("ANHORIGSTOD_DATABASE_URL", url)
        .env("ANHORIGSTOD_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `anhorigstod serve` on a random port and returns the child and its base URL.
pub fn start_server(url: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env("ANHORIGSTOD_DATABASE_URL", url)
        .env("ANHORIGSTOD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("Anhörigstöd listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    (child, base)
}
