//! The officer's case list: a page of the cases they work on, searched and filtered, each with
//! the person it is about, the reference the carer quotes, its age and its next deadline. The
//! read is logged naming the cases and persons shown (as a search when a term was given; the
//! term itself is not logged, as it may be a personnummer).

use crate::audit::{self, Origin};
use crate::cases::CaseRow;
use crate::db::Db;
use crate::id_list::IdList;
use crate::name_prefix::NamePrefix;
use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use domain::case::Protection;
use domain::law::LawTable;
use domain::watch::WatchKind;
use domain::worklist::{self, CaseListQuery, CaseOrder, HolderFilter, SearchTerm};
use serde::Serialize;
use std::collections::HashMap;

/// The person a listed case is about: the applicant, else its first carer. `name` is `None`
/// for a protected identity the officer may not see named (`domain::worklist::may_name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedPerson {
    pub id: i64,
    pub name: Option<String>,
    pub protection: Protection,
}

/// The nearest clock of the deadline watch on the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextDeadline {
    pub what: WatchKind,
    pub due: Option<NaiveDate>,
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkRow {
    #[serde(flatten)]
    pub case: CaseRow,
    pub person: Option<ListedPerson>,
    /// The application's reference, else the contact request's.
    pub reference: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub age_days: i64,
    pub next_deadline: Option<NextDeadline>,
}

#[derive(sqlx::FromRow)]
struct Listed {
    #[sqlx(flatten)]
    case: CaseRow,
    received_on: Option<NaiveDate>,
}

/// The person shown on a row: the applicant, else the case's carer, else anyone in it.
const LISTED_PERSON: &str = "COALESCE(a.applicant_id, (SELECT cp.person_id FROM case_persons cp WHERE cp.case_id = c.id \
     ORDER BY CASE cp.role WHEN 'carer' THEN 0 WHEN 'care_recipient' THEN 1 ELSE 2 END, cp.person_id LIMIT 1))";

/// A value bound to a statement built for one page.
enum Bind {
    Text(String),
    Int(i64),
    Ids(IdList),
}

