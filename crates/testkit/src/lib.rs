//! Test helpers: a fresh database on the backend chosen by `ANHORIGSTOD_TEST_DATABASE`
//! (`sqlite`, the default, or `postgres`), and the real application served on 127.0.0.1:0.
//! The whole suite runs once per backend (see scripts/test.sh); no test skips a backend.

use domain::clock::{Clock, SystemClock};
use rand::Rng;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use store::Db;

pub mod smtp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// The backend this run tests, from `ANHORIGSTOD_TEST_DATABASE`.
pub fn backend() -> TestBackend {
    match std::env::var("ANHORIGSTOD_TEST_DATABASE").as_deref() {
        Ok("postgres") => TestBackend::Postgres,
        _ => TestBackend::Sqlite,
    }
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_base_url() -> String {
    std::env::var("ANHORIGSTOD_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database used by one test. SQLite files live in a folder removed on drop; PostgreSQL
/// databases are named `anh_test_*` and removed by scripts/test.sh before each run.
pub struct TestDb {
    pub url: String,
    dir: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A random lower-case name for databases, folders and files a test makes.
pub fn random_name() -> String {
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| char::from(b'a' + rng.gen_range(0..26u8)))
        .collect()
}

/// A new, empty database (not migrated) on the backend this run tests.
pub async fn fresh_database() -> TestDb {
    fresh_database_on(backend()).await
}

/// A new, empty database (not migrated) on the given backend, for the few tests that need both
/// in one run (schema parity).
pub async fn fresh_database_on(backend: TestBackend) -> TestDb {
    let name = random_name();
    match backend {
        TestBackend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("anh-test-{name}"));
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
            TestDb {
                url: format!("sqlite://{}/test.db", dir.display()),
                dir: Some(dir),
            }
        }
        TestBackend::Postgres => {
            use sqlx::Connection;
            let base = postgres_base_url();
            let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {base} is needed for this run: {e}"));
            sqlx::query(&format!("CREATE DATABASE anh_test_{name}"))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("create database: {e}"));
            TestDb {
                url: format!("{base}/anh_test_{name}"),
                dir: None,
            }
        }
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db: Db,
    pub state: web::AppState,
    /// The database, for the node that made it (dropped with it).
    pub _database: Option<TestDb>,
    server: tokio::task::JoinHandle<()>,
    watcher: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.watcher.abort();
    }
}

