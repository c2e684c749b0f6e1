//! `anhorigstod`: the one binary. Serves the portal and API, migrates, seeds the demo,
//! imports and exports catalogues, lists contact requests and verifies the audit log.

mod config;
mod demo;
mod generate;
mod retention;
mod users;

use clap::{Args, Parser, Subcommand, ValueEnum};
use config::{load_file, parse_served, FileConfig, Municipalities};
use domain::catalogue::Catalogue;
use domain::clock::SystemClock;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use store::contact_requests::Origin;

#[derive(Parser)]
#[command(
    name = "anhorigstod",
    version,
    about = "Anhörigstöd: support for informal carers, for Swedish municipalities"
)]
struct Cli {
    /// A TOML configuration file (default: ./anhorigstod.toml when it exists).
    #[arg(long, global = true, env = "ANHORIGSTOD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// sqlite://PATH (default sqlite://data/anhorigstod.db) or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "ANHORIGSTOD_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal and the API.
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "ANHORIGSTOD_BIND")]
        bind: Option<String>,
        #[command(flatten)]
        db: DbArgs,
        /// Serve all 290 municipalities and seed a demo municipality with fake data.
        #[arg(long)]
        demo: bool,
        /// "all" or a comma-separated list of kommunkoder to serve.
        #[arg(long, env = "ANHORIGSTOD_MUNICIPALITIES")]
        municipalities: Option<String>,
        /// Log format: json or pretty.
        #[arg(long, env = "ANHORIGSTOD_LOG_FORMAT")]
        log_format: Option<String>,
        /// Demo and training only: let the clock say this date is today (YYYY-MM-DD), so a
        /// session can live through deadlines. Refused without --demo.
        #[arg(long, requires = "demo")]
        today: Option<chrono::NaiveDate>,
    },
    /// Apply database migrations and load the municipality list, then exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Seed the demo municipality (as `serve --demo` does) and exit; `demo code` prints a
    /// demo account's current sign-in code.
    Demo {
        #[command(subcommand)]
        action: Option<DemoAction>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Fill the database with fake but consistent demo data (national or one municipality)
    /// for load tests; refuses municipalities that already hold persons or cases.
    Generate {
        #[command(flatten)]
        args: generate::GenerateArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Import or export a municipality's support catalogue.
    Catalogue {
        #[command(subcommand)]
        action: CatalogueAction,
    },
    /// Contact requests ("Be om ett samtal").
    Requests {
        #[command(subcommand)]
        action: RequestsAction,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Retention (gallring): what the rules say is due, and removing it.
    Retention {
        #[command(subcommand)]
        action: RetentionAction,
    },
}

#[derive(Subcommand)]
enum RetentionAction {
    /// List what would be removed (kind, id, reason, due date); changes nothing.
    Plan {
        /// The day to plan for (default today); a later day shows what comes due.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// One municipality's kommunkod (default all).
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove what is due today and write each removal to the audit log; safe to run again.
    Run {
        /// One municipality's kommunkod (default all).
        #[arg(long)]
        municipality: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum DemoAction {
    /// Print the current second-factor code of a demo account (refused for real accounts).
    Code {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create an account. Without --password-stdin a strong password is made and printed once.
    Add {
        /// The municipality's kommunkod (not for system-admin).
        #[arg(long)]
        municipality: Option<String>,
        /// carer-support-officer, case-officer, unit-manager, municipal-admin or system-admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
        /// The name shown to colleagues (default: the e-mail address).
        #[arg(long)]
        name: Option<String>,
        /// A unit of the municipality to put the account in (created if missing).
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Stop an account from signing in; its sessions and tokens end at once.
    Disable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Let a disabled account sign in again.
    Enable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// End the password: the holder is mailed a link (24 hours) to choose a new one, or
    /// --password-stdin sets the given one; either way its sessions and tokens end.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List accounts as JSON.
    List {
        #[arg(long)]
        municipality: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Seal every second-factor secret with the configured TOTP key: once after setting the
    /// key, and with --old-key-file to rotate it.
    SealTotp {
        /// The file holding the TOTP key the secrets are sealed with now.
        #[arg(long)]
        old_key_file: Option<std::path::PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create an API token for an account; prints only the token.
    Create {
        #[arg(long)]
        email: String,
        /// What the token may do: read, write (default: read). Any other name is an error.
        #[arg(long = "scope", num_args = 1..)]
        scopes: Vec<String>,
        /// How long the token works: e.g. 90d, 12h, 2w (at most 366 days).
        #[arg(long, default_value = "90d")]
        expires_in: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List an account's tokens: id, scopes, created, expires, last used, state. Never the secret.
    List {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke one token by its id (from `token list`); it stops working at once.
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Toml,
    Json,
}

#[derive(Subcommand)]
enum CatalogueAction {
    /// Print the current catalogue of a municipality (or "national").
    Export {
        #[arg(long)]
        municipality: String,
        #[arg(long, value_enum, default_value = "toml")]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Store a catalogue file as the municipality's new current version (the old ones stay).
    Import {
        #[arg(long)]
        municipality: String,
        /// The file; its format is taken from the ending (.toml or .json).
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum RequestsAction {
    /// List a municipality's contact requests, newest first. The read is audit-logged.
    List {
        #[arg(long)]
        municipality: String,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Why you read them, for the audit log.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Check the chain; exits non-zero and names the first bad row if it is broken.
    Verify {
        /// A head noted earlier by `audit checkpoint`: the log must still reach it, unchanged.
        #[arg(long)]
        checkpoint: Option<store::audit::Checkpoint>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Check the chain, then print its head as SEQ:MAC, to be kept outside the database.
    Checkpoint {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Sign an old log (made without a key) with the configured key, once; see the operations notes.
    Rekey {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Re-sign the whole log with the configured (new) key after checking it with the old one.
    RotateKey {
        /// The file holding the key the log is signed with now.
        #[arg(long)]
        old_key_file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a fresh random key (64 hex digits) for audit_key_file.
    NewKey,
}

/// Opens the database named by the flags or the configuration, with the audit key.
async fn open_store(args: &DbArgs, file: &FileConfig) -> Result<store::Db, String> {
    open_url(&database_url(args, file), file).await
}

/// Opens the database at `url` with the configured audit and TOTP keys, and refuses a key
/// that does not match the log or the sealed secrets, or a keyed log without its key.
async fn open_url(url: &str, file: &FileConfig) -> Result<store::Db, String> {
    let store = open_keyed(url, file).await?;
    let unsealed = store::sealed::check_key(&store)
        .await
        .map_err(|e| e.to_string())?;
    if unsealed > 0 && store.seal_key().is_some() {
        tracing::warn!(
            unsealed,
            "second-factor secrets stored before the TOTP key: run `anhorigstod user seal-totp` once"
        );
    }
    Ok(store)
}

/// Opens the database with both keys, checking the audit key only (for `user seal-totp`,
/// which may find secrets sealed with an older TOTP key).
async fn open_keyed(url: &str, file: &FileConfig) -> Result<store::Db, String> {
    let key = config::audit_key(file, |k| std::env::var(k).ok()).map_err(|e| e.to_string())?;
    let seal = config::totp_key(file, |k| std::env::var(k).ok()).map_err(|e| e.to_string())?;
    let store = store::open(url)
        .await
        .map_err(|e| e.to_string())?
        .with_audit_key(key)
        .with_seal_key(seal);
    store::audit::check_key(&store)
        .await
        .map_err(|e| e.to_string())?;
    Ok(store)
}

fn database_url(args: &DbArgs, file: &FileConfig) -> String {
    args.database_url
        .clone()
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| store::db::DEFAULT_SQLITE_URL.to_owned())
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ANHORIGSTOD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "pretty" {
        builder.init();
    } else {
        builder.json().init();
    }
}

fn cli_origin(reason: Option<String>) -> Origin {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Origin {
        actor: format!("cli:{user}"),
        role: "system".into(),
        request_id: reason.map(|r| format!("reason: {r}")),
        client_addr: None,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("anhorigstod: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let file = load_file(cli.config.as_deref()).map_err(|e| e.to_string())?;
    match cli.command {
        Command::Serve {
            bind,
            db,
            demo,
            municipalities,
            log_format,
            today,
        } => {
            let log_format = log_format
                .or(file.log_format.clone())
                .unwrap_or_else(|| "json".into());
            init_logging(&log_format);
            // Read before any work, so a bad mail setting stops the start at once.
            let smtp = config::smtp_settings(&file, |k| std::env::var(k).ok())
                .map_err(|e| e.to_string())?;
            let abuse = config::abuse_settings(&file, |k| std::env::var(k).ok())
                .map_err(|e| e.to_string())?;
            let url = database_url(&db, &file);
            let store = open_url(&url, &file).await?;
            if store.audit_key().is_none() {
                tracing::warn!(
                    "the audit log is not keyed: set audit_key_file (or ANHORIGSTOD_AUDIT_KEY) so that someone who can write to the database cannot rewrite it unseen"
                );
            }
            if store.seal_key().is_none() {
                tracing::warn!(
                    "second-factor secrets are stored unsealed: set totp_key_file (or ANHORIGSTOD_TOTP_KEY) so that a copy of the database does not give away every second factor"
                );
            }
            let served = match municipalities
                .map(Municipalities::All)
                .or(file.municipalities.clone())
            {
                _ if demo => web::Served::All,
                Some(m) => parse_served(&m).map_err(|e| e.to_string())?,
                None => web::Served::All,
            };
            if demo {
                demo::seed(&store).await.map_err(|e| e.to_string())?;
            }
            let bind = bind
                .or(file.bind.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into());
            // Links in e-mails and calendars; behind a proxy this is the public address.
            let public_url = config::public_url(&file, &bind, |k| std::env::var(k).ok());
            let config = web::WebConfig {
                served,
                access_log: file.access_log.unwrap_or(true),
                content_ttl: file
                    .content_cache_seconds
                    .map_or(web::content::DEFAULT_TTL, std::time::Duration::from_secs),
                public_url,
                metrics_token: std::env::var("ANHORIGSTOD_METRICS_TOKEN")
                    .ok()
                    .filter(|v| !v.trim().is_empty())
                    .or(file.metrics_token.clone()),
                hsts: match std::env::var("ANHORIGSTOD_HSTS") {
                    Ok(v) if !v.trim().is_empty() => v.trim().eq_ignore_ascii_case("true"),
                    _ => file.hsts.unwrap_or(false),
                },
                rate_limit_per_minute: abuse.rate_limit_per_minute,
                rate_limit_municipality_per_minute: abuse.rate_limit_municipality_per_minute,
                trusted_proxies: abuse.trusted_proxies,
                retention_open_support_months: config::retention_open_support_months(&file, |k| {
                    std::env::var(k).ok()
                })
                .map_err(|e| e.to_string())?,
                ..web::WebConfig::default()
            };
            let clock: Arc<dyn domain::clock::Clock> = match today {
                Some(d) => Arc::new(domain::clock::ShiftedClock::starting(d)),
                None => Arc::new(SystemClock),
            };
            let state = web::AppState::new(store.clone(), clock, config)
                .await
                .map_err(|e| e.to_string())?;
            // Other nodes on the same database drop their cached copies of what this one changes.
            let watcher = web::changes::spawn_watcher(state.clone());
            let mail_worker = match smtp {
                Some(smtp) => {
                    tracing::info!(
                        host = %smtp.host,
                        port = smtp.port,
                        "mail: sending the outbox over SMTP"
                    );
                    Some(mail::spawn(
                        store.clone(),
                        state.clock.clone(),
                        smtp,
                        mail::WorkerSettings::default(),
                    ))
                }
                None => {
                    tracing::info!("mail: no smtp_host set; e-mail stays in the outbox");
                    None
                }
            };
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            // Startup lines go to stdout for people and test harnesses; a closed stdout must
            // not stop the server, so write errors are ignored rather than panicking.
            let mut lines = vec![format!("Anhörigstöd listening on http://{addr}")];
            if demo {
                lines.push(format!(
                    "Demo municipality: http://{addr}/kommun/{}",
                    demo::DEMO_KOMMUNKOD
                ));
                lines.push(format!("Staff sign-in: http://{addr}/personal/logga-in"));
                lines.push(format!(
                    "Demo staff logins (password for all: {}):",
                    demo::DEMO_PASSWORD
                ));
                for s in demo::DEMO_STAFF {
                    lines.push(format!("  {:<28} {}", s.email, s.role));
                }
                lines.push(
                    "Second-step code for a demo login: anhorigstod demo code --email EMAIL (or add key DEMO ANHO RIGS TODD EMOA NHOR IGST OD22 to an authenticator app)".into(),
                );
            }
            say(&lines);
            tracing::info!(%addr, backend = ?store.backend(), "listening");
            let app = web::app(state).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown_signal())
                .await
                .map_err(|e| e.to_string())?;
            // Stopped before the pool closes; a message cut off mid-send is still claimed
            // and goes again when its lease ends.
            if let Some(worker) = mail_worker {
                worker.abort();
            }
            watcher.abort();
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { db } => {
            let store = open_store(&db, &file).await?;
            println!("migrated ({:?})", store.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { action: None, db } => {
            let store = open_store(&db, &file).await?;
            demo::seed(&store).await.map_err(|e| e.to_string())?;
            println!("demo municipality {} seeded", demo::DEMO_KOMMUNKOD);
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            action: Some(DemoAction::Code { email, db }),
            ..
        } => {
            let store = open_store(&db, &file).await?;
            let creds = store::staff::credentials(&store, &email)
                .await
                .map_err(|e| e.to_string())?;
            match creds {
                Some(c) if c.user.is_demo => {
                    let secret = c
                        .totp_secret
                        .as_deref()
                        .and_then(|s| domain::totp::TotpSecret::from_base32(s).ok())
                        .ok_or("this demo account has no second factor")?;
                    say(&[domain::totp::totp_at(
                        &secret,
                        chrono::Utc::now().timestamp(),
                    )]);
                    Ok(ExitCode::SUCCESS)
                }
                _ => Err(format!("{email} is not a demo account")),
            }
        }
        Command::Generate { args, db } => {
            generate::run(&database_url(&db, &file), &file, args).await
        }
        Command::User { action } => users::run(action, &file).await,
        Command::Token { action } => tokens(action, &file).await,
        Command::Catalogue { action } => catalogue(action, &file).await,
        Command::Requests {
            action:
                RequestsAction::List {
                    municipality,
                    limit,
                    reason,
                    db,
                },
        } => {
            let store = open_store(&db, &file).await?;
            let rows = store::contact_requests::queue(
                &store,
                &municipality,
                None,
                limit,
                chrono::Utc::now(),
                &cli_origin(reason),
            )
            .await
            .map_err(|e| e.to_string())?;
            let json = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { action } => audit(action, &file).await,
        Command::Retention { action } => retention::run(action, &file).await,
    }
}

async fn audit(action: AuditAction, file: &FileConfig) -> Result<ExitCode, String> {
    let verdict = match action {
        AuditAction::NewKey => {
            say(&[store::audit::AuditKey::generate()]);
            return Ok(ExitCode::SUCCESS);
        }
        AuditAction::Verify { checkpoint, db } => {
            let store = open_store(&db, file).await?;
            store::audit::verify_with(&store, store.audit_key(), checkpoint.as_ref())
                .await
                .map_err(|e| e.to_string())?
        }
        AuditAction::Checkpoint { db } => {
            let store = open_store(&db, file).await?;
            match store::audit::checkpoint(&store, store.audit_key())
                .await
                .map_err(|e| e.to_string())?
            {
                Ok(cp) => {
                    say(&[cp.to_string()]);
                    return Ok(ExitCode::SUCCESS);
                }
                Err(broken) => broken,
            }
        }
        AuditAction::Rekey { db } => {
            let url = database_url(&db, file);
            let key = config::audit_key(file, |k| std::env::var(k).ok())
                .map_err(|e| e.to_string())?
                .ok_or("rekey needs the key: set audit_key_file or ANHORIGSTOD_AUDIT_KEY")?;
            // Opened without the key, since the log may still be unkeyed.
            let store = store::open(&url).await.map_err(|e| e.to_string())?;
            store::audit::rekey(&store, &key, chrono::Utc::now(), &cli_origin(None))
                .await
                .map_err(|e| e.to_string())?
        }
        AuditAction::RotateKey { old_key_file, db } => {
            let url = database_url(&db, file);
            let new = config::audit_key(file, |k| std::env::var(k).ok())
                .map_err(|e| e.to_string())?
                .ok_or(
                    "rotate-key needs the new key: set audit_key_file or ANHORIGSTOD_AUDIT_KEY",
                )?;
            let old =
                store::audit::AuditKey::from_file(&old_key_file).map_err(|e| e.to_string())?;
            // Opened without a key: the log is signed with the old one until this is done.
            let store = store::open(&url).await.map_err(|e| e.to_string())?;
            store::audit::rotate(&store, &old, &new, chrono::Utc::now(), &cli_origin(None))
                .await
                .map_err(|e| e.to_string())?
        }
    };
    match verdict {
        store::audit::Verdict::Intact { rows } => {
            println!("audit log intact: {rows} rows");
            Ok(ExitCode::SUCCESS)
        }
        store::audit::Verdict::Broken { seq, why } => {
            println!("audit log broken at row {seq}: {why}");
            Ok(ExitCode::from(2))
        }
    }
}

async fn tokens(action: TokenAction, file: &FileConfig) -> Result<ExitCode, String> {
    let now = chrono::Utc::now();
    match action {
        TokenAction::Create {
            email,
            scopes,
            expires_in,
            db,
        } => {
            // Bad input is refused before the database is opened.
            let scopes = domain::api_token::parse_scopes(&scopes).map_err(|e| e.to_string())?;
            let lifetime =
                domain::api_token::parse_lifetime(&expires_in).map_err(|e| e.to_string())?;
            let store = open_store(&db, file).await?;
            let user = active_account(&store, &email).await?;
            let token = store::tokens::create_with_lifetime(
                &store,
                user,
                &scopes,
                lifetime,
                now,
                &cli_origin(None),
            )
            .await
            .map_err(|e| e.to_string())?;
            say(&[token]);
        }
        TokenAction::List { email, format, db } => {
            let store = open_store(&db, file).await?;
            let user = store::staff::credentials(&store, &email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no account {email}"))?;
            let rows = store::tokens::list(&store, user.user.id, now)
                .await
                .map_err(|e| e.to_string())?;
            match format {
                ListFormat::Json => {
                    let json = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
                    println!("{json}");
                }
                ListFormat::Text => {
                    let day =
                        |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
                    let mut lines =
                        vec!["id\tscopes\tcreated\texpires\tlast used\tstate".to_owned()];
                    for r in &rows {
                        let scopes: Vec<&str> = r.scopes.iter().map(|s| s.as_str()).collect();
                        lines.push(format!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            r.id,
                            scopes.join(","),
                            day(r.created_at),
                            day(r.expires_at),
                            r.last_used_at.map(day).unwrap_or_else(|| "-".to_owned()),
                            r.state
                        ));
                    }
                    say(&lines);
                }
            }
        }
        TokenAction::Revoke { id, db } => {
            let store = open_store(&db, file).await?;
            let revoked = store::tokens::revoke_id(&store, id, now, &cli_origin(None))
                .await
                .map_err(|e| e.to_string())?;
            if !revoked {
                return Err(format!("no live token with id {id}"));
            }
            say(&[format!("token {id} revoked")]);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn active_account(store: &store::Db, email: &str) -> Result<i64, String> {
    store::staff::credentials(store, email)
        .await
        .map_err(|e| e.to_string())?
        .filter(|c| !c.user.disabled)
        .map(|c| c.user.id)
        .ok_or_else(|| format!("no active account {email}"))
}

async fn catalogue(action: CatalogueAction, file: &FileConfig) -> Result<ExitCode, String> {
    match action {
        CatalogueAction::Export {
            municipality,
            format,
            db,
        } => {
            let store = open_store(&db, file).await?;
            let current = store::catalogue::current(&store, &municipality)
                .await
                .map_err(|e| e.to_string())?;
            let cat = match current {
                Some((_, c)) => c,
                None if municipality == store::catalogue::NATIONAL => {
                    domain::catalogue::shipped_national().map_err(|e| e.to_string())?
                }
                None => {
                    domain::kommun::Kommunkod::parse(&municipality).map_err(|_| {
                        format!("'{municipality}' is not a kommunkod or 'national'")
                    })?;
                    let shipped =
                        domain::catalogue::shipped_municipal().map_err(|e| e.to_string())?;
                    Catalogue::default_for_new_municipality(&shipped)
                }
            };
            let text = match format {
                Format::Toml => toml::to_string_pretty(&cat).map_err(|e| e.to_string())?,
                Format::Json => serde_json::to_string_pretty(&cat).map_err(|e| e.to_string())?,
            };
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        CatalogueAction::Import {
            municipality,
            file: path,
            db,
        } => {
            if municipality != store::catalogue::NATIONAL {
                domain::kommun::Kommunkod::parse(&municipality)
                    .map_err(|_| format!("'{municipality}' is not a kommunkod or 'national'"))?;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let cat: Catalogue = if path.extension().is_some_and(|e| e == "json") {
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
            } else {
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
            };
            cat.validate()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let store = open_store(&db, file).await?;
            let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
            let v = store::catalogue::save(&store, &municipality, &cat, &format!("cli:{user}"))
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "imported {} entries and {} pages as version {v} of {municipality}",
                cat.entries.len(),
                cat.pages.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints lines to stdout and flushes, ignoring a closed pipe.
fn say(lines: &[String]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    let _ = out.flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