/// One page of the cases `user_id` holds or their units hold. The statement carries only the
/// filters asked for (each combination is its own prepared statement with its own plan: one
/// statement with every filter as `$n = '' OR ...` got a generic plan that joined all of a
/// unit's cases before the limit); the page's persons and references are read after, for its
/// ids alone.
pub async fn page(
    db: &Db,
    kommunkod: &str,
    user_id: i64,
    q: &CaseListQuery,
    law: &LawTable,
    now: DateTime<Utc>,
    origin: &Origin,
) -> Result<Vec<WorkRow>, StoreError> {
    let (cmp, dir, start) = match q.order {
        CaseOrder::NewestFirst => ("<", "DESC", i64::MAX),
        CaseOrder::OldestFirst => (">", "ASC", 0),
    };
    let mut binds = vec![Bind::Text(kommunkod.to_owned()), Bind::Int(user_id)];
    let next = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let mut conds = vec![
        "c.kommunkod = $1".to_owned(),
        "(c.assigned_to = $2 OR c.unit_id IN (SELECT unit_id FROM staff_units WHERE user_id = $2))"
            .to_owned(),
    ];
    if let Some(status) = q.status {
        let p = next(Bind::Text(status.as_str().to_owned()), &mut binds);
        conds.push(format!("c.status = {p}"));
    }
    match q.holder {
        HolderFilter::Anyone => {}
        HolderFilter::Me => conds.push("c.assigned_to = $2".into()),
        HolderFilter::Nobody => conds.push("c.assigned_to IS NULL".into()),
    }
    if let Some(unit) = q.unit {
        let p = next(Bind::Int(unit), &mut binds);
        conds.push(format!("c.unit_id = {p}"));
    }
    let p = next(Bind::Int(q.after_id.unwrap_or(start)), &mut binds);
    conds.push(format!("c.id {cmp} {p}"));
    match &q.term {
        None => {}
        Some(SearchTerm::CaseNumber(n)) => {
            let p = next(Bind::Text(n.clone()), &mut binds);
            conds.push(format!("c.case_number = {p}"));
        }
        // A reference or a number names a few cases: they are found first, by their unique
        // indexes, so the page reads those cases and no others.
        Some(term @ (SearchTerm::Reference(_) | SearchTerm::Number(_))) => {
            let ids = cases_named_by(db, kommunkod, term).await?;
            let p = next(Bind::Ids(IdList(ids)), &mut binds);
            conds.push(IdList::contains(db.backend(), "c.id", &p));
        }
        // A name: where few people of the municipality bear it, their cases are found first
        // (by the name indexes) and the page reads those; a common name is checked case by
        // case in the page's order instead, which finds a page of them after a few hundred.
        // A protected identity is found only by the officer who holds the case.
        Some(SearchTerm::Name(name)) => {
            let Some(prefix) = NamePrefix::new(name) else {
                return Ok(Vec::new());
            };
            match cases_of_a_rare_name(db, kommunkod, user_id, &prefix).await? {
                Some(ids) => {
                    let p = next(Bind::Ids(IdList(ids)), &mut binds);
                    conds.push(IdList::contains(db.backend(), "c.id", &p));
                }
                None => {
                    let first = binds.len() + 1;
                    binds.extend(prefix.values().map(|v| Bind::Text(v.to_owned())));
                    conds.push(format!(
                        "EXISTS (SELECT 1 FROM case_persons cp JOIN persons n ON n.id = cp.person_id \
                         WHERE cp.case_id = c.id AND (n.protection = 'none' OR c.assigned_to = $2) AND {})",
                        NamePrefix::condition(db.backend(), "n", first)
                    ));
                }
            }
        }
    }
    let limit = next(Bind::Int(q.limit), &mut binds);
    let sql = format!(
        "SELECT c.id, c.case_number, c.kind, c.status, c.unit_id, u.name AS unit_name, c.assigned_to, \
           s.display_name AS assignee_name, c.contact_request_id, c.opened_at, c.is_demo, c.received_on \
         FROM cases c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN staff_users s ON s.id = c.assigned_to \
         WHERE {} ORDER BY c.kommunkod {dir}, c.id {dir} LIMIT {limit}",
        conds.join(" AND ")
    );
    // A page narrowed to found ids is planned for those ids each time: the generic plan
    // PostgreSQL keeps for a prepared statement cannot know the list is short, and walked the
    // unit's cases instead of reading the few by their keys.
    let by_ids = binds.iter().any(|b| matches!(b, Bind::Ids(_)));
    let cases: Vec<Listed> = crate::with_pool!(db, pool => {
        let mut query = sqlx::query_as(&sql).persistent(!by_ids);
        for b in &binds {
            query = match b {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(i) => query.bind(*i),
                Bind::Ids(ids) => query.bind(ids.clone()),
            };
        }
        query.fetch_all(pool).await?
    });
    let ids: Vec<i64> = cases.iter().map(|r| r.case.id).collect();
    let mut labels = labels(db, kommunkod, user_id, &ids).await?;
    let raws: Vec<(Listed, CaseLabel)> = cases
        .into_iter()
        .map(|c| {
            let label = labels.remove(&c.case.id).unwrap_or(CaseLabel {
                person: None,
                reference: None,
                holder: None,
            });
            (c, label)
        })
        .collect();
    let today = domain::clock::stockholm_date(now);
    let deadlines = next_deadlines(db, kommunkod, &ids, law, today).await?;
    let rows: Vec<WorkRow> = raws
        .into_iter()
        .map(|(r, label)| {
            let opened_on = domain::clock::stockholm_date(r.case.opened_at);
            WorkRow {
                age_days: worklist::age_days(r.received_on, opened_on, today),
                next_deadline: deadlines.get(&r.case.id).cloned(),
                person: label.person,
                reference: label.reference,
                received_on: r.received_on,
                case: r.case,
            }
        })
        .collect();
    let action = if q.term.is_some() {
        "case.search"
    } else {
        "case.list"
    };
    let mut e = origin.event(Some(kommunkod), action, "case", None);
    e.persons = rows
        .iter()
        .map(|r| format!("case:{}", r.case.id))
        .chain(
            rows.iter()
                .filter_map(|r| r.person.as_ref())
                .map(|p| format!("person:{}", p.id)),
        )
        .collect();
    e.persons.sort_unstable();
    e.persons.dedup();
    audit::append_now(db, now, &e).await?;
    Ok(rows)
}

/// The cases of the municipality a reference (an application's or a contact request's) or a
/// personnummer names. Not logged: the page that shows them is.
async fn cases_named_by(
    db: &Db,
    kommunkod: &str,
    term: &SearchTerm,
) -> Result<Vec<i64>, StoreError> {
    let (sql, value) = match term {
        SearchTerm::Reference(r) => (
            "SELECT case_id FROM applications WHERE kommunkod = $1 AND reference = $2 \
             UNION SELECT c.id FROM contact_requests cr JOIN cases c ON c.contact_request_id = cr.id \
             WHERE cr.kommunkod = $1 AND cr.reference = $2",
            r.clone(),
        ),
        SearchTerm::Number(n) => (
            "SELECT cp.case_id FROM persons n JOIN case_persons cp ON cp.person_id = n.id \
             WHERE n.kommunkod = $1 AND n.id_number = $2",
            n.canonical(),
        ),
        SearchTerm::CaseNumber(_) | SearchTerm::Name(_) => return Ok(Vec::new()),
    };
    crate::with_pool!(db, pool => {
        Ok(sqlx::query_scalar(sql)
            .bind(kommunkod)
            .bind(&value)
            .fetch_all(pool)
            .await?)
    })
}

/// More people than this bearing a name make it common (see `page`).
const RARE_NAME_PERSONS: i64 = 300;

