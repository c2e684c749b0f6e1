//! The audit log: every read and change of personal data, appended in the same transaction as
//! the change. Each row carries a MAC over its content and the previous row's MAC, so an
//! altered, removed or inserted row breaks the chain (`anhorigstod audit verify`). With an
//! audit key (kept outside the database) the MAC is an HMAC-SHA256, stored as `hmac:…`, so
//! someone who can write to the database cannot re-chain what they changed; without one it is
//! a plain SHA-256, which shows accidents but not an attacker.

use crate::db::{Db, Pools, Tx};
use crate::StoreError;
use chrono::{DateTime, SubsecRound, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The secret that signs the chain. Read from `audit_key_file` or `ANHORIGSTOD_AUDIT_KEY`.
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

pub use crate::keys::MIN_KEY_BYTES;
const KEYED: &str = "hmac:";

impl AuditKey {
    /// A key given as text: 64 or more hex digits, or any other text of at least 32 bytes.
    pub fn from_text(text: &str) -> Result<Self, StoreError> {
        crate::keys::key_bytes(text, "the audit key").map(Self)
    }

    pub fn from_file(path: &std::path::Path) -> Result<Self, StoreError> {
        Self::from_text(&crate::keys::read_key_file(path, "audit key")?)
    }

    /// A fresh random key as 64 hex digits.
    pub fn generate() -> String {
        crate::keys::generate()
    }
}

/// Who is acting and from where, for audit rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub actor: String,
    pub role: String,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

impl Origin {
    /// An event by this origin.
    pub fn event(
        &self,
        kommunkod: Option<&str>,
        action: &str,
        object_kind: &str,
        object_id: Option<String>,
    ) -> AuditEvent {
        AuditEvent {
            actor: self.actor.clone(),
            role: self.role.clone(),
            kommunkod: kommunkod.map(str::to_owned),
            action: action.to_owned(),
            object_kind: object_kind.to_owned(),
            object_id,
            persons: Vec::new(),
            reason: None,
            request_id: self.request_id.clone(),
            client_addr: self.client_addr.clone(),
        }
    }
}

/// Who did what to which object. `persons` names the people touched by id, never their data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditEvent {
    pub actor: String,
    pub role: String,
    pub kommunkod: Option<String>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<String>,
    pub persons: Vec<String>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of a row: over the previous hash and every field, each length-prefixed so no two
/// different rows serialise alike.
pub fn row_hash(seq: i64, at: DateTime<Utc>, e: &AuditEvent, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    feed(&mut |b| h.update(b), seq, at, e, prev_hash);
    hex::encode(h.finalize())
}

/// The row's MAC: keyed when there is a key, else the plain hash.
pub fn row_mac(
    key: Option<&AuditKey>,
    seq: i64,
    at: DateTime<Utc>,
    e: &AuditEvent,
    prev_hash: &str,
) -> String {
    let Some(key) = key else {
        return row_hash(seq, at, e, prev_hash);
    };
    // HMAC takes a key of any length, so this cannot fail; the fallback keeps it panic-free.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&key.0) else {
        return row_hash(seq, at, e, prev_hash);
    };
    feed(&mut |b| m.update(b), seq, at, e, prev_hash);
    format!("{KEYED}{}", hex::encode(m.finalize().into_bytes()))
}

/// Every field, length-prefixed, so no two different rows give the same bytes.
fn feed(out: &mut dyn FnMut(&[u8]), seq: i64, at: DateTime<Utc>, e: &AuditEvent, prev_hash: &str) {
    let mut field = |s: &str| {
        out(&(s.len() as u64).to_be_bytes());
        out(s.as_bytes());
    };
    field(prev_hash);
    field(&seq.to_string());
    field(&at.timestamp_micros().to_string());
    field(&e.actor);
    field(&e.role);
    field(e.kommunkod.as_deref().unwrap_or("\u{0}"));
    field(&e.action);
    field(&e.object_kind);
    field(e.object_id.as_deref().unwrap_or("\u{0}"));
    field(&e.persons.join("\u{1f}"));
    field(e.reason.as_deref().unwrap_or("\u{0}"));
    field(e.request_id.as_deref().unwrap_or("\u{0}"));
    field(e.client_addr.as_deref().unwrap_or("\u{0}"));
}

