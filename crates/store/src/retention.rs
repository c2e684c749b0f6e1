//! Retention (gallring): finding what the rules in `domain::retention` say is due, and
//! removing it. A municipality is removed from in one transaction that first reads again what
//! is due, so a record used since the plan was made stays. Each removal writes an audit row
//! naming the kind, the id and the rule, never the content; a second run finds nothing left.

use crate::audit::{self, AuditEvent, Origin};
use crate::db::{Db, Tx};
use crate::StoreError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use domain::clock::stockholm_date;
use domain::retention::{self, Due, PersonFile, RecordKind, Rules};
use std::collections::BTreeMap;

/// What is due in a municipality, earliest due first: the records of the open support, the
/// person files and the cases that go with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub kommunkod: String,
    pub due: Vec<Due>,
}

/// What a run removed, per municipality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    pub kommunkod: String,
    pub records: usize,
    pub cases: usize,
}

/// Where the reads run: on the pools for a plan, inside the removing transaction for a run.
enum Source<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

async fn fetch<T>(src: &mut Source<'_>, sql: &str, kommunkod: &str) -> Result<Vec<T>, StoreError>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    Ok(match src {
        Source::Db(db) => crate::with_pool!(db, pool => {
            sqlx::query_as(sql).bind(kommunkod).fetch_all(pool).await?
        }),
        Source::Tx(tx) => crate::with_tx!(tx, c => {
            sqlx::query_as(sql).bind(kommunkod).fetch_all(&mut *c).await?
        }),
    })
}

/// The municipalities that hold records retention looks at, or just the one asked for.
async fn municipalities(db: &Db, only: Option<&str>) -> Result<Vec<String>, StoreError> {
    if let Some(k) = only {
        return Ok(vec![k.to_owned()]);
    }
    Ok(crate::with_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT kommunkod FROM persons UNION SELECT kommunkod FROM contact_requests \
             UNION SELECT kommunkod FROM signups UNION SELECT kommunkod FROM conversations ORDER BY 1",
        )
        .fetch_all(pool)
        .await?
    }))
}

/// The support contact offered to a carer of the open support counts as use of their record.
const OFFERED: &str = "(SELECT o.recorded_at FROM support_contacts o WHERE o.carer_kind = ";

fn latest(stamps: impl IntoIterator<Item = Option<DateTime<Utc>>>) -> Option<NaiveDate> {
    stamps.into_iter().flatten().max().map(stockholm_date)
}

fn local_date(t: Option<NaiveDateTime>) -> Option<NaiveDate> {
    t.map(|t| t.date())
}

type Stamp = Option<DateTime<Utc>>;

