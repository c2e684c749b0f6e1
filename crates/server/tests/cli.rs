#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The binary's commands, run as a user would.

mod common;

use common::*;

#[tokio::test]
async fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["catalogue", "export", "--help"],
        vec!["catalogue", "import", "--help"],
        vec!["requests", "list", "--help"],
        vec!["audit", "verify", "--help"],
    ] {
        let (code, out, _) = run_cli("sqlite::memory:", &args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage:"), "{args:?}");
    }
    let (_, out, _) = run_cli("sqlite::memory:", &["serve", "--help"]);
    for flag in ["--bind", "--database-url", "--demo", "--municipalities"] {
        assert!(out.contains(flag), "{flag}");
    }
}

#[tokio::test]
async fn migrate_is_idempotent() {
    let db = testkit::fresh_database().await;
    for _ in 0..2 {
        let (code, out, err) = run_cli(&db.url, &["migrate"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("migrated"));
    }
}

#[tokio::test]
async fn catalogue_export_import_round_trip() {
    let db = testkit::fresh_database().await;
    let (code, exported, err) =
        run_cli(&db.url, &["catalogue", "export", "--municipality", "0180"]);
    assert_eq!(code, 0, "{err}");
    let mut cat: domain::catalogue::Catalogue = toml::from_str(&exported).unwrap();
    assert!(cat.entries.len() > 15);
    cat.entries[0].title = "Samtal med vår anhörigkonsulent".into();
    let dir = std::env::temp_dir().join(format!("anh-cat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("katalog.json");
    std::fs::write(&file, serde_json::to_string(&cat).unwrap()).unwrap();
    let (code, out, err) = run_cli(
        &db.url,
        &[
            "catalogue",
            "import",
            "--municipality",
            "0180",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("version 1"));
    let (_, json_out, _) = run_cli(
        &db.url,
        &[
            "catalogue",
            "export",
            "--municipality",
            "0180",
            "--format",
            "json",
        ],
    );
    let again: domain::catalogue::Catalogue = serde_json::from_str(&json_out).unwrap();
    assert_eq!(again, cat);

    // An open-support entry without the board's decision is refused, and nothing changes.
    cat.entries[0].decision_ref = None;
    std::fs::write(&file, serde_json::to_string(&cat).unwrap()).unwrap();
    let (code, _, err) = run_cli(
        &db.url,
        &[
            "catalogue",
            "import",
            "--municipality",
            "0180",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("decision"), "{err}");
    let store = testkit::open_store(&db.url).await;
    assert_eq!(
        store::catalogue::current_version(&store, "0180")
            .await
            .unwrap(),
        Some(1)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_demo_seeds_a_full_municipality_once() {
    let db = testkit::fresh_database().await;
    for _ in 0..2 {
        let (code, _, err) = run_cli(&db.url, &["demo"]);
        assert_eq!(code, 0, "{err}");
    }
    let store = testkit::open_store(&db.url).await;
    let all = store::staff::list(&store, None).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|s| s.is_demo && s.has_totp));
    let in_kommun = store::staff::list(&store, Some("0380")).await.unwrap();
    assert_eq!(
        in_kommun.len(),
        4,
        "the system admin belongs to no municipality"
    );
    assert_eq!(
        store::contact_requests::count(&store, "0380")
            .await
            .unwrap(),
        24
    );
    let (_, cat) = store::catalogue::current(&store, "0380")
        .await
        .unwrap()
        .unwrap();
    let slugs: Vec<&str> = cat.entries.iter().map(|e| e.slug.as_str()).collect();
    for needed in [
        "vaxelvard",
        "avlosning-i-hemmet",
        "avlosning-nagra-dygn",
        "dagverksamhet",
        "nattstod",
        "individuella-samtal",
        "stodgrupp-demens",
        "stodgrupp-stroke",
        "stodgrupp-psykisk-ohalsa",
        "stodgrupp-intellektuell-funktionsnedsattning",
        "kurser",
        "forelasningar",
        "studiebesok",
        "praktisk-hjalp-for-anhorig",
        "anhorigbidrag",
        "avlosarservice",
        "korttidsvistelse",
        "korttidstillsyn",
        "daglig-verksamhet",
        "personlig-assistans",
    ] {
        assert!(slugs.contains(&needed), "{needed}");
    }
    assert!(matches!(
        store::audit::verify(&store).await.unwrap(),
        store::audit::Verdict::Intact { .. }
    ));
}

#[tokio::test]
async fn serve_demo_prints_the_logins_and_serves_all_municipalities() {
    let db = testkit::fresh_database().await;
    let mut child = std::process::Command::new(BIN)
        .args([
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
            "--municipalities",
            "0180",
        ])
        .env("ANHORIGSTOD_DATABASE_URL", &db.url)
        .envs(testkit::KEY_ENV)
        .env("ANHORIGSTOD_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("Anhörigstöd listening on ")
        .unwrap()
        .to_owned();
    let printed: Vec<String> = lines.take(7).map(Result::unwrap).collect();
    assert!(printed
        .iter()
        .any(|l| l.contains("konsulent@demo.example") && l.contains("carer-support-officer")));
    assert!(printed.iter().any(|l| l.contains("password for all")));
    let r = client()
        .get(format!("{base}/kommun/0380"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("demokommun"));
    let r = client()
        .get(format!("{base}/kommun/2480"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "demo serves every municipality");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn a_config_file_and_environment_are_read() {
    let db = testkit::fresh_database().await;
    let dir = std::env::temp_dir().join(format!("anh-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("anhorigstod.toml");
    std::fs::write(
        &cfg,
        format!(
            "database_url = \"{}\"\nmunicipalities = [\"0180\"]\naccess_log = false\n",
            db.url
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(BIN)
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .env_remove("ANHORIGSTOD_DATABASE_URL")
        .envs(testkit::KEY_ENV)
        .env("ANHORIGSTOD_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("Anhörigstöd listening on ")
        .unwrap()
        .to_owned();
    assert_eq!(
        client()
            .get(format!("{base}/kommun/0180"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client()
            .get(format!("{base}/kommun/0380"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::write(&cfg, "bnid = \"typo\"\n").unwrap();
    let (code, _, err) = run_cli(&db.url, &["--config", cfg.to_str().unwrap(), "migrate"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown field"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_demo_municipality_lists_its_own_allowance() {
    let db = testkit::fresh_database().await;
    let (child, base) = start_server(&db.url, &["--demo"]);
    let mut child = child;
    let body = client()
        .get(format!("{base}/kommun/0380/ekonomiskt-stod"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("href=\"/kommun/0380/stod/anhorigbidrag\""));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn a_shifted_clock_is_for_demos_only() {
    let (code, _, err) = run_cli("sqlite::memory:", &["serve", "--today", "2026-10-15"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--demo"), "{err}");
    let (code, _, err) = run_cli(
        "sqlite::memory:",
        &["serve", "--demo", "--today", "15 oktober"],
    );
    assert_eq!(code, 2, "{err}");
}

/// Found from outside (issue 11): `serve --demo` on a database with real accounts added a
/// system administrator and printed its password. It refuses, and adds nobody.
#[tokio::test]
async fn the_demo_refuses_a_database_with_real_accounts() {
    let db = testkit::fresh_database().await;
    let store = testkit::open_store(&db.url).await;
    store::staff::create(
        &store,
        Some("0380"),
        "riktig.handlaggare@kommun.example",
        "Riktig Handläggare",
        "case-officer",
        "not-a-real-hash",
        false,
        chrono::Utc::now(),
        &Default::default(),
    )
    .await
    .unwrap();
    let (code, out, err) = run_cli(&db.url, &["demo"]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("not demo accounts"), "{err}");
    let mut child = std::process::Command::new(BIN)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("ANHORIGSTOD_DATABASE_URL", &db.url)
        .envs(testkit::KEY_ENV)
        .env("ANHORIGSTOD_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut exited = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(status) = exited else {
        child.kill().unwrap();
        child.wait().unwrap();
        panic!("serve --demo started on a database with real accounts");
    };
    assert!(!status.success());
    let mut printed = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut printed).unwrap();
    assert!(!printed.contains("password"), "{printed}");
    let accounts = store::staff::list(&store, None).await.unwrap();
    assert_eq!(accounts.len(), 1, "no demo account was added");
}