/// Appends one event inside the caller's transaction. Taking the head row's lock first
/// serialises appends, so the chain has no forks.
pub async fn append(tx: &mut Tx, at: DateTime<Utc>, e: &AuditEvent) -> Result<i64, StoreError> {
    let seqs = append_many(tx, &[(at, e)]).await?;
    seqs.first()
        .copied()
        .ok_or_else(|| StoreError::Audit("no row appended".into()))
}

/// Appends the event that belongs to a change and commits the change with it.
pub async fn commit_with(mut tx: Tx, at: DateTime<Utc>, e: &AuditEvent) -> Result<(), StoreError> {
    append(&mut tx, at, e).await?;
    tx.commit().await
}

/// Appends several events in order with one head update and one insert: the chain's hashes
/// are computed here, so a batch costs three statements whatever its size.
pub async fn append_many(
    tx: &mut Tx,
    events: &[(DateTime<Utc>, &AuditEvent)],
) -> Result<Vec<i64>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let n = events.len() as i64;
    const COLUMNS: usize = 14;
    let placeholders: Vec<String> = (0..events.len())
        .map(|i| {
            let cols: Vec<String> = (1..=COLUMNS)
                .map(|c| format!("${}", i * COLUMNS + c))
                .collect();
            format!("({})", cols.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO audit_log (seq, at, actor, role, kommunkod, action, object_kind, object_id, persons, reason, request_id, client_addr, prev_hash, hash) VALUES {}",
        placeholders.join(", ")
    );
    let key = tx.audit_key.clone();
    crate::with_tx!(tx, c => {
        let (last, mut prev): (i64, String) = sqlx::query_as("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(n)
            .fetch_one(&mut *c)
            .await?;
        let mut rows = Vec::with_capacity(events.len());
        for (i, (at, e)) in events.iter().enumerate() {
            let seq = last - n + 1 + i as i64;
            let at = at.trunc_subsecs(6);
            let hash = row_mac(key.as_deref(), seq, at, e, &prev);
            rows.push((seq, at, *e, std::mem::replace(&mut prev, hash.clone()), hash));
        }
        let mut q = sqlx::query(&sql);
        for (seq, at, e, prev_hash, hash) in &rows {
            q = q
                .bind(*seq)
                .bind(*at)
                .bind(&e.actor)
                .bind(&e.role)
                .bind(&e.kommunkod)
                .bind(&e.action)
                .bind(&e.object_kind)
                .bind(&e.object_id)
                .bind(e.persons.join(","))
                .bind(&e.reason)
                .bind(&e.request_id)
                .bind(&e.client_addr)
                .bind(prev_hash)
                .bind(hash);
        }
        q.execute(&mut *c).await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(&mut *c)
            .await?;
        Ok(rows.iter().map(|r| r.0).collect())
    })
}

type Job = (
    DateTime<Utc>,
    AuditEvent,
    oneshot::Sender<Result<i64, String>>,
);

/// Writes logged reads in batches: every event waiting when a batch starts goes into one
/// transaction, and each waiter hears back only after its commit (group commit). A read is
/// thus durable before its response, without one disk flush per page view.
pub struct AuditWriter {
    jobs: mpsc::Sender<Job>,
}

/// The most events one commit carries (512 rows of 14 values stay under SQLite's 32 766
/// and PostgreSQL's 65 535 bound parameters).
const BATCH: usize = 512;

impl AuditWriter {
    /// Starts the writer task. It holds only the pools, so it ends when the last `Db` goes.
    fn start(pools: Pools, key: Option<Arc<AuditKey>>) -> Self {
        let (jobs, mut rx) = mpsc::channel::<Job>(4 * BATCH);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                match write_batch(&pools, &key, &batch).await {
                    Ok(seqs) => {
                        for ((_, _, reply), seq) in batch.into_iter().zip(seqs) {
                            let _ = reply.send(Ok(seq));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, events = batch.len(), "audit batch failed");
                        let msg = e.to_string();
                        for (_, _, reply) in batch {
                            let _ = reply.send(Err(msg.clone()));
                        }
                    }
                }
            }
        });
        Self { jobs }
    }
}