impl TestApp {
    /// The database URL, for another node on the same database.
    pub fn database_url(&self) -> Option<&str> {
        self._database.as_ref().map(|d| d.url.as_str())
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub struct Options {
    pub config: web::WebConfig,
    pub clock: Arc<dyn Clock>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            config: web::WebConfig {
                access_log: false,
                // Tests change activities through the store directly and look at once.
                activities_ttl: std::time::Duration::ZERO,
                // Tests send many forms from 127.0.0.1; the tests of the limits turn them on.
                rate_limit_per_minute: 0,
                rate_limit_municipality_per_minute: 0,
                ..web::WebConfig::default()
            },
            clock: Arc::new(SystemClock),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// The real application on a fresh, migrated database, listening on a random port.
pub async fn spawn_app_with(options: Options) -> TestApp {
    let database = fresh_database().await;
    let mut app = spawn_node(&database.url, options).await;
    app._database = Some(database);
    app
}

/// Another node of the application on the database at `url` (that another `TestApp` owns),
/// listening on its own port, with its own caches and its own change watcher.
pub async fn spawn_node(url: &str, options: Options) -> TestApp {
    let db = open_store(url).await;
    let state = web::AppState::new(db.clone(), options.clock, options.config)
        .await
        .unwrap_or_else(|e| panic!("state: {e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    let watcher = web::changes::spawn_watcher(state.clone());
    let app = web::app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestApp {
        addr,
        base: format!("http://{addr}"),
        db,
        state,
        _database: None,
        server,
        watcher,
    }
}

/// Runs raw SQL against the test database, for tests that tamper with stored rows.
pub async fn execute(db: &Db, sql: &str) {
    match &db.pools {
        store::Pools::Sqlite(p) => {
            sqlx::query(sql)
                .execute(&p.write)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        store::Pools::Postgres(p) => {
            sqlx::query(sql)
                .execute(p)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
}

/// One text value (or NULL) read with raw SQL, for tests that look at what is stored.
pub async fn fetch_text(db: &Db, sql: &str) -> Option<String> {
    let r = match &db.pools {
        store::Pools::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(&p.read).await,
        store::Pools::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    };
    r.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A clock the test moves by hand.
pub struct TestClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl TestClock {
    pub fn new(start: chrono::DateTime<chrono::Utc>) -> Arc<Self> {
        Arc::new(Self(std::sync::Mutex::new(start)))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A second-factor key for test accounts.
/// The audit key of every test database, so the whole suite runs on the keyed chain. Child
/// processes get it as `ANHORIGSTOD_AUDIT_KEY`.
pub const TEST_AUDIT_KEY: &str =
    "74657374206175646974206b6579206f6620616e686f72696773746f6420737569";

/// The TOTP key of every test database, so second-factor secrets are sealed throughout the
/// suite. Child processes get it as `ANHORIGSTOD_TOTP_KEY`.
pub const TEST_TOTP_KEY: &str =
    "7465737420746f7470206b6579206f6620616e686f72696773746f642073756974";

/// The environment that gives a child process the test keys: `Command::envs(KEY_ENV)`.
pub const KEY_ENV: [(&str, &str); 2] = [
    ("ANHORIGSTOD_AUDIT_KEY", TEST_AUDIT_KEY),
    ("ANHORIGSTOD_TOTP_KEY", TEST_TOTP_KEY),
];

/// Opens the database at `url` as the app does, with the test audit and TOTP keys.
pub async fn open_store(url: &str) -> store::Db {
    let key = store::audit::AuditKey::from_text(TEST_AUDIT_KEY)
        .unwrap_or_else(|e| panic!("test audit key: {e}"));
    let seal = store::sealed::SealKey::from_text(TEST_TOTP_KEY)
        .unwrap_or_else(|e| panic!("test TOTP key: {e}"));
    store::open(url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"))
        .with_audit_key(Some(key))
        .with_seal_key(Some(seal))
}

pub const TEST_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The policy's grant on a case to the account `user_id`, for tests that call the store
/// directly; panics if the policy says no.
pub async fn grant(app: &TestApp, user_id: i64, case_id: i64) -> store::access::CaseGrant {
    let actor = store::access::actor_of(&app.db, user_id)
        .await
        .unwrap_or_else(|e| panic!("actor: {e}"))
        .unwrap_or_else(|| panic!("no account {user_id}"));
    let verdict = store::access::case(
        &app.db,
        &actor,
        domain::policy::Action::ReadCase,
        case_id,
        None,
        app.state.clock.now(),
        &store::audit::Origin::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("grant: {e}"));
    match verdict {
        store::access::Verdict::Granted(g) => g,
        other => panic!("account {user_id} may not reach case {case_id}: {other:?}"),
    }
}

/// A grant on any case of `kommunkod` for a test that only reads it: a fresh case officer
/// under emergency access (which the audit log flags, as it would for anyone).
pub async fn reading_grant(
    app: &TestApp,
    kommunkod: &str,
    case_id: i64,
) -> store::access::CaseGrant {
    let email = format!("lasare-{}@test.example", rand::thread_rng().gen::<u32>());
    let reader = create_staff(
        app,
        Some(kommunkod),
        "case-officer",
        &email,
        "x",
        false,
        None,
    )
    .await;
    let actor = store::access::actor_of(&app.db, reader)
        .await
        .unwrap_or_else(|e| panic!("actor: {e}"))
        .unwrap_or_else(|| panic!("no account {reader}"));
    let verdict = store::access::case(
        &app.db,
        &actor,
        domain::policy::Action::ReadCase,
        case_id,
        Some("Testet läser ärendet direkt."),
        app.state.clock.now(),
        &store::audit::Origin::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("grant: {e}"));
    match verdict {
        store::access::Verdict::Granted(g) => g,
        other => panic!("case {case_id} not reachable: {other:?}"),
    }
}

/// Creates a staff account with a cheap password hash, optionally with a second factor and
/// a unit. Returns its id.
pub async fn create_staff(
    app: &TestApp,
    kommunkod: Option<&str>,
    role: &str,
    email: &str,
    password: &str,
    with_totp: bool,
    unit: Option<&str>,
) -> i64 {
    let hash = web::staff::auth::hash_password(web::staff::auth::HashCost::TestOnlyCheap, password)
        .unwrap_or_else(|e| panic!("hash: {e:?}"));
    let origin = store::audit::Origin {
        actor: "test".into(),
        role: "system".into(),
        ..Default::default()
    };
    let now = app.state.clock.now();
    let id = store::staff::create(
        &app.db, kommunkod, email, email, role, &hash, false, now, &origin,
    )
    .await
    .unwrap_or_else(|e| panic!("create staff: {e}"))
    .unwrap_or_else(|| panic!("{email} exists"));
    if with_totp {
        store::staff::set_totp(&app.db, id, Some(TEST_TOTP_SECRET), now, &origin)
            .await
            .unwrap_or_else(|e| panic!("totp: {e}"));
    }
    if let (Some(unit), Some(k)) = (unit, kommunkod) {
        let u = store::staff::ensure_unit(&app.db, k, unit)
            .await
            .unwrap_or_else(|e| panic!("unit: {e}"));
        store::staff::add_to_unit(&app.db, id, u)
            .await
            .unwrap_or_else(|e| panic!("unit: {e}"));
    }
    id
}

/// The code the test key gives at the app's current time.
pub fn totp_now(app: &TestApp, secret: &str) -> String {
    let s =
        domain::totp::TotpSecret::from_base32(secret).unwrap_or_else(|e| panic!("secret: {e:?}"));
    domain::totp::totp_at(&s, app.state.clock.now().timestamp())
}