/// Reads what is due in one municipality on `as_of`.
async fn gather(
    src: &mut Source<'_>,
    kommunkod: &str,
    as_of: NaiveDate,
    rules: &Rules,
) -> Result<Plan, StoreError> {
    let mut due = Vec::new();
    let mut open = |kind: RecordKind, id: i64, last: Option<NaiveDate>| {
        if let Some(d) =
            last.and_then(|l| retention::open_support_due(rules, kind, id, kommunkod, l, as_of))
        {
            due.push(d);
        }
    };

    // Contact requests that led to a case go with the case's person file, not here.
    let requests: Vec<(i64, Stamp, Stamp, Stamp, Stamp)> = fetch(
        src,
        &format!(
            "SELECT r.id, r.received_at, r.assigned_at, r.closed_at, {OFFERED}'contact_request' AND o.carer_id = r.id) \
             FROM contact_requests r WHERE r.kommunkod = $1 \
             AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.contact_request_id = r.id)"
        ),
        kommunkod,
    )
    .await?;
    for (id, received, assigned, closed, offered) in requests {
        open(
            RecordKind::ContactRequest,
            id,
            latest([received, assigned, closed, offered]),
        );
    }

    let signups: Vec<(i64, Stamp, Stamp, Stamp, Option<NaiveDateTime>)> = fetch(
        src,
        &format!(
            "SELECT s.id, s.status_at, {OFFERED}'signup' AND o.carer_id = s.id), \
             (SELECT MAX(a.recorded_at) FROM attendance a WHERE a.signup_id = s.id), \
             (SELECT MAX(x.starts_at) FROM activity_occasions x WHERE x.activity_id = s.activity_id) \
             FROM signups s WHERE s.kommunkod = $1"
        ),
        kommunkod,
    )
    .await?;
    for (id, status_at, offered, attended, occasion) in signups {
        let last = latest([status_at, offered, attended]).max(local_date(occasion));
        open(RecordKind::Signup, id, last);
    }

    let conversations: Vec<(i64, String, Stamp, Stamp, Option<NaiveDateTime>)> = fetch(
        src,
        &format!(
            "SELECT c.id, c.channel, c.status_at, {OFFERED}'conversation' AND o.carer_id = c.id), c.starts_at \
             FROM conversations c WHERE c.kommunkod = $1"
        ),
        kommunkod,
    )
    .await?;
    for (id, channel, status_at, offered, starts) in conversations {
        let kind = if channel == "online" {
            RecordKind::Booking
        } else {
            RecordKind::ConversationNote
        };
        open(
            kind,
            id,
            latest([status_at, offered]).max(local_date(starts)),
        );
    }

    let (persons, cases) = person_files(src, kommunkod, as_of).await?;
    let plan = retention::person_files_due(&rules.person_file, &persons, &cases, as_of);
    due.extend(plan.persons);
    due.extend(plan.cases);
    due.sort_by(|a, b| {
        (a.due_date, a.kind.as_str(), a.id).cmp(&(b.due_date, b.kind.as_str(), b.id))
    });
    Ok(Plan {
        kommunkod: kommunkod.to_owned(),
        due,
    })
}

/// Everyone who is in a case in some way: listed in it, its applicant, or a consent's giver.
const CASE_PEOPLE: &str = "(SELECT case_id, person_id FROM case_persons \
     UNION SELECT case_id, applicant_id FROM applications \
     UNION SELECT case_id, person_id FROM consents WHERE person_id IS NOT NULL)";

/// The municipality's persons with the day their file was last written to, and its cases
/// with their persons.
async fn person_files(
    src: &mut Source<'_>,
    kommunkod: &str,
    today: NaiveDate,
) -> Result<(Vec<PersonFile>, Vec<(i64, Vec<i64>)>), StoreError> {
    let rows: Vec<(i64, Option<String>, DateTime<Utc>)> = fetch(
        src,
        "SELECT id, id_number, created_at FROM persons WHERE kommunkod = $1",
        kommunkod,
    )
    .await?;
    // Every dated entry in a case counts for all its persons; a relation counts for both sides.
    let entries: Vec<(i64, Stamp)> = fetch(
        src,
        &format!(
            "SELECT cp.person_id, MAX(x.at) FROM {CASE_PEOPLE} cp JOIN ( \
               SELECT id AS case_id, opened_at AS at FROM cases WHERE kommunkod = $1 \
               UNION ALL SELECT e.case_id, e.at FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.kommunkod = $1 \
               UNION ALL SELECT case_id, at FROM journal_entries WHERE kommunkod = $1 \
               UNION ALL SELECT j.case_id, m.at FROM journal_marks m JOIN journal_entries j ON j.id = m.entry_id WHERE j.kommunkod = $1 \
               UNION ALL SELECT case_id, created_at FROM decisions WHERE kommunkod = $1 \
               UNION ALL SELECT case_id, registered_at FROM appeals WHERE kommunkod = $1 \
             ) x ON x.case_id = cp.case_id GROUP BY cp.person_id \
             UNION ALL SELECT carer_id, MAX(created_at) FROM person_relations WHERE kommunkod = $1 GROUP BY carer_id \
             UNION ALL SELECT recipient_id, MAX(created_at) FROM person_relations WHERE kommunkod = $1 GROUP BY recipient_id"
        ),
        kommunkod,
    )
    .await?;
    let mut last: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    for (person, at) in entries {
        if let Some(at) = at {
            let slot = last.entry(person).or_insert(at);
            *slot = (*slot).max(at);
        }
    }
    let persons = rows
        .into_iter()
        .map(|(id, number, created)| {
            let at = last.get(&id).map_or(created, |&l| l.max(created));
            PersonFile {
                id,
                kommunkod: kommunkod.to_owned(),
                // Samordningsnummer carry the birth day plus 60; the parser reads either.
                birth: number
                    .and_then(|n| domain::Personnummer::parse(&n, today).ok())
                    .map(|p| p.birth_date()),
                last_entry: stockholm_date(at),
            }
        })
        .collect();
    let links: Vec<(i64, i64)> = fetch(
        src,
        &format!(
            "SELECT c.id, cp.person_id FROM cases c JOIN {CASE_PEOPLE} cp ON cp.case_id = c.id \
             WHERE c.kommunkod = $1 ORDER BY c.id, cp.person_id"
        ),
        kommunkod,
    )
    .await?;
    let mut cases: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (case, person) in links {
        cases.entry(case).or_default().push(person);
    }
    Ok((persons, cases.into_iter().collect()))
}