async fn write_batch(
    pools: &Pools,
    key: &Option<Arc<AuditKey>>,
    batch: &[Job],
) -> Result<Vec<i64>, StoreError> {
    let mut tx = Tx {
        conn: pools.begin().await?,
        audit_key: key.clone(),
    };
    let events: Vec<(DateTime<Utc>, &AuditEvent)> =
        batch.iter().map(|(at, e, _)| (*at, e)).collect();
    let seqs = append_many(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(seqs)
}

/// Logs one event durably before returning: for reads, which are logged before their
/// response is sent. Concurrent callers share commits (see `AuditWriter`).
pub async fn append_now(db: &Db, at: DateTime<Utc>, e: &AuditEvent) -> Result<i64, StoreError> {
    let writer = db
        .audit
        .get_or_init(|| AuditWriter::start(db.pools.clone(), db.audit_key.clone()));
    let (reply, answer) = oneshot::channel();
    writer
        .jobs
        .send((at, e.clone(), reply))
        .await
        .map_err(|_| StoreError::Audit("the audit writer has stopped".into()))?;
    match answer.await {
        Ok(Ok(seq)) => Ok(seq),
        Ok(Err(m)) => Err(StoreError::Audit(m)),
        Err(_) => Err(StoreError::Audit("the audit writer has stopped".into())),
    }
}

fn split_persons(s: String) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').map(str::to_owned).collect()
    }
}

/// A row of `audit_log` as stored; `persons` is the comma list.
#[derive(sqlx::FromRow)]
struct AuditLogRow {
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    role: String,
    kommunkod: Option<String>,
    action: String,
    object_kind: String,
    object_id: Option<String>,
    persons: String,
    reason: Option<String>,
    request_id: Option<String>,
    client_addr: Option<String>,
    prev_hash: String,
    hash: String,
}

impl From<AuditLogRow> for AuditRow {
    fn from(r: AuditLogRow) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            event: AuditEvent {
                actor: r.actor,
                role: r.role,
                kommunkod: r.kommunkod,
                action: r.action,
                object_kind: r.object_kind,
                object_id: r.object_id,
                persons: split_persons(r.persons),
                reason: r.reason,
                request_id: r.request_id,
                client_addr: r.client_addr,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Rows with `seq > after`, oldest first, at most `limit`.
pub async fn rows_after(db: &Db, after: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
    let rows: Vec<AuditLogRow> = crate::with_pool!(db, pool => {
        sqlx::query_as("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(AuditRow::from).collect())
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        rows: i64,
    },
    /// The first row that does not fit the chain, and why.
    Broken {
        seq: i64,
        why: &'static str,
    },
}

/// A head noted outside the database (`audit checkpoint`): `SEQ:MAC`. A log that later ends
/// before `seq`, or whose row `seq` has another MAC, has been cut or rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub mac: String,
}

impl std::str::FromStr for Checkpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (seq, mac) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("{s:?} is not SEQ:MAC"))?;
        let seq = seq
            .parse()
            .map_err(|_| format!("{seq:?} is not a sequence number"))?;
        Ok(Self {
            seq,
            mac: mac.to_owned(),
        })
    }
}

impl std::fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.mac)
    }
}

/// How rows made before the key are treated while walking the chain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unkeyed {
    /// With a key every row must be keyed.
    Refused,
    /// Plain-hash rows before the first keyed one are checked as plain hashes (for `rekey`).
    Leading,
}

/// Checks the chain with the database's own key (tests, and callers without a checkpoint).
pub async fn verify(db: &Db) -> Result<Verdict, StoreError> {
    verify_with(db, db.audit_key(), None).await
}

/// Walks the whole chain in pages and checks every link, the sequence, the head, and, when
/// given, that the log still reaches the checkpoint with the same MAC.
pub async fn verify_with(
    db: &Db,
    key: Option<&AuditKey>,
    checkpoint: Option<&Checkpoint>,
) -> Result<Verdict, StoreError> {
    walk(db, key, checkpoint, Unkeyed::Refused, key, |_, _, _| Ok(()))
        .await
        .map(|(v, _)| v)
}

