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

/// A write token for the member of staff.
pub async fn write_token(app: &TestApp, user: i64) -> String {
    let scopes = domain::api_token::parse_scopes(&["write".to_owned()]).unwrap();
    store::tokens::create(
        &app.db,
        user,
        &scopes,
        chrono::Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap()
}

/// A member of staff of 0380 in unit A, with the second factor set up (password
/// "korv med bröd och senap"): their id.
pub async fn staff_in_unit_a(app: &TestApp, role: &str, email: &str) -> i64 {
    testkit::create_staff(
        app,
        Some("0380"),
        role,
        email,
        "korv med bröd och senap",
        true,
        Some("A"),
    )
    .await
}

/// One call of the staff API with a bearer token: (status, JSON body or null).
pub async fn api(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let c = client();
    let url = app.url(path);
    let mut req = match method {
        "GET" => c.get(url),
        _ => c.post(url),
    }
    .header("authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The app on 2026-11-25, the municipality there since January (so staff may back-date).
pub async fn app_on_2026_11_25() -> TestApp {
    use chrono::TimeZone;
    let start = chrono::Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap();
    let clock = testkit::TestClock::new(start);
    let app = spawn_app_with(testkit::Options {
        clock: clock.clone(),
        ..testkit::Options::default()
    })
    .await;
    testkit::create_staff(
        &app,
        Some("0380"),
        "municipal-admin",
        "forsta@kommun.example",
        "korv med bröd och senap",
        true,
        None,
    )
    .await;
    clock.advance(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
            .unwrap()
            - start,
    );
    app
}

pub async fn count_requests(app: &TestApp, kommunkod: &str) -> i64 {
    store::contact_requests::count(&app.db, kommunkod)
        .await
        .unwrap()
}

pub const BIN: &str = env!("CARGO_BIN_EXE_anhorigstod");

/// Runs the real binary with a database URL and the test keys; returns (exit code, stdout,
/// stderr).
pub fn run_cli(url: &str, args: &[&str]) -> (i32, String, String) {
    run_cli_with(url, args, &testkit::KEY_ENV, &[])
}

/// Runs the real binary with a database URL and the given environment (`envs` set, `remove`
/// taken away); returns (exit code, stdout, stderr).
pub fn run_cli_with(
    url: &str,
    args: &[&str],
    envs: &[(&str, &str)],
    remove: &[&str],
) -> (i32, String, String) {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("ANHORIGSTOD_DATABASE_URL", url)
        .env("ANHORIGSTOD_LOG", "warn");
    for k in remove {
        c.env_remove(k);
    }
    let out = c.envs(envs.iter().copied()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `/personal/nytt-losenord/…` path in a mail's text.
pub fn password_link_in(text: &str) -> String {
    text.split_whitespace()
        .find_map(|w| {
            w.find("/personal/nytt-losenord/")
                .map(|i| w[i..].to_owned())
        })
        .unwrap_or_else(|| panic!("no password link in {text}"))
}

/// Starts `anhorigstod serve` on a random port and returns the child and its base URL.
pub fn start_server(url: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env("ANHORIGSTOD_DATABASE_URL", url)
        .envs(testkit::KEY_ENV)
        .env("ANHORIGSTOD_LOG", "warn")
        // Load from one address; abuse.rs starts the binary with its limits on.
        .env("ANHORIGSTOD_RATE_LIMIT_PER_MINUTE", "0")
        .env("ANHORIGSTOD_RATE_LIMIT_MUNICIPALITY_PER_MINUTE", "0")
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

/// A client that keeps cookies by hand (Secure cookies included, over plain HTTP in tests),
/// like a browser with JavaScript off.
pub struct Browser {
    pub base: String,
    pub cookies: std::collections::BTreeMap<String, String>,
    pub addr_header: Option<String>,
    http: reqwest::Client,
}

pub struct Page {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
}

impl Page {
    /// The value of the first hidden `_csrf` field on the page.
    pub fn csrf(&self) -> String {
        let i = self
            .body
            .find("name=\"_csrf\" value=\"")
            .unwrap_or_else(|| panic!("no _csrf on page: {}", self.body));
        let rest = &self.body[i + 20..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.base.clone(),
            cookies: Default::default(),
            addr_header: None,
            http: client(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, res: &reqwest::Response) -> Vec<String> {
        let mut all = Vec::new();
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap().to_owned();
            let (kv, _) = v.split_once(';').unwrap_or((&v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if v.contains("Max-Age=0") || val.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
            all.push(v);
        }
        all
    }

    async fn finish(&mut self, res: reqwest::Response) -> Page {
        let set_cookies = self.keep(&res);
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        Page {
            status,
            location,
            set_cookies,
            body: res.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(res).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(res).await
    }

    /// Answers a confirmation page (a final step's question) yes: posts its form again, with
    /// every hidden value as the page holds it.
    pub async fn confirm(&mut self, question: &Page) -> Page {
        let body = &question.body;
        // The form that carries the confirmation (the layout has a sign-out form too).
        let yes = body
            .find("name=\"_confirmed\" value=\"yes\"")
            .unwrap_or_else(|| panic!("not a confirmation page: {body}"));
        let form = body[..yes]
            .rfind("<form method=\"post\" action=\"")
            .unwrap_or_else(|| panic!("no form on the confirmation page: {body}"));
        let rest = &body[form + 28..];
        let action = unescape(&rest[..rest.find('"').unwrap()]);
        let form_html = &rest[..rest.find("</form>").unwrap()];
        let mut pairs = Vec::new();
        for part in form_html.split("<input type=\"hidden\" name=\"").skip(1) {
            let (name, after) = part.split_once('"').unwrap();
            let value = after
                .split_once("value=\"")
                .and_then(|(_, v)| v.split_once('"'))
                .map(|(v, _)| unescape(v))
                .unwrap_or_default();
            pairs.push((unescape(name), value));
        }
        assert!(
            pairs.iter().any(|(k, v)| k == "_confirmed" && v == "yes"),
            "not a confirmation page: {body}"
        );
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(&action, &refs).await
    }

    /// Password step only; returns the answer to the POST.
    pub async fn password(&mut self, email: &str, password: &str) -> Page {
        let login = self.get("/personal/logga-in").await;
        let csrf = login.csrf();
        self.post(
            "/personal/logga-in",
            &[("_csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// Both steps with the given code; returns the answer to the code POST.
    pub async fn code(&mut self, code: &str) -> Page {
        let page = self.get("/personal/tvastegs").await;
        let csrf = page.csrf();
        self.post("/personal/tvastegs", &[("_csrf", &csrf), ("code", code)])
            .await
    }

    /// Signs in fully with the test key; panics if it does not reach the inbox.
    pub async fn sign_in(&mut self, app: &TestApp, email: &str, password: &str) {
        let p = self.password(email, password).await;
        assert_eq!(
            p.location.as_deref(),
            Some("/personal/tvastegs"),
            "password step: {}",
            p.status
        );
        let p = self
            .code(&testkit::totp_now(app, testkit::TEST_TOTP_SECRET))
            .await;
        // Case readers start in the inbox, administrators among the accounts.
        let start = p.location.as_deref().unwrap_or_default();
        assert!(
            start == "/personal/inkorg" || start == "/personal/admin/anvandare",
            "code step: {} {start} {}",
            p.status,
            p.body
        );
    }
}

/// The text of an HTML attribute as askama escapes it.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

// ---- plain HTTP, as a browser without JavaScript ----

/// GET a page; returns (status, body).
pub async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = client().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a urlencoded form; returns (status, location, body).
pub async fn post_form(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let r = client()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, location, r.text().await.unwrap())
}

// ---- reading the database ----

/// One integer from the test database (read pool).
pub async fn scalar(app: &TestApp, sql: &str) -> i64 {
    match &app.db.pools {
        store::Pools::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(&p.read).await.unwrap(),
        store::Pools::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// One text value from the test database (read pool).
pub async fn text(app: &TestApp, sql: &str) -> String {
    match &app.db.pools {
        store::Pools::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(&p.read).await.unwrap(),
        store::Pools::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// Every audit event so far, oldest first (read from audit_log).
pub async fn audit(app: &TestApp) -> Vec<store::audit::AuditEvent> {
    store::audit::rows_after(&app.db, 0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.event)
        .collect()
}

/// The events with this action.
pub fn named(events: &[store::audit::AuditEvent], action: &str) -> Vec<store::audit::AuditEvent> {
    events
        .iter()
        .filter(|e| e.action == action)
        .cloned()
        .collect()
}

// ---- staff ----

/// The password of staff accounts made by `staff` and `staff_with_id`.
pub const STAFF_PW: &str = "korv med bröd och senap";

/// A new account with the test second factor, signed in; returns the browser and the id.
pub async fn staff_with_id(app: &TestApp, kommun: &str, role: &str, email: &str) -> (Browser, i64) {
    let id = testkit::create_staff(app, Some(kommun), role, email, STAFF_PW, true, None).await;
    let mut b = Browser::new(app);
    b.sign_in(app, email, STAFF_PW).await;
    (b, id)
}

/// A new account with the test second factor, signed in.
pub async fn staff(app: &TestApp, kommun: &str, role: &str, email: &str) -> Browser {
    staff_with_id(app, kommun, role, email).await.0
}
