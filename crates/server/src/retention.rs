//! `anhorigstod retention ...`: what the retention rules say is due, and removing it. Meant to
//! run from cron or a systemd timer (docs/operations.md); a second run the same day finds
//! nothing more.

use crate::config::{self, FileConfig};
use crate::{cli_origin, open_store, say, ListFormat, RetentionAction};
use chrono::{NaiveDate, Utc};
use domain::clock::stockholm_date;
use domain::law::LawTable;
use domain::retention::Rules;
use std::process::ExitCode;

fn rules(file: &FileConfig, on: NaiveDate) -> Result<Rules, String> {
    let law = LawTable::shipped().map_err(|e| e.to_string())?;
    let months = config::retention_open_support_months(file, |k| std::env::var(k).ok())
        .map_err(|e| e.to_string())?;
    Rules::in_force(&law, on, months).map_err(|e| e.to_string())
}

pub async fn run(action: RetentionAction, file: &FileConfig) -> Result<ExitCode, String> {
    let now = Utc::now();
    match action {
        RetentionAction::Plan {
            as_of,
            municipality,
            format,
            db,
        } => {
            let as_of = as_of.unwrap_or_else(|| stockholm_date(now));
            let rules = rules(file, as_of)?;
            let store = open_store(&db, file).await?;
            let plans = store::retention::plan(&store, municipality.as_deref(), as_of, &rules)
                .await
                .map_err(|e| e.to_string())?;
            let due: Vec<&domain::retention::Due> = plans.iter().flat_map(|p| &p.due).collect();
            match format {
                ListFormat::Json => {
                    let json = serde_json::to_string_pretty(&due).map_err(|e| e.to_string())?;
                    println!("{json}");
                }
                ListFormat::Text => {
                    let mut lines = vec!["kommun\tkind\tid\tdue\treason".to_owned()];
                    lines.extend(due.iter().map(|d| {
                        format!(
                            "{}\t{}\t{}\t{}\t{}",
                            d.kommunkod,
                            d.kind.as_str(),
                            d.id,
                            d.due_date,
                            d.reason
                        )
                    }));
                    say(&lines);
                }
            }
        }
        RetentionAction::Run { municipality, db } => {
            let as_of = stockholm_date(now);
            let rules = rules(file, as_of)?;
            let store = open_store(&db, file).await?;
            let removed = store::retention::run(
                &store,
                municipality.as_deref(),
                as_of,
                &rules,
                now,
                &cli_origin(Some("retention".into())),
            )
            .await
            .map_err(|e| e.to_string())?;
            let mut lines: Vec<String> = removed
                .iter()
                .map(|r| {
                    format!(
                        "{}: {} records and {} cases removed",
                        r.kommunkod, r.records, r.cases
                    )
                })
                .collect();
            if lines.is_empty() {
                lines.push(format!("nothing due on {as_of}"));
            }
            say(&lines);
        }
    }
    Ok(ExitCode::SUCCESS)
}