/// Walks the chain and returns the verdict and the last row's MAC. With `Unkeyed::Leading` it
/// also calls `visit` with each sound row, the previous MAC and the MAC the row would have if
/// the whole chain were signed with `sign`.
async fn walk(
    db: &Db,
    key: Option<&AuditKey>,
    checkpoint: Option<&Checkpoint>,
    unkeyed: Unkeyed,
    sign: Option<&AuditKey>,
    mut visit: impl FnMut(&AuditRow, &str, &str) -> Result<(), StoreError>,
) -> Result<(Verdict, String), StoreError> {
    let broken = |seq, why| Ok((Verdict::Broken { seq, why }, String::new()));
    let mut prev_hash = "0".repeat(64);
    // The chain as it would be with every row keyed, for `rekey`.
    let mut prev_keyed = prev_hash.clone();
    let mut seen_keyed = false;
    let mut expected_seq = 1i64;
    loop {
        let page = rows_after(db, expected_seq - 1, 5_000).await?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            if r.seq != expected_seq {
                return broken(expected_seq, "row missing");
            }
            if r.prev_hash != prev_hash {
                return broken(r.seq, "previous hash does not match");
            }
            let keyed = r.hash.starts_with(KEYED);
            let expected = match (keyed, key) {
                (true, None) => return broken(r.seq, "the row is keyed: give the audit key"),
                (false, Some(_)) if unkeyed == Unkeyed::Refused || seen_keyed => {
                    return broken(
                        r.seq,
                        "the row is not keyed (run `anhorigstod audit rekey` once to move an old log to the keyed chain)",
                    )
                }
                (true, Some(k)) => row_mac(Some(k), r.seq, r.at, &r.event, &r.prev_hash),
                (false, _) => row_hash(r.seq, r.at, &r.event, &r.prev_hash),
            };
            seen_keyed |= keyed;
            if expected != r.hash {
                return broken(r.seq, "content does not match its MAC");
            }
            if let Some(cp) = checkpoint.filter(|cp| cp.seq == r.seq) {
                if cp.mac != r.hash {
                    return broken(r.seq, "the row differs from the checkpoint");
                }
            }
            if unkeyed == Unkeyed::Leading {
                let rekeyed = row_mac(sign, r.seq, r.at, &r.event, &prev_keyed);
                visit(r, &prev_keyed, &rekeyed)?;
                prev_keyed = rekeyed;
            }
            prev_hash.clone_from(&r.hash);
            expected_seq += 1;
        }
    }
    let (head_seq, head_hash): (i64, String) = crate::with_pool!(db, pool => {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(pool).await?
    });
    if head_seq != expected_seq - 1 || head_hash != prev_hash {
        return broken(expected_seq, "rows missing at the end of the log");
    }
    if checkpoint.is_some_and(|cp| cp.seq > expected_seq - 1) {
        return broken(
            expected_seq,
            "the log ends before the checkpoint: rows were cut from its end",
        );
    }
    Ok((
        Verdict::Intact {
            rows: expected_seq - 1,
        },
        prev_hash,
    ))
}

/// The head to note elsewhere, once the chain checks out with `key`.
pub async fn checkpoint(
    db: &Db,
    key: Option<&AuditKey>,
) -> Result<Result<Checkpoint, Verdict>, StoreError> {
    let (verdict, mac) = walk(db, key, None, Unkeyed::Refused, key, |_, _, _| Ok(())).await?;
    Ok(match verdict {
        Verdict::Intact { rows } => Ok(Checkpoint { seq: rows, mac }),
        broken => Err(broken),
    })
}

/// Moves a log written without a key (or partly without) to the keyed chain: checks the old
/// chain as it is, then signs every row anew with the key, in one transaction, and logs that it
/// did. Rows are not changed, only their MACs. Afterwards take a new checkpoint.
pub async fn rekey(
    db: &Db,
    key: &AuditKey,
    at: DateTime<Utc>,
    origin: &Origin,
) -> Result<Verdict, StoreError> {
    resign(db, Some(key), key, "audit.rekeyed", at, origin).await
}

/// Rotates the audit key: checks the whole chain with the old key (rows made before any key
/// are accepted at its start, as for `rekey`), then signs every row with the new key in one
/// transaction. Rows are not changed, only their MACs; the rotation itself is logged under the
/// new key. Old checkpoints no longer match: take a new one.
pub async fn rotate(
    db: &Db,
    old: &AuditKey,
    new: &AuditKey,
    at: DateTime<Utc>,
    origin: &Origin,
) -> Result<Verdict, StoreError> {
    resign(db, Some(old), new, "audit.key_rotated", at, origin).await
}