/// The cases of the municipality whose persons bear the name (as `viewer` may find them), or
/// `None` when more than [`RARE_NAME_PERSONS`] people bear it. The people are counted first,
/// on the name indexes alone, so a common name costs a short index range, not its cases.
async fn cases_of_a_rare_name(
    db: &Db,
    kommunkod: &str,
    viewer: i64,
    name: &NamePrefix,
) -> Result<Option<Vec<i64>>, StoreError> {
    let people = format!(
        "SELECT n.id FROM persons n WHERE n.kommunkod = $1 AND {} LIMIT $8",
        NamePrefix::condition(db.backend(), "n", 2)
    );
    let persons: Vec<i64> = crate::with_pool!(db, pool => {
        let mut query = sqlx::query_scalar(&people).bind(kommunkod);
        for v in name.values() {
            query = query.bind(v);
        }
        query.bind(RARE_NAME_PERSONS + 1).fetch_all(pool).await?
    });
    if persons.len() as i64 > RARE_NAME_PERSONS {
        return Ok(None);
    }
    let cases = format!(
        "SELECT cp.case_id FROM case_persons cp JOIN persons n ON n.id = cp.person_id \
         JOIN cases c ON c.id = cp.case_id \
         WHERE {} AND c.kommunkod = $1 AND (n.protection = 'none' OR c.assigned_to = $2)",
        IdList::contains(db.backend(), "cp.person_id", "$3")
    );
    let persons = IdList(persons);
    let ids: Vec<i64> = crate::with_pool!(db, pool => {
        sqlx::query_scalar(&cases)
            .bind(kommunkod)
            .bind(viewer)
            .bind(persons.clone())
            .fetch_all(pool)
            .await?
    });
    Ok(Some(ids))
}

/// What a line about a case names besides its number: the person and the reference. Not
/// logged here: the caller logs the read of the list it belongs to, naming the cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLabel {
    pub person: Option<ListedPerson>,
    pub reference: Option<String>,
    /// Who holds the case.
    pub holder: Option<String>,
}

/// The labels of some cases of the municipality, for `viewer` (who sees a protected identity
/// named only in the cases they hold).
pub async fn labels(
    db: &Db,
    kommunkod: &str,
    viewer: i64,
    cases: &[i64],
) -> Result<HashMap<i64, CaseLabel>, StoreError> {
    if cases.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT c.id, c.assigned_to, s.display_name AS holder, COALESCE(a.reference, cr.reference) AS reference, \
           p.id AS person_id, p.given_name, p.family_name, p.protection \
         FROM cases c LEFT JOIN applications a ON a.case_id = c.id \
         LEFT JOIN staff_users s ON s.id = c.assigned_to \
         LEFT JOIN contact_requests cr ON cr.id = c.contact_request_id \
         LEFT JOIN persons p ON p.id = {LISTED_PERSON} \
         WHERE c.kommunkod = $1 AND {}",
        IdList::contains(db.backend(), "c.id", "$2")
    );
    let ids = IdList(cases.to_vec());
    let rows: Vec<LabelRaw> = crate::with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(kommunkod).bind(ids.clone()).fetch_all(pool).await?
    });
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let person = listed(
            r.person_id,
            r.protection,
            r.given_name,
            r.family_name,
            r.assigned_to == Some(viewer),
        )?;
        out.insert(
            r.id,
            CaseLabel {
                person,
                reference: r.reference,
                holder: r.holder,
            },
        );
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct LabelRaw {
    id: i64,
    assigned_to: Option<i64>,
    holder: Option<String>,
    reference: Option<String>,
    person_id: Option<i64>,
    given_name: Option<String>,
    family_name: Option<String>,
    protection: Option<String>,
}

/// The listed person of a row, named only where `may_name` allows.
fn listed(
    id: Option<i64>,
    protection: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    holds_case: bool,
) -> Result<Option<ListedPerson>, StoreError> {
    let (Some(id), Some(p)) = (id, protection) else {
        return Ok(None);
    };
    let protection = Protection::try_from(p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let name = worklist::may_name(protection, holds_case).then(|| {
        format!(
            "{} {}",
            given_name.unwrap_or_default(),
            family_name.unwrap_or_default()
        )
    });
    Ok(Some(ListedPerson {
        id,
        name,
        protection,
    }))
}

/// The nearest deadline of each case, as the deadline watch classifies its clocks: what is
/// late first, then what is due soonest.
async fn next_deadlines(
    db: &Db,
    kommunkod: &str,
    cases: &[i64],
    law: &LawTable,
    today: NaiveDate,
) -> Result<HashMap<i64, NextDeadline>, StoreError> {
    let mut out: HashMap<i64, NextDeadline> = HashMap::new();
    for i in crate::assessed::watch_of(db, kommunkod, cases).await? {
        let Some(w) = domain::watch::classify(&i.facts(), law, today) else {
            continue;
        };
        let candidate = NextDeadline {
            what: i.what,
            due: w.due,
            late: w.late,
        };
        let sooner = |a: &NextDeadline, b: &NextDeadline| {
            (!a.late, a.due.unwrap_or(NaiveDate::MAX)) < (!b.late, b.due.unwrap_or(NaiveDate::MAX))
        };
        match out.get(&i.case_id) {
            Some(held) if !sooner(&candidate, held) => {}
            _ => {
                out.insert(i.case_id, candidate);
            }
        }
    }
    Ok(out)
}