/// What is due on `as_of`, in one municipality or all. Changes nothing.
pub async fn plan(
    db: &Db,
    kommunkod: Option<&str>,
    as_of: NaiveDate,
    rules: &Rules,
) -> Result<Vec<Plan>, StoreError> {
    let mut plans = Vec::new();
    for k in municipalities(db, kommunkod).await? {
        let p = gather(&mut Source::Db(db), &k, as_of, rules).await?;
        if !p.due.is_empty() {
            plans.push(p);
        }
    }
    Ok(plans)
}

/// Removes what is due on `as_of`, one municipality per transaction.
pub async fn run(
    db: &Db,
    kommunkod: Option<&str>,
    as_of: NaiveDate,
    rules: &Rules,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<Removed>, StoreError> {
    let mut removed = Vec::new();
    for k in municipalities(db, kommunkod).await? {
        let mut tx = db.begin().await?;
        let plan = gather(&mut Source::Tx(&mut tx), &k, as_of, rules).await?;
        if plan.due.is_empty() {
            continue;
        }
        remove(&mut tx, &k, &plan, now, origin).await?;
        tx.commit().await?;
        let cases = plan
            .due
            .iter()
            .filter(|d| d.kind == RecordKind::Case)
            .count();
        removed.push(Removed {
            kommunkod: k,
            records: plan.due.len() - cases,
            cases,
        });
    }
    Ok(removed)
}

async fn exec(tx: &mut Tx, sql: &str, id: i64) -> Result<(), StoreError> {
    crate::with_tx!(tx, c => {
        sqlx::query(sql).bind(id).execute(&mut *c).await?;
    });
    Ok(())
}

/// What goes with a case, children before parents (no foreign key cascades).
const CASE_PARTS: &[&str] = &[
    "DELETE FROM appeals WHERE case_id = $1",
    "DELETE FROM executions WHERE decision_id IN (SELECT id FROM decisions WHERE case_id = $1)",
    "DELETE FROM execution_events WHERE decision_id IN (SELECT id FROM decisions WHERE case_id = $1)",
    "DELETE FROM delay_explanations WHERE decision_id IN (SELECT id FROM decisions WHERE case_id = $1)",
    "DELETE FROM follow_ups WHERE decision_id IN (SELECT id FROM decisions WHERE case_id = $1)",
    "DELETE FROM decisions WHERE case_id = $1",
    "DELETE FROM applied_insatser WHERE case_id = $1",
    "DELETE FROM applications WHERE case_id = $1",
    "DELETE FROM consents WHERE case_id = $1",
    "DELETE FROM concern_reports WHERE case_id = $1",
    "DELETE FROM communications WHERE case_id = $1",
    "DELETE FROM case_delays WHERE case_id = $1",
    "DELETE FROM journal_marks WHERE entry_id IN (SELECT id FROM journal_entries WHERE case_id = $1)",
    "DELETE FROM journal_entries WHERE case_id = $1",
    "DELETE FROM case_events WHERE case_id = $1",
    "DELETE FROM emergency_access WHERE case_id = $1",
    "DELETE FROM case_persons WHERE case_id = $1",
];

const PERSON_PARTS: &[&str] = &[
    "DELETE FROM protected_addresses WHERE person_id = $1",
    "DELETE FROM person_relations WHERE carer_id = $1 OR recipient_id = $1",
    // A duplicate merged into this record goes by its own plan; its pointer may not dangle.
    "UPDATE persons SET merged_into = NULL WHERE merged_into = $1",
    "DELETE FROM persons WHERE id = $1",
];

const CONTACT_REQUEST_PARTS: &[&str] = &[
    "DELETE FROM support_contacts WHERE carer_kind = 'contact_request' AND carer_id = $1",
    "DELETE FROM contact_requests WHERE id = $1",
];

const SIGNUP_PARTS: &[&str] = &[
    "DELETE FROM attendance WHERE signup_id = $1",
    "DELETE FROM support_contacts WHERE carer_kind = 'signup' AND carer_id = $1",
    "DELETE FROM outbox WHERE about = 'signup:' || $1 OR about LIKE 'occasion:%:signup:' || $1",
    "DELETE FROM signups WHERE id = $1",
];

const CONVERSATION_PARTS: &[&str] = &[
    "DELETE FROM support_contacts WHERE carer_kind = 'conversation' AND carer_id = $1",
    "DELETE FROM outbox WHERE about = 'conversation:' || $1",
    "DELETE FROM conversations WHERE id = $1",
];

async fn remove(
    tx: &mut Tx,
    kommunkod: &str,
    plan: &Plan,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<(), StoreError> {
    let mut events: Vec<AuditEvent> = Vec::new();
    // Cases first: they point at the persons, the persons at nothing that stays.
    let (cases, records): (Vec<&Due>, Vec<&Due>) =
        plan.due.iter().partition(|d| d.kind == RecordKind::Case);
    for d in cases {
        let case = d.id;
        for sql in CASE_PARTS {
            exec(tx, sql, case).await?;
        }
        let request: Option<i64> = crate::with_tx!(tx, c => {
            sqlx::query_scalar("DELETE FROM cases WHERE id = $1 RETURNING contact_request_id")
                .bind(case)
                .fetch_one(&mut *c)
                .await?
        });
        if let Some(r) = request {
            for sql in CONTACT_REQUEST_PARTS {
                exec(tx, sql, r).await?;
            }
        }
        events.push(removal(origin, kommunkod, d));
    }
    let mut activities_changed = false;
    for d in records {
        let parts = match d.kind {
            RecordKind::ContactRequest => CONTACT_REQUEST_PARTS,
            RecordKind::Signup => {
                activities_changed = true;
                SIGNUP_PARTS
            }
            RecordKind::Booking | RecordKind::ConversationNote => CONVERSATION_PARTS,
            RecordKind::PersonFile => PERSON_PARTS,
            RecordKind::Case => continue,
        };
        for sql in parts {
            exec(tx, sql, d.id).await?;
        }
        events.push(removal(origin, kommunkod, d));
    }
    if activities_changed {
        // A removed sign-up frees nothing, but the cached lists of sign-ups must drop it.
        crate::changes::record_in(tx, &crate::changes::activities_topic(kommunkod), now).await?;
    }
    let batch: Vec<(DateTime<Utc>, &AuditEvent)> = events.iter().map(|e| (now, e)).collect();
    audit::append_many(tx, &batch).await?;
    Ok(())
}

/// The audit row of one removal: kind, id and rule, never what the record said.
fn removal(origin: &Origin, kommunkod: &str, d: &Due) -> AuditEvent {
    let mut e = origin.event(
        Some(kommunkod),
        "retention.remove",
        d.kind.as_str(),
        Some(d.id.to_string()),
    );
    if d.kind == RecordKind::PersonFile {
        e.persons = vec![d.id.to_string()];
    }
    e.reason = Some(format!("{}: {}", d.rule, d.reason));
    e
}