async fn resign(
    db: &Db,
    check: Option<&AuditKey>,
    sign: &AuditKey,
    action: &str,
    at: DateTime<Utc>,
    origin: &Origin,
) -> Result<Verdict, StoreError> {
    let mut updates: Vec<(i64, String, String)> = Vec::new();
    let (verdict, _) = walk(
        db,
        check,
        None,
        Unkeyed::Leading,
        Some(sign),
        |r, prev, mac| {
            if r.hash != mac {
                updates.push((r.seq, prev.to_owned(), mac.to_owned()));
            }
            Ok(())
        },
    )
    .await?;
    let Verdict::Intact { rows } = verdict else {
        return Ok(verdict);
    };
    let mut tx = db.begin().await?;
    tx.audit_key = Some(Arc::new(sign.clone()));
    crate::with_tx!(&mut tx, c => {
        // Locks the head as an append does; a row appended since the walk would be left
        // signed with the old key, so a log still being written is refused.
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *c)
            .await?;
        let (head,): (i64,) = sqlx::query_as("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut *c)
            .await?;
        if head != rows {
            return Err(StoreError::Config(
                "the audit log grew while it was being signed: stop every node, then run this again"
                    .into(),
            ));
        }
        for (seq, prev, mac) in &updates {
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(prev)
                .bind(mac)
                .bind(seq)
                .execute(&mut *c)
                .await?;
        }
        if let Some((_, _, mac)) = updates.last() {
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
                .bind(mac)
                .execute(&mut *c)
                .await?;
        }
    });
    let mut e = origin.event(None, action, "audit_log", None);
    e.reason = Some(format!("{} rows signed with the audit key", updates.len()));
    commit_with(tx, at, &e).await?;
    verify_with(db, Some(sign), None).await
}

/// At start: a keyed log needs its key (else new rows would be unkeyed, and nobody could check
/// the old ones), and a given key must be the one the log was signed with.
pub async fn check_key(db: &Db) -> Result<(), StoreError> {
    let last: Option<AuditLogRow> = crate::with_pool!(db, pool => {
        sqlx::query_as("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(pool)
            .await?
    });
    let Some(last) = last.map(AuditRow::from) else {
        return Ok(());
    };
    let keyed = last.hash.starts_with(KEYED);
    match db.audit_key() {
        None if keyed => Err(StoreError::Config(
            "the audit log is keyed: set audit_key_file or ANHORIGSTOD_AUDIT_KEY".into(),
        )),
        Some(k)
            if keyed
                && row_mac(Some(k), last.seq, last.at, &last.event, &last.prev_hash)
                    != last.hash =>
        {
            Err(StoreError::Config(format!(
                "the audit key does not match the log (row {})",
                last.seq
            )))
        }
        _ => Ok(()),
    }
}

/// What a log review asks for, always within one municipality and a time span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewQuery {
    pub kommunkod: String,
    /// Only rows touching this person (`person:ID`).
    pub person: Option<String>,
    /// Only rows by this actor (`staff:ID`).
    pub actor: Option<String>,
    /// Only these actions.
    pub actions: Option<Vec<String>>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: i64,
}

/// Rows for a log review, newest first.
pub async fn review(db: &Db, q: &ReviewQuery) -> Result<Vec<AuditRow>, StoreError> {
    // `persons` is a comma list; wrapping it in commas makes `person:1` not match `person:12`.
    let person = q
        .person
        .as_ref()
        .map(|p| format!("%,{p},%"))
        .unwrap_or_default();
    let actor = q.actor.clone().unwrap_or_default();
    let actions = q
        .actions
        .as_ref()
        .map(|a| format!(",{},", a.join(",")))
        .unwrap_or_default();
    let rows: Vec<AuditLogRow> = crate::with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT * FROM audit_log WHERE kommunkod = $1 AND at >= $2 AND at < $3 \
             AND ($4 = '' OR (',' || persons || ',') LIKE $4) \
             AND ($5 = '' OR actor = $5) \
             AND ($6 = '' OR $6 LIKE ('%,' || action || ',%')) \
             ORDER BY seq DESC LIMIT $7",
        )
        .bind(&q.kommunkod)
        .bind(q.from)
        .bind(q.to)
        .bind(&person)
        .bind(&actor)
        .bind(&actions)
        .bind(q.limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(AuditRow::from).collect())
}

/// An actor who touched many different persons within one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeavyReader {
    pub actor: String,
    pub hour: DateTime<Utc>,
    pub persons: usize,
}

/// Actors who read about more than `threshold` different persons in some hour of the span.
pub async fn heavy_readers(
    db: &Db,
    kommunkod: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    threshold: usize,
) -> Result<Vec<HeavyReader>, StoreError> {
    let rows = review(
        db,
        &ReviewQuery {
            kommunkod: kommunkod.to_owned(),
            person: None,
            actor: None,
            actions: None,
            from,
            to,
            limit: 200_000,
        },
    )
    .await?;
    let mut per_hour: std::collections::BTreeMap<(String, i64), std::collections::HashSet<String>> =
        Default::default();
    for r in rows.iter().filter(|r| r.event.actor.starts_with("staff:")) {
        let hour = r.at.timestamp().div_euclid(3600);
        let set = per_hour.entry((r.event.actor.clone(), hour)).or_default();
        set.extend(
            r.event
                .persons
                .iter()
                .filter(|p| p.starts_with("person:") || p.starts_with("contact_request:"))
                .cloned(),
        );
    }
    let mut out: Vec<HeavyReader> = per_hour
        .into_iter()
        .filter(|(_, set)| set.len() > threshold)
        .filter_map(|((actor, hour), set)| {
            Some(HeavyReader {
                actor,
                hour: DateTime::<Utc>::from_timestamp(hour * 3600, 0)?,
                persons: set.len(),
            })
        })
        .collect();
    out.sort_by_key(|h| std::cmp::Reverse(h.persons));
    Ok(out)
}

/// Writes rows as CSV (RFC 4180), with the actors' names.
pub fn to_csv(rows: &[AuditRow], name_of: impl Fn(&str) -> String) -> String {
    let cell = |s: &str| domain::csv::cell(s, ',');
    let mut out = String::from("seq,at,actor,name,role,action,object_kind,object_id,persons,reason,request_id,client_addr\r\n");
    for r in rows {
        let e = &r.event;
        let fields = [
            r.seq.to_string(),
            r.at.to_rfc3339(),
            e.actor.clone(),
            name_of(&e.actor),
            e.role.clone(),
            e.action.clone(),
            e.object_kind.clone(),
            e.object_id.clone().unwrap_or_default(),
            e.persons.join(" "),
            e.reason.clone().unwrap_or_default(),
            e.request_id.clone().unwrap_or_default(),
            e.client_addr.clone().unwrap_or_default(),
        ];
        out.push_str(&fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let row = AuditRow {
            seq: 1,
            at,
            event: AuditEvent {
                actor: "staff:1".into(),
                reason: Some("sa \"hej\", sen".into()),
                ..Default::default()
            },
            prev_hash: String::new(),
            hash: String::new(),
        };
        let csv = to_csv(&[row], |_| "Anna".into());
        assert!(csv.contains(",\"sa \"\"hej\"\", sen\","), "{csv}");
        assert!(csv.starts_with("seq,at,actor,name"));
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn any_field_changes_the_hash() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let e = AuditEvent {
            actor: "a".into(),
            role: "r".into(),
            action: "x".into(),
            object_kind: "k".into(),
            ..Default::default()
        };
        let base = row_hash(1, at, &e, "p");
        let mut changed = e.clone();
        changed.reason = Some(String::new());
        assert_ne!(
            row_hash(1, at, &changed, "p"),
            base,
            "None and empty differ"
        );
        assert_ne!(row_hash(2, at, &e, "p"), base);
        assert_ne!(row_hash(1, at, &e, "q"), base);
        let mut moved = e.clone();
        moved.actor = "ar".into();
        moved.role = String::new();
        assert_ne!(row_hash(1, at, &moved, "p"), base, "field boundaries count");
    }
}
