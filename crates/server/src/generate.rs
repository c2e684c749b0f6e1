//! `anhorigstod generate`: fills a database with fake but consistent data, at national size
//! (290 municipalities, 1.3 million carers, 300 000 cases, 3 million journal entries) or at
//! the size of one large municipality, for load tests and benchmarks.
//!
//! Everything generated is demo data and says so: `is_demo` is set on every row that has
//! the column, names are invented ("Demo-…"), phone numbers come from the range kept for
//! fiction, e-mail addresses end in `@demo.example`, and personnummer have the serial numbers
//! 980–999 (as in the demo seed) with a valid check digit, unique in each municipality by
//! construction. Staff share the demo password and second-factor key, so
//! `anhorigstod demo code --email …` works for them.
//!
//! The rows are a data load, not access to personal data: no audit row per row, but one for
//! the whole run, so the audit chain stays intact.
//!
//! Every value is a pure function of the seed, the municipality and the row's index (a
//! counter-based random stream), so a later stage can recompute what an earlier one wrote
//! (a case's assignee, a carer's name) without reading it back; ids are set explicitly after
//! the highest ids already present.

use crate::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use chrono::{DateTime, Datelike, Days, NaiveDate, SubsecRound, Utc};
use domain::case::{CaseKind, CaseStatus, JournalKind, RelationKind};
use domain::contact::{AgeGroup, Condition, PreferredTime, Want, REFERENCE_ALPHABET};
use domain::staff::Role;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use store::bulk::{self, Rows, Table};
use store::{Backend, Db};
use tokio::sync::mpsc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// All 290 municipalities: 1.3 million carers, 400 000 care recipients, 300 000 cases,
    /// 3 million journal entries, 200 000 contact requests, 4–40 staff each.
    National,
    /// One large municipality: 90 000 carers, 30 000 care recipients, 20 000 cases,
    /// 200 000 journal entries, 15 000 contact requests, 60 staff.
    Municipality,
}

#[derive(clap::Args, Clone, Debug)]
pub struct GenerateArgs {
    /// How much to generate.
    #[arg(long, value_enum)]
    pub preset: Preset,
    /// The municipality for --preset municipality (default 0180).
    #[arg(long, value_name = "KOMMUNKOD")]
    pub kommun: Option<String>,
    /// Seed for the random choices: the same seed gives the same data (with times
    /// relative to now).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Multiplies every count (for quick tests).
    #[arg(long, default_value_t = 1.0, hide = true)]
    pub scale: f64,
}

#[derive(Debug, Clone, Copy)]
struct Totals {
    carers: u64,
    recipients: u64,
    cases: u64,
    journal: u64,
    requests: u64,
}

const NATIONAL: Totals = Totals {
    carers: 1_300_000,
    recipients: 400_000,
    cases: 300_000,
    journal: 3_000_000,
    requests: 200_000,
};

const MUNICIPALITY: Totals = Totals {
    carers: 90_000,
    recipients: 30_000,
    cases: 20_000,
    journal: 200_000,
    requests: 15_000,
};
const MUNICIPALITY_STAFF: u64 = 60;
const DEFAULT_KOMMUN: &str = "0180";

/// The two units each municipality gets; named apart from the demo seed's units.
const UNIT_A: &str = "Anhörigstöd (demo)";
const UNIT_B: &str = "Myndighetsutövning (demo)";
/// Generated staff e-mail: kh{kommunkod}.{n}@demo.example; as an SQL pattern, to find them.
const STAFF_EMAIL_LIKE: &str = "kh____.%@demo.example";

/// Rows per chunk: one transaction (one COPY) each.
const CHUNK_ROWS: usize = 50_000;
/// How far back the generated history reaches.
const HISTORY_DAYS: u64 = 3 * 365;
const DAY_US: i64 = 86_400_000_000;
const HOUR_US: i64 = 3_600_000_000;

// ---------------------------------------------------------------------------------------
// Random streams

/// SplitMix64, seeded per (purpose, municipality, row): cheap to start anywhere, so any
/// row's values can be recomputed on their own.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, tag: u64, m: u64, i: u64) -> Self {
        let mut r = Rng(seed
            ^ tag.wrapping_mul(0xA076_1D64_78BD_642F)
            ^ m.wrapping_mul(0xE703_7ED1_A0B4_28DB)
            ^ i.wrapping_mul(0x8EBC_6AF0_9C88_C6E3));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        items.get(self.below(items.len() as u64) as usize).copied()
    }

    /// One of `items` by integer weight.
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> Option<T> {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total);
        for (item, w) in items {
            if x < *w {
                return Some(*item);
            }
            x -= w;
        }
        None
    }
}

const TAG_WEIGHT: u64 = 1;
const TAG_PERSON: u64 = 2;
const TAG_PERSON_TIME: u64 = 3;
const TAG_RELATION: u64 = 4;
const TAG_REQUEST: u64 = 5;
const TAG_REQUEST_TIME: u64 = 6;
const TAG_CASE: u64 = 7;
const TAG_CASE_TIME: u64 = 8;
const TAG_JOURNAL_COUNT: u64 = 9;
const TAG_JOURNAL: u64 = 10;
const TAG_STAFF: u64 = 11;
const TAG_NUMBERS: u64 = 12;

// ---------------------------------------------------------------------------------------
// Invented names and texts

const GIVEN: &[&str] = &[
    "Demo-Anna",
    "Demo-Erik",
    "Demo-Maria",
    "Demo-Lars",
    "Demo-Karin",
    "Demo-Per",
    "Demo-Sara",
    "Demo-Ali",
    "Demo-Leila",
    "Demo-Johan",
    "Demo-Eva",
    "Demo-Nils",
    "Demo-Ingrid",
    "Demo-Omar",
    "Demo-Astrid",
    "Demo-Mikael",
    "Demo-Fatima",
    "Demo-Gunnar",
    "Demo-Elin",
    "Demo-Yusuf",
    "Demo-Birgitta",
    "Demo-Oskar",
    "Demo-Sofia",
    "Demo-Bengt",
    "Demo-Amira",
    "Demo-Hans",
    "Demo-Linnea",
    "Demo-Kent",
    "Demo-Maja",
    "Demo-Sven",
    "Demo-Aisha",
    "Demo-Göran",
];

const FAMILY: &[&str] = &[
    "Exempelsson",
    "Testdotter",
    "Påhittad",
    "Demosson",
    "Provberg",
    "Låtsasson",
    "Fiktivlund",
    "Skenström",
    "Modellgren",
    "Attrappsson",
    "Övningsberg",
    "Prototypsdotter",
    "Utkastvik",
    "Mönsterås-Demo",
    "Testlund",
    "Exempeldal",
    "Provkvist",
    "Låtsasdotter",
    "Demoqvist",
    "Skissberg",
];

const STREETS: &[&str] = &[
    "Demogatan",
    "Exempelvägen",
    "Påhittade gränd",
    "Låtsastorget",
    "Provstigen",
    "Testallén",
];

const CITIES: &[&str] = &["Demostad", "Exempelby", "Låtsaslunda", "Provköping"];

const OPENINGS: &[(JournalKind, &[&str])] = &[
    (
        JournalKind::Note,
        &[
            "Anteckning efter genomgång av ärendet.",
            "Uppföljning av tidigare kontakt.",
            "Sammanfattning av läget just nu.",
            "Anhörig har hört av sig via e-post.",
        ],
    ),
    (
        JournalKind::PhoneCall,
        &[
            "Ringde anhörig enligt överenskommelse.",
            "Anhörig ringde och ville prata om situationen hemma.",
            "Telefonsamtal med anhörig, cirka tjugo minuter.",
            "Kort samtal med anhörig för att stämma av.",
        ],
    ),
    (
        JournalKind::Meeting,
        &[
            "Enskilt samtal på kontoret.",
            "Hembesök hos anhörig och närstående.",
            "Möte tillsammans med närstående och anhörig.",
            "Digitalt möte med anhörig.",
        ],
    ),
    (
        JournalKind::InformationGiven,
        &[
            "Informerade om anhöriggruppen som träffas varannan vecka.",
            "Gav information om avlösning i hemmet och hur man ansöker.",
            "Informerade om växelvård och korttidsplats.",
            "Berättade om anhörigcaféet och föreläsningsserien.",
        ],
    ),
    (
        JournalKind::ConsentRecorded,
        &[
            "Anhörig samtycker till att uppgifter antecknas i ärendet.",
            "Samtycke inhämtat muntligt för kontakt med hemtjänsten.",
            "Anhörig har gett samtycke till att vi kontaktar biståndshandläggare.",
        ],
    ),
    (
        JournalKind::Letter,
        &[
            "Skickade brev med bekräftelse på inbokat samtal.",
            "Skickade informationsmaterial om stöd till anhöriga per post.",
            "Brev med kallelse till anhöriggrupp skickat.",
        ],
    ),
];

const MIDDLES: &[&str] = &[
    "Anhörig beskriver att vardagen är tung men hanterbar.",
    "Närstående har fått en försämrad hälsa den senaste tiden.",
    "Anhörig sover dåligt och känner sig ofta orolig.",
    "Anhörig upplever att stödet hittills har varit till hjälp.",
    "Vi pratade om behovet av egen tid och återhämtning.",
    "Anhörig vill gärna träffa andra i liknande situation.",
    "Det finns barn i familjen som också påverkas.",
    "Anhörig arbetar heltid och har svårt att få ihop vardagen.",
    "Närstående har nyligen fått en demensdiagnos.",
    "Anhörig önskar mer information om vad kommunen kan erbjuda.",
    "Situationen är oförändrad sedan förra kontakten.",
    "Anhörig har börjat i anhöriggruppen och trivs där.",
];

const ENDINGS: &[&str] = &[
    "Ny kontakt om två veckor.",
    "Anhörig återkommer vid behov.",
    "Uppföljning bokad.",
    "Inget mer att åtgärda just nu.",
    "Vidarebefordrat till biståndshandläggare.",
    "",
];

const MARK_REASONS: &[&str] = &[
    "Fel ärende: anteckningen hör till ett annat ärende.",
    "Felaktig uppgift om datum för samtalet.",
    "Anteckningen skrevs av misstag två gånger.",
    "Uppgiften gällde en annan person.",
];

const MESSAGES: &[&str] = &[
    "Demo: jag tar hand om min mamma och behöver någon att prata med.",
    "Demo: min man har fått en demensdiagnos och jag vet inte vart jag ska vända mig.",
    "Demo: vi är två syskon som hjälper vår pappa och undrar vilket stöd som finns.",
    "Demo: jag skulle vilja veta mer om anhöriggrupper.",
    "Demo: jag orkar inte riktigt längre och behöver avlösning ibland.",
];

// ---------------------------------------------------------------------------------------
// The plan: how much each municipality gets, and where its ids start

/// The staff of one municipality by index: 0 is the municipal administrator, then the unit
/// managers (one per unit, or one for both when there are few staff), then the carer
/// support officers (unit A), then the case officers (unit B).
#[derive(Debug, Clone, Copy)]
struct Staff {
    n: u64,
    managers: u64,
    cso: u64,
    co: u64,
}

impl Staff {
    fn new(n: u64) -> Self {
        let n = n.max(4);
        let managers = if n >= 6 { 2 } else { 1 };
        let rest = n - 1 - managers;
        let cso = ((rest * 11 + 10) / 20).clamp(1, rest - 1);
        Self {
            n,
            managers,
            cso,
            co: rest - cso,
        }
    }

    fn role(&self, i: u64) -> Role {
        if i == 0 {
            Role::MunicipalAdmin
        } else if i <= self.managers {
            Role::UnitManager
        } else if i <= self.managers + self.cso {
            Role::CarerSupportOfficer
        } else {
            Role::CaseOfficer
        }
    }

    fn manager(&self, unit_b: bool) -> u64 {
        if unit_b && self.managers > 1 {
            2
        } else {
            1
        }
    }

    fn cso(&self, rng: &mut Rng) -> u64 {
        1 + self.managers + rng.below(self.cso)
    }

    fn co(&self, rng: &mut Rng) -> u64 {
        1 + self.managers + self.cso + rng.below(self.co)
    }

    /// Which units the member of staff works in: (A, B).
    fn units(&self, i: u64) -> (bool, bool) {
        match self.role(i) {
            Role::UnitManager => (i == 1, i == self.manager(true)),
            Role::CarerSupportOfficer => (true, false),
            Role::CaseOfficer => (false, true),
            Role::MunicipalAdmin | Role::SystemAdmin => (false, false),
        }
    }
}

/// Unique fake personnummer for one municipality: index k maps to a (birth date, serial
/// 980–999) pair through a bijection, so no two persons share a number.
#[derive(Debug, Clone, Copy)]
struct Numbers {
    first: NaiveDate,
    size: u64,
    a: u64,
    b: u64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Numbers {
    fn new(rng: &mut Rng, first: NaiveDate, last: NaiveDate) -> Self {
        let days = (last - first).num_days().max(1) as u64;
        let size = days * 20;
        let mut a = (rng.next() % size).max(1);
        while gcd(a, size) != 1 {
            a += 1;
        }
        Self {
            first,
            size,
            a,
            b: rng.next() % size,
        }
    }

    /// The k-th number, in its canonical 12-digit form; with `coordination`, the
    /// samordningsnummer (day plus 60) of the same date and serial.
    fn number(&self, k: u64, coordination: bool) -> Option<String> {
        let p = ((u128::from(self.a) * u128::from(k) + u128::from(self.b)) % u128::from(self.size))
            as u64;
        let date = self.first.checked_add_days(Days::new(p / 20))?;
        Some(personnummer(date, 980 + (p % 20) as u32, coordination))
    }
}

/// A number with a valid check digit: YYYYMMDD-SSSC (day plus 60 for a samordningsnummer).
fn personnummer(date: NaiveDate, serial: u32, coordination: bool) -> String {
    let day = date.day() + if coordination { 60 } else { 0 };
    let yy = date.year().rem_euclid(100) as u32;
    let nine = [
        yy / 10,
        yy % 10,
        date.month() / 10,
        date.month() % 10,
        day / 10,
        day % 10,
        serial / 100 % 10,
        serial / 10 % 10,
        serial % 10,
    ]
    .map(|d| d as u8);
    format!(
        "{:04}{:02}{day:02}-{serial:03}{}",
        date.year(),
        date.month(),
        domain::personnummer::luhn_check_digit(&nine)
    )
}

#[derive(Debug)]
struct Kommun {
    kod: String,
    /// The municipality's random stream number.
    m: u64,
    carers: u64,
    recipients: u64,
    cases: u64,
    journal: u64,
    requests: u64,
    staff: Staff,
    /// Ids: unit A and B; the others are the id before the first row.
    unit_a: i64,
    staff_base: i64,
    person_base: i64,
    request_base: i64,
    case_base: i64,
    numbers: Numbers,
    /// Per case, the contact request it was opened from; per request, its case.
    case_request: Vec<Option<u32>>,
    request_case: Vec<Option<u32>>,
}

#[derive(Debug)]
struct Plan {
    seed: u64,
    backend: Backend,
    now: i64,
    start: i64,
    today: NaiveDate,
    password_hash: String,
    kommuner: Vec<Kommun>,
    relation_base: i64,
    event_base: i64,
    entry_base: i64,
    mark_base: i64,
}

/// Splits `total` by weight with the largest-remainder method; at least one each when
/// there is enough to go round.
fn allocate(total: u64, weights: &[f64]) -> Vec<u64> {
    let n = weights.len() as u64;
    if n == 0 {
        return Vec::new();
    }
    let floor = if total >= n { 1 } else { 0 };
    let rest = total - floor * n;
    let sum: f64 = weights.iter().sum();
    let shares: Vec<f64> = weights
        .iter()
        .map(|w| {
            if sum > 0.0 {
                rest as f64 * w / sum
            } else {
                0.0
            }
        })
        .collect();
    let mut out: Vec<u64> = shares.iter().map(|s| floor + s.floor() as u64).collect();
    let given: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = shares[a] - shares[a].floor();
        let fb = shares[b] - shares[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order
        .iter()
        .cycle()
        .take(total.saturating_sub(given) as usize)
    {
        out[i] += 1;
    }
    out
}

/// An invented size for each municipality: log-normal around 1 (at most about 9.5), with
/// the three metropolitan municipalities and Uppsala made large (50, 25, 15, 10).
/// Stockholm gets about 9 % of the total.
fn weights(seed: u64, kods: &[String]) -> Vec<f64> {
    kods.iter()
        .enumerate()
        .map(|(i, kod)| {
            let mut rng = Rng::new(seed, TAG_WEIGHT, stream(kod, i), 0);
            let u1 = 1.0 - rng.unit();
            let u2 = rng.unit();
            let z = ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()).clamp(-2.5, 2.5);
            match kod.as_str() {
                "0180" => 50.0,
                "1480" => 25.0,
                "1280" => 15.0,
                "0380" => 10.0,
                _ => (0.9 * z).exp(),
            }
        })
        .collect()
}

/// A municipality's random stream: its kommunkod as a number, so what it gets does not
/// depend on which others are generated with it.
fn stream(kod: &str, i: usize) -> u64 {
    kod.parse().unwrap_or(10_000 + i as u64)
}

fn scaled(n: u64, scale: f64) -> u64 {
    (n as f64 * scale).round() as u64
}

/// Next free ids, per table with an id.
#[derive(Debug, Clone, Copy)]
struct Bases {
    unit: i64,
    staff: i64,
    person: i64,
    relation: i64,
    request: i64,
    case: i64,
    event: i64,
    entry: i64,
    mark: i64,
}

#[allow(clippy::too_many_arguments)]
fn plan(
    preset: Preset,
    kods: Vec<String>,
    seed: u64,
    scale: f64,
    backend: Backend,
    now: DateTime<Utc>,
    bases: Bases,
    password_hash: String,
) -> Result<Plan, String> {
    let totals = match preset {
        Preset::National => NATIONAL,
        Preset::Municipality => MUNICIPALITY,
    };
    let w = weights(seed, &kods);
    let carers = allocate(scaled(totals.carers, scale), &w);
    let recipients = allocate(scaled(totals.recipients, scale), &w);
    let cases = allocate(scaled(totals.cases, scale), &w);
    let journal = allocate(scaled(totals.journal, scale), &w);
    let requests = allocate(scaled(totals.requests, scale), &w);
    let today = now.date_naive();
    let first_birth = NaiveDate::from_ymd_opt(1925, 1, 1).ok_or("bad date")?;
    let last_birth = today
        .checked_sub_days(Days::new(13 * 366))
        .ok_or("bad date")?;
    let now_us = now.timestamp_micros();
    let mut b = bases;
    let mut kommuner = Vec::with_capacity(kods.len());
    for (i, kod) in kods.into_iter().enumerate() {
        let m = stream(&kod, i);
        let c = carers.get(i).copied().unwrap_or(0);
        let staff = Staff::new(match preset {
            Preset::Municipality => scaled(MUNICIPALITY_STAFF, scale),
            Preset::National => (3 + c / 1200).min(40),
        });
        let numbers = Numbers::new(
            &mut Rng::new(seed, TAG_NUMBERS, m, 0),
            first_birth,
            last_birth,
        );
        let r = recipients.get(i).copied().unwrap_or(0);
        if c + r > numbers.size {
            return Err(format!(
                "{kod}: {} persons do not fit in the {} fake personnummer available",
                c + r,
                numbers.size
            ));
        }
        let k_cases = cases.get(i).copied().unwrap_or(0);
        let k_requests = requests.get(i).copied().unwrap_or(0);
        // Every third case was opened from a contact request received before it.
        let mut case_request = vec![None; k_cases as usize];
        let mut request_case = vec![None; k_requests as usize];
        let mut last: i64 = -1;
        for j in (0..k_cases).step_by(3) {
            if k_requests == 0 {
                break;
            }
            let r = (j * k_requests / k_cases) as i64 - 1;
            if r > last {
                last = r;
                if let (Some(cr), Some(rc)) = (
                    case_request.get_mut(j as usize),
                    request_case.get_mut(r as usize),
                ) {
                    *cr = Some(r as u32);
                    *rc = Some(j as u32);
                }
            }
        }
        let k = Kommun {
            kod,
            m,
            carers: c,
            recipients: r,
            cases: k_cases,
            journal: journal.get(i).copied().unwrap_or(0),
            requests: k_requests,
            staff,
            unit_a: b.unit + 1,
            staff_base: b.staff,
            person_base: b.person,
            request_base: b.request,
            case_base: b.case,
            numbers,
            case_request,
            request_case,
        };
        b.unit += 2;
        b.staff += staff.n as i64;
        b.person += (c + r) as i64;
        b.request += k_requests as i64;
        b.case += k_cases as i64;
        kommuner.push(k);
    }
    Ok(Plan {
        seed,
        backend,
        now: now_us,
        start: now_us - HISTORY_DAYS as i64 * DAY_US,
        today,
        password_hash,
        kommuner,
        relation_base: bases.relation,
        event_base: bases.event,
        entry_base: bases.entry,
        mark_base: bases.mark,
    })
}

// ---------------------------------------------------------------------------------------
// Row values as pure functions

fn at(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

struct PersonCore {
    given: &'static str,
    family: &'static str,
    kind: &'static str,
    number: Option<String>,
    protection: &'static str,
}

impl Plan {
    /// Spread `i` of `n` evenly over the history, in order, with jitter.
    fn spread(&self, tag: u64, k: &Kommun, i: u64, n: u64) -> i64 {
        let u = Rng::new(self.seed, tag, k.m, i).unit();
        let span = (self.now - self.start - DAY_US) as f64;
        self.start + ((i as f64 + u) / n.max(1) as f64 * span) as i64
    }

    fn case_time(&self, k: &Kommun, j: u64) -> i64 {
        self.spread(TAG_CASE_TIME, k, j, k.cases)
    }

    fn request_time(&self, k: &Kommun, r: u64) -> i64 {
        self.spread(TAG_REQUEST_TIME, k, r, k.requests)
    }

    fn person_core(&self, k: &Kommun, idx: u64) -> PersonCore {
        let mut rng = Rng::new(self.seed, TAG_PERSON, k.m, idx);
        let given = rng.pick(GIVEN).unwrap_or("Demo-Anna");
        let family = rng.pick(FAMILY).unwrap_or("Exempelsson");
        let x = rng.unit();
        let (kind, number) = if x < 0.02 {
            ("none", None)
        } else if x < 0.03 {
            ("samordningsnummer", k.numbers.number(idx, true))
        } else {
            ("personnummer", k.numbers.number(idx, false))
        };
        let kind = if number.is_some() { kind } else { "none" };
        let p = rng.unit();
        let protection = if p < 0.003 {
            "skyddad_folkbokforing"
        } else if p < 0.013 {
            "sekretessmarkering"
        } else {
            "none"
        };
        PersonCore {
            given,
            family,
            kind,
            number,
            protection,
        }
    }

    /// When a person was registered: shortly before their first case, or any time.
    fn person_created(&self, k: &Kommun, idx: u64) -> i64 {
        let mut rng = Rng::new(self.seed, TAG_PERSON_TIME, k.m, idx);
        if idx < k.carers && idx < k.cases {
            self.case_time(k, idx) - rng.below(3 * DAY_US as u64) as i64
        } else {
            self.start + rng.below((self.now - self.start) as u64) as i64
        }
    }

    fn relation_kind(&self, k: &Kommun, carer: u64) -> (RelationKind, bool) {
        let mut rng = Rng::new(self.seed, TAG_RELATION, k.m, carer);
        let kind = rng
            .weighted(&[
                (RelationKind::Partner, 30),
                (RelationKind::Child, 30),
                (RelationKind::Parent, 12),
                (RelationKind::Sibling, 6),
                (RelationKind::Relative, 8),
                (RelationKind::Friend, 6),
                (RelationKind::Neighbour, 4),
                (RelationKind::Other, 4),
            ])
            .unwrap_or(RelationKind::Other);
        let together = rng.chance(match kind {
            RelationKind::Partner => 0.9,
            RelationKind::Parent => 0.6,
            _ => 0.1,
        });
        (kind, together)
    }

    fn staff_id(&self, k: &Kommun, i: u64) -> i64 {
        k.staff_base + i as i64 + 1
    }

    fn person_id(&self, k: &Kommun, idx: u64) -> i64 {
        k.person_base + idx as i64 + 1
    }

    fn case_info(&self, k: &Kommun, j: u64) -> CaseInfo {
        let mut rng = Rng::new(self.seed, TAG_CASE, k.m, j);
        let request = k.case_request.get(j as usize).copied().flatten();
        let kind = if request.is_some() {
            CaseKind::OpenSupport
        } else {
            rng.weighted(&[
                (CaseKind::OpenSupport, 85),
                (CaseKind::Application, 12),
                (CaseKind::Other, 3),
            ])
            .unwrap_or(CaseKind::OpenSupport)
        };
        let unit_b = kind == CaseKind::Application;
        let assignee = if unit_b {
            k.staff.co(&mut rng)
        } else {
            k.staff.cso(&mut rng)
        };
        let opened_by = if rng.chance(0.85) {
            assignee
        } else {
            k.staff.manager(unit_b)
        };
        let opened_at = self.case_time(k, j);
        let age_days = (self.now - opened_at) / DAY_US;
        use CaseStatus::*;
        let status = match (kind, age_days) {
            (CaseKind::Application, 0..=59) => rng.weighted(&[(Open, 50), (Investigating, 50)]),
            (CaseKind::Application, 60..=179) => {
                rng.weighted(&[(Open, 10), (Investigating, 40), (Decided, 40), (Closed, 10)])
            }
            (CaseKind::Application, _) => {
                rng.weighted(&[(Investigating, 5), (Decided, 40), (Closed, 55)])
            }
            (_, 0..=89) => rng.weighted(&[(Open, 90), (Closed, 10)]),
            (_, 90..=364) => rng.weighted(&[(Open, 60), (Closed, 40)]),
            _ => rng.weighted(&[(Open, 25), (Closed, 75)]),
        }
        .unwrap_or(Open);
        let carer = (k.carers > 0).then(|| j % k.carers);
        let recipient = match carer {
            Some(c) if k.recipients > 0 && rng.chance(0.75) => Some(c % k.recipients),
            _ => None,
        };
        CaseInfo {
            kind,
            status,
            unit_b,
            assignee,
            opened_by,
            opened_at,
            carer,
            recipient,
            request,
        }
    }

    /// Journal entries of case j: about the average, in pairs that sum to twice it, so the
    /// municipality's total comes out exactly.
    fn entries(&self, k: &Kommun, j: u64) -> u64 {
        if k.cases == 0 {
            return 0;
        }
        let base = k.journal / k.cases;
        let rem = k.journal % k.cases;
        let paired = k.cases.is_multiple_of(2) || j != k.cases - 1;
        let d = if base > 1 && paired {
            Rng::new(self.seed, TAG_JOURNAL_COUNT, k.m, j / 2).below(base)
        } else {
            0
        };
        let n = if j.is_multiple_of(2) {
            base + d
        } else {
            base - d
        };
        n + u64::from(j < rem)
    }
}

struct CaseInfo {
    kind: CaseKind,
    status: CaseStatus,
    unit_b: bool,
    /// Staff indices in the municipality.
    assignee: u64,
    opened_by: u64,
    opened_at: i64,
    /// Person indices in the municipality.
    carer: Option<u64>,
    recipient: Option<u64>,
    request: Option<u32>,
}

/// A reference as the portal gives them (XXX-XXXX), unique in the municipality: index r
/// through a bijection of the 31^7 values.
fn reference(seed: u64, m: u64, r: u64) -> String {
    const N: u64 = 27_512_614_111; // 31^7
    let b = Rng::new(seed, TAG_REQUEST, m, u64::MAX).next() % N;
    let mut v = ((u128::from(r) * 1_000_000_007 + u128::from(b)) % u128::from(N)) as u64;
    let mut s = [0u8; 7];
    for c in s.iter_mut().rev() {
        *c = REFERENCE_ALPHABET
            .get((v % 31) as usize)
            .copied()
            .unwrap_or(b'2');
        v /= 31;
    }
    let mut out = String::with_capacity(8);
    for (i, c) in s.iter().enumerate() {
        if i == 3 {
            out.push('-');
        }
        out.push(char::from(*c));
    }
    out
}

/// The internal reference of a person (P- and 12 hex digits), unique by a bijection of
/// the id.
fn internal_ref(id: i64) -> String {
    let mut x = (id as u64).wrapping_mul(0x9E37_79B9_7F4B) & 0xFFFF_FFFF_FFFF;
    x ^= x >> 24;
    format!("P-{x:012X}")
}

fn fake_phone(rng: &mut Rng) -> String {
    // The range the telecom regulator keeps for fiction: 070-174 06 05 … 070-174 06 99.
    format!("070-174 06 {:02}", 5 + rng.below(95))
}

// ---------------------------------------------------------------------------------------
// The generator: stages of rows, in chunks, over a channel to the writer

enum Msg {
    Stage { name: &'static str, total: u64 },
    Rows(Rows),
}

struct Out {
    tx: mpsc::Sender<Msg>,
    backend: Backend,
}

const STOPPED: &str = "the writer stopped";

impl Out {
    fn stage(&self, name: &'static str, total: u64) -> Result<(), String> {
        self.tx
            .blocking_send(Msg::Stage { name, total })
            .map_err(|_| STOPPED.to_owned())
    }

    fn rows(&self, table: &'static Table) -> Rows {
        Rows::new(table, self.backend)
    }

    /// Sends the chunk if it is full (or `last`), leaving an empty one.
    fn flush(&self, rows: &mut Rows, last: bool) -> Result<(), String> {
        if rows.len() >= CHUNK_ROWS || (last && !rows.is_empty()) {
            let table = rows.table();
            let full = std::mem::replace(rows, Rows::new(table, self.backend));
            self.tx
                .blocking_send(Msg::Rows(full))
                .map_err(|_| STOPPED.to_owned())?;
        }
        Ok(())
    }
}

/// Rows of a child table collected while its parent is generated, sent as their own stage.
struct Side {
    chunks: Vec<Rows>,
    current: Rows,
    total: u64,
}

impl Side {
    fn new(table: &'static Table, backend: Backend) -> Self {
        Self {
            chunks: Vec::new(),
            current: Rows::new(table, backend),
            total: 0,
        }
    }

    fn row(&mut self) -> &mut Rows {
        &mut self.current
    }

    fn end_row(&mut self, backend: Backend) {
        self.current.end_row();
        self.total += 1;
        if self.current.len() >= CHUNK_ROWS {
            let table = self.current.table();
            let full = std::mem::replace(&mut self.current, Rows::new(table, backend));
            self.chunks.push(full);
        }
    }

    fn send(mut self, out: &Out, name: &'static str) -> Result<(), String> {
        out.stage(name, self.total)?;
        if !self.current.is_empty() {
            self.chunks.push(self.current);
        }
        for chunk in self.chunks.drain(..) {
            out.tx
                .blocking_send(Msg::Rows(chunk))
                .map_err(|_| STOPPED.to_owned())?;
        }
        Ok(())
    }
}

fn generate(plan: &Plan, out: &Out) -> Result<(), String> {
    let backend = plan.backend;
    let ks = &plan.kommuner;
    let created = at(plan.start - 30 * DAY_US);

    out.stage("units", 2 * ks.len() as u64)?;
    let mut rows = out.rows(&bulk::UNITS);
    for k in ks {
        rows.int(k.unit_a).text(&k.kod).text(UNIT_A);
        rows.end_row();
        rows.int(k.unit_a + 1).text(&k.kod).text(UNIT_B);
        rows.end_row();
        out.flush(&mut rows, false)?;
    }
    out.flush(&mut rows, true)?;

    out.stage("staff", ks.iter().map(|k| k.staff.n).sum())?;
    let mut rows = out.rows(&bulk::STAFF_USERS);
    for k in ks {
        for i in 0..k.staff.n {
            let mut rng = Rng::new(plan.seed, TAG_STAFF, k.m, i);
            let name = format!(
                "{} {}",
                rng.pick(GIVEN).unwrap_or("Demo-Anna"),
                rng.pick(FAMILY).unwrap_or("Exempelsson")
            );
            rows.int(plan.staff_id(k, i))
                .text(&k.kod)
                .text(&format!("kh{}.{}@demo.example", k.kod, i + 1))
                .text(&name)
                .text(k.staff.role(i).as_str())
                .text(&plan.password_hash)
                .bool(false)
                .bool(true)
                .time(created)
                .text(DEMO_TOTP_SECRET)
                .time(created);
            rows.end_row();
            out.flush(&mut rows, false)?;
        }
    }
    out.flush(&mut rows, true)?;

    let memberships: u64 = ks
        .iter()
        .map(|k| {
            (0..k.staff.n)
                .map(|i| {
                    let (a, b) = k.staff.units(i);
                    u64::from(a) + u64::from(b)
                })
                .sum::<u64>()
        })
        .sum();
    out.stage("staff units", memberships)?;
    let mut rows = out.rows(&bulk::STAFF_UNITS);
    for k in ks {
        for i in 0..k.staff.n {
            let (a, b) = k.staff.units(i);
            for (member, unit) in [(a, k.unit_a), (b, k.unit_a + 1)] {
                if member {
                    rows.int(plan.staff_id(k, i)).int(unit);
                    rows.end_row();
                }
            }
            out.flush(&mut rows, false)?;
        }
    }
    out.flush(&mut rows, true)?;

    out.stage("persons", ks.iter().map(|k| k.carers + k.recipients).sum())?;
    let mut rows = out.rows(&bulk::PERSONS);
    let mut hidden = Side::new(&bulk::PROTECTED_ADDRESSES, backend);
    for k in ks {
        for idx in 0..k.carers + k.recipients {
            let id = plan.person_id(k, idx);
            let core = plan.person_core(k, idx);
            // A stream apart from the core's, for the other details.
            let mut rng = Rng::new(plan.seed, TAG_PERSON, k.m, idx ^ (1 << 63));
            let phone = rng.chance(0.7).then(|| fake_phone(&mut rng));
            let email = rng.chance(0.35).then(|| format!("demo.{id}@demo.example"));
            let address = rng.chance(0.92).then(|| {
                (
                    format!(
                        "{} {}",
                        rng.pick(STREETS).unwrap_or("Demogatan"),
                        1 + rng.below(120)
                    ),
                    format!("999 {:02}", rng.below(100)),
                    rng.pick(CITIES).unwrap_or("Demostad"),
                )
            });
            let children = rng.chance(0.12);
            let created_at = at(plan.person_created(k, idx));
            let created_by = plan.staff_id(k, k.staff.cso(&mut rng));
            let protected = core.protection == "skyddad_folkbokforing";
            let shown = if protected { None } else { address.as_ref() };
            rows.int(id)
                .text(&k.kod)
                .text(core.kind)
                .opt_text(core.number.as_deref())
                .text(&internal_ref(id))
                .text(core.given)
                .text(core.family)
                .opt_text(phone.as_deref())
                .opt_text(email.as_deref())
                .opt_text(shown.map(|a| a.0.as_str()))
                .opt_text(shown.map(|a| a.1.as_str()))
                .opt_text(shown.map(|a| a.2))
                .text(core.protection)
                .bool(children)
                .time(created_at)
                .int(created_by)
                .bool(true);
            rows.end_row();
            if protected {
                let (line, postal, city) = address
                    .unwrap_or_else(|| ("Demogatan 1".to_owned(), "999 99".to_owned(), "Demostad"));
                hidden
                    .row()
                    .int(id)
                    .text(&line)
                    .text(&postal)
                    .text(city)
                    .time(created_at);
                hidden.end_row(backend);
            }
            out.flush(&mut rows, false)?;
        }
    }
    out.flush(&mut rows, true)?;
    hidden.send(out, "protected addresses")?;

    out.stage(
        "person relations",
        ks.iter()
            .filter(|k| k.recipients > 0)
            .map(|k| k.carers)
            .sum(),
    )?;
    let mut rows = out.rows(&bulk::PERSON_RELATIONS);
    let mut relation_id = plan.relation_base;
    for k in ks.iter().filter(|k| k.recipients > 0) {
        for c in 0..k.carers {
            relation_id += 1;
            let (kind, together) = plan.relation_kind(k, c);
            rows.int(relation_id)
                .text(&k.kod)
                .int(plan.person_id(k, c))
                .int(plan.person_id(k, k.carers + c % k.recipients))
                .text(kind.as_str())
                .bool(together)
                .time(at(plan.person_created(k, c)));
            rows.end_row();
            out.flush(&mut rows, false)?;
        }
    }
    out.flush(&mut rows, true)?;

    out.stage("contact requests", ks.iter().map(|k| k.requests).sum())?;
    let mut rows = out.rows(&bulk::CONTACT_REQUESTS);
    for k in ks {
        for r in 0..k.requests {
            contact_request(plan, k, r, &mut rows);
            out.flush(&mut rows, false)?;
        }
    }
    out.flush(&mut rows, true)?;

    out.stage("cases", ks.iter().map(|k| k.cases).sum())?;
    let mut rows = out.rows(&bulk::CASES);
    let mut case_persons = Side::new(&bulk::CASE_PERSONS, backend);
    let mut events = Side::new(&bulk::CASE_EVENTS, backend);
    let mut event_id = plan.event_base;
    for k in ks {
        let mut per_year: BTreeMap<i32, u64> = BTreeMap::new();
        for j in 0..k.cases {
            let info = plan.case_info(k, j);
            let id = k.case_base + j as i64 + 1;
            let opened = at(info.opened_at);
            let n = per_year.entry(opened.year()).or_insert(0);
            *n += 1;
            rows.int(id)
                .text(&k.kod)
                .text(&format!("{}-{:05}", opened.year(), n))
                .text(info.kind.as_str())
                .text(info.status.as_str())
                .int(k.unit_a + i64::from(info.unit_b))
                .int(plan.staff_id(k, info.assignee))
                .opt_int(info.request.map(|r| k.request_base + i64::from(r) + 1))
                .time(opened)
                .int(plan.staff_id(k, info.opened_by))
                .bool(true);
            rows.end_row();
            if let Some(c) = info.carer {
                case_persons
                    .row()
                    .int(id)
                    .int(plan.person_id(k, c))
                    .text("carer");
                case_persons.end_row(backend);
            }
            if let Some(r) = info.recipient {
                case_persons
                    .row()
                    .int(id)
                    .int(plan.person_id(k, k.carers + r))
                    .text("care_recipient");
                case_persons.end_row(backend);
            }
            event_id += 1;
            events
                .row()
                .int(event_id)
                .int(id)
                .time(opened)
                .int(plan.staff_id(k, info.opened_by))
                .text("opened")
                .text(info.kind.as_str());
            events.end_row(backend);
            // The status moves that led to the case's status, as `cases::set_status` records
            // them, spread between the opening and now.
            let moves = status_moves(info.kind, info.status);
            let span = (plan.now - info.opened_at).max(1);
            for (i, (from, to)) in moves.iter().enumerate() {
                event_id += 1;
                let when = info.opened_at + span * (i as i64 + 1) / (moves.len() as i64 + 1);
                events
                    .row()
                    .int(event_id)
                    .int(id)
                    .time(at(when))
                    .int(plan.staff_id(k, info.assignee))
                    .text("status")
                    .text(&format!("{} -> {}", from.as_str(), to.as_str()));
                events.end_row(backend);
            }
            out.flush(&mut rows, false)?;
        }
    }
    out.flush(&mut rows, true)?;
    case_persons.send(out, "case persons")?;
    events.send(out, "case events")?;

    out.stage("journal entries", ks.iter().map(|k| k.journal).sum())?;
    let mut rows = out.rows(&bulk::JOURNAL_ENTRIES);
    let mut marks = Side::new(&bulk::JOURNAL_MARKS, backend);
    let mut entry_id = plan.entry_base;
    let mut mark_id = plan.mark_base;
    let mut times: Vec<i64> = Vec::new();
    let mut text = String::new();
    for k in ks {
        for j in 0..k.cases {
            let info = plan.case_info(k, j);
            let n = plan.entries(k, j);
            let mut rng = Rng::new(plan.seed, TAG_JOURNAL, k.m, j);
            let end = plan.now.min(info.opened_at + 540 * DAY_US);
            let span = (end - info.opened_at).max(1) as u64;
            times.clear();
            times.extend((0..n).map(|_| info.opened_at + rng.below(span) as i64));
            times.sort_unstable();
            for (e, &t) in times.iter().enumerate() {
                entry_id += 1;
                let author = match rng.below(10) {
                    0..=6 => info.assignee,
                    7 | 8 if info.unit_b => k.staff.co(&mut rng),
                    7 | 8 => k.staff.cso(&mut rng),
                    _ => k.staff.manager(info.unit_b),
                };
                let kind = if e == 0 {
                    if info.request.is_some() {
                        JournalKind::PhoneCall
                    } else {
                        JournalKind::Note
                    }
                } else {
                    rng.weighted(&[
                        (JournalKind::Note, 40),
                        (JournalKind::PhoneCall, 25),
                        (JournalKind::Meeting, 15),
                        (JournalKind::InformationGiven, 10),
                        (JournalKind::ConsentRecorded, 5),
                        (JournalKind::Letter, 5),
                    ])
                    .unwrap_or(JournalKind::Note)
                };
                text.clear();
                let openings = OPENINGS
                    .iter()
                    .find(|(kk, _)| *kk == kind)
                    .map_or(&[][..], |(_, o)| *o);
                text.push_str(rng.pick(openings).unwrap_or("Anteckning."));
                if rng.chance(0.8) {
                    text.push(' ');
                    text.push_str(rng.pick(MIDDLES).unwrap_or(""));
                }
                let ending = rng.pick(ENDINGS).unwrap_or("");
                if !ending.is_empty() {
                    text.push(' ');
                    text.push_str(ending);
                }
                let author_id = plan.staff_id(k, author);
                rows.int(entry_id)
                    .int(k.case_base + j as i64 + 1)
                    .text(&k.kod)
                    .time(at(t))
                    .int(author_id)
                    .text(kind.as_str())
                    .text(&text);
                rows.end_row();
                if rng.chance(0.01) {
                    mark_id += 1;
                    let when = plan
                        .now
                        .min(t + HOUR_US + rng.below(72 * HOUR_US as u64) as i64);
                    marks
                        .row()
                        .int(mark_id)
                        .int(entry_id)
                        .time(at(when))
                        .int(author_id)
                        .text(
                            rng.pick(MARK_REASONS)
                                .unwrap_or("Fel ärende, se nästa anteckning."),
                        );
                    marks.end_row(backend);
                }
            }
            out.flush(&mut rows, false)?;
        }
    }
    out.flush(&mut rows, true)?;
    marks.send(out, "journal marks")?;
    Ok(())
}

/// The allowed moves (`CaseStatus::may_move_to`) from open to the given status.
fn status_moves(kind: CaseKind, status: CaseStatus) -> Vec<(CaseStatus, CaseStatus)> {
    use CaseStatus::*;
    match (kind, status) {
        (_, Open) => vec![],
        (_, Investigating) => vec![(Open, Investigating)],
        (_, Decided) => vec![(Open, Investigating), (Investigating, Decided)],
        (CaseKind::Application, Closed) => vec![
            (Open, Investigating),
            (Investigating, Decided),
            (Decided, Closed),
        ],
        (_, Closed) => vec![(Open, Closed)],
    }
}

fn contact_request(plan: &Plan, k: &Kommun, r: u64, rows: &mut Rows) {
    let mut rng = Rng::new(plan.seed, TAG_REQUEST, k.m, r);
    let received = plan.request_time(k, r);
    let linked = k
        .request_case
        .get(r as usize)
        .copied()
        .flatten()
        .map(|j| plan.case_info(k, u64::from(j)));
    let anonymous = linked.is_none() && rng.chance(0.08);
    // Who wrote: the carer of the case it led to, a known carer, or someone new.
    let person = match &linked {
        Some(info) => info.carer,
        None if !anonymous && k.carers > 0 && rng.chance(0.3) => Some(rng.below(k.carers)),
        None => None,
    }
    .map(|c| (c, plan.person_core(k, c)));
    let name = if anonymous {
        None
    } else {
        match &person {
            Some((_, p)) => Some(format!("{} {}", p.given, p.family)),
            None => Some(format!(
                "{} {}",
                rng.pick(GIVEN).unwrap_or("Demo-Anna"),
                rng.pick(FAMILY).unwrap_or("Exempelsson")
            )),
        }
    };
    let number = match &person {
        Some((_, p)) if !anonymous && rng.chance(0.5) => p.number.clone(),
        _ => None,
    };
    let by_phone = rng.chance(if anonymous { 0.5 } else { 0.85 });
    let phone = by_phone.then(|| fake_phone(&mut rng));
    let email = ((!by_phone && !anonymous) || rng.chance(0.3))
        .then(|| format!("anhorig.{}.{r}@demo.example", k.kod));
    let relation = match &person {
        Some((c, _)) if k.recipients > 0 => Some(plan.relation_kind(k, *c).0.as_str()),
        _ => rng
            .chance(0.85)
            .then(|| rng.pick(domain::contact::Relation::ALL))
            .flatten()
            .map(|r| r.as_str()),
    };
    let age = if rng.chance(0.8) {
        rng.weighted(&[
            (AgeGroup::Under18, 4),
            (AgeGroup::From18To64, 26),
            (AgeGroup::From65To79, 35),
            (AgeGroup::From80, 35),
        ])
    } else {
        None
    };
    let mut conditions: Vec<&str> = Vec::new();
    for _ in 0..1 + rng.below(2) {
        if let Some(c) = rng.pick(Condition::ALL) {
            if !conditions.contains(&c.as_str()) {
                conditions.push(c.as_str());
            }
        }
    }
    let recipient_is_child = age == Some(AgeGroup::Under18);
    let carer_age = if rng.chance(0.75) {
        rng.weighted(&[
            (AgeGroup::Under18, 3),
            (AgeGroup::From18To64, 55),
            (AgeGroup::From65To79, 32),
            (AgeGroup::From80, 10),
        ])
    } else {
        None
    };
    let young = carer_age == Some(AgeGroup::Under18)
        || number.as_deref().is_some_and(|n| {
            domain::Personnummer::parse(n, plan.today).is_ok_and(|p| p.is_minor_on(plan.today))
        });
    let involves_child = young || recipient_is_child || age == Some(AgeGroup::Under18);
    let mut wants: Vec<&str> = Vec::new();
    for _ in 0..1 + rng.below(2) {
        if let Some(w) = rng.pick(Want::ALL) {
            if !wants.contains(&w.as_str()) {
                wants.push(w.as_str());
            }
        }
    }
    let message = rng.chance(0.6).then(|| rng.pick(MESSAGES)).flatten();
    let preferred = rng
        .chance(0.8)
        .then(|| rng.pick(PreferredTime::ALL))
        .flatten()
        .map(|p| p.as_str());
    let (assigned_to, assigned_at) = match &linked {
        Some(info) => (
            Some(info.assignee),
            Some(received + (info.opened_at - received) / 2),
        ),
        None if rng.chance(0.45) => (
            Some(k.staff.cso(&mut rng)),
            Some(
                plan.now
                    .min(received + HOUR_US + rng.below(120 * HOUR_US as u64) as i64),
            ),
        ),
        None => (None, None),
    };
    rows.int(k.request_base + r as i64 + 1)
        .text(&k.kod)
        .text(&reference(plan.seed, k.m, r))
        .time(at(received))
        .bool(anonymous)
        .opt_text(name.as_deref())
        .opt_text(phone.as_deref())
        .opt_text(email.as_deref())
        .opt_text(number.as_deref())
        .opt_text(relation)
        .opt_text(age.map(AgeGroup::as_str))
        .text(&conditions.join(","))
        .bool(recipient_is_child)
        .opt_text(carer_age.map(AgeGroup::as_str))
        .bool(young)
        .bool(involves_child)
        .text(&wants.join(","))
        .opt_text(message)
        .opt_text(preferred)
        .bool(true)
        .text("new")
        .bool(true)
        .opt_int(assigned_to.map(|s| plan.staff_id(k, s)))
        .opt_time(assigned_at.map(at));
    rows.end_row();
}

// ---------------------------------------------------------------------------------------
// The writer and the progress bar

/// One line per stage on standard error: redrawn in place on a terminal, else written once
/// when the stage ends.
struct Progress {
    name: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    drawn: Option<Instant>,
    tty: bool,
}

fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

impl Progress {
    fn new(name: &'static str, total: u64, tty: bool) -> Self {
        let p = Self {
            name,
            total,
            done: 0,
            started: Instant::now(),
            drawn: None,
            tty,
        };
        if tty {
            p.draw();
        }
        p
    }

    fn rate(&self) -> u64 {
        let secs = self.started.elapsed().as_secs_f64();
        if secs > 0.0 {
            (self.done as f64 / secs) as u64
        } else {
            0
        }
    }

    fn draw(&self) {
        const WIDTH: u64 = 30;
        let filled = (self.done.min(self.total) * WIDTH)
            .checked_div(self.total)
            .unwrap_or(WIDTH) as usize;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{:<20} [{}{}] {:>9} / {:<9} {:>9}/s {:>6}",
            self.name,
            "#".repeat(filled),
            ".".repeat(WIDTH as usize - filled),
            grouped(self.done),
            grouped(self.total),
            grouped(self.rate()),
            clock(self.started.elapsed())
        );
        let _ = err.flush();
    }

    fn add(&mut self, n: u64) {
        self.done += n;
        if self.tty
            && self
                .drawn
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.drawn = Some(Instant::now());
            self.draw();
        }
    }

    fn finish(&self) {
        if self.tty {
            self.draw();
        }
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = writeln!(err);
        } else {
            let _ = writeln!(
                err,
                "{}: {} rows in {:.1} s ({}/s)",
                self.name,
                grouped(self.done),
                self.started.elapsed().as_secs_f64(),
                grouped(self.rate())
            );
        }
    }
}

/// Writes chunks as they come, `lanes` at a time; every chunk of a stage is committed
/// before the next stage starts, so foreign keys always find their rows.
async fn write_all(
    db: &Db,
    mut rx: mpsc::Receiver<Msg>,
    lanes: usize,
    tty: bool,
) -> Result<Vec<(&'static str, u64)>, String> {
    let mut done: Vec<(&'static str, u64)> = Vec::new();
    let mut progress: Option<Progress> = None;
    let mut inflight: tokio::task::JoinSet<Result<u64, store::StoreError>> =
        tokio::task::JoinSet::new();
    async fn settle(
        inflight: &mut tokio::task::JoinSet<Result<u64, store::StoreError>>,
        progress: &mut Option<Progress>,
        keep: usize,
    ) -> Result<(), String> {
        while inflight.len() > keep {
            match inflight.join_next().await {
                Some(Ok(Ok(n))) => {
                    if let Some(p) = progress.as_mut() {
                        p.add(n);
                    }
                }
                Some(Ok(Err(e))) => return Err(e.to_string()),
                Some(Err(e)) => return Err(format!("writer task: {e}")),
                None => break,
            }
        }
        Ok(())
    }
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Stage { name, total } => {
                settle(&mut inflight, &mut progress, 0).await?;
                if let Some(p) = progress.take() {
                    p.finish();
                    done.push((p.name, p.done));
                }
                progress = Some(Progress::new(name, total, tty));
            }
            Msg::Rows(rows) => {
                settle(&mut inflight, &mut progress, lanes.saturating_sub(1)).await?;
                let db = db.clone();
                inflight.spawn(async move { bulk::write(&db, rows).await });
            }
        }
    }
    settle(&mut inflight, &mut progress, 0).await?;
    if let Some(p) = progress.take() {
        p.finish();
        done.push((p.name, p.done));
    }
    Ok(done)
}

// ---------------------------------------------------------------------------------------
// The command

pub async fn run(
    url: &str,
    file: &crate::FileConfig,
    args: GenerateArgs,
) -> Result<ExitCode, String> {
    if !(args.scale.is_finite() && args.scale > 0.0) {
        return Err("--scale must be a positive number".into());
    }
    let all = domain::kommun::all_municipalities().map_err(|e| e.to_string())?;
    let kods: Vec<String> = match args.preset {
        Preset::National => {
            if args.kommun.is_some() {
                return Err("--kommun is for --preset municipality; national fills all 290".into());
            }
            all.iter()
                .map(|m| m.kommunkod.as_str().to_owned())
                .collect()
        }
        Preset::Municipality => {
            let kod = args.kommun.clone().unwrap_or_else(|| DEFAULT_KOMMUN.into());
            if !all.iter().any(|m| m.kommunkod.as_str() == kod) {
                return Err(format!("'{kod}' is not a Swedish kommunkod"));
            }
            vec![kod]
        }
    };
    let started = Instant::now();
    let db = crate::open_url(url, file).await?;
    let backend = db.backend();

    let occupied = bulk::occupied(&db, &[UNIT_A, UNIT_B], STAFF_EMAIL_LIKE)
        .await
        .map_err(|e| e.to_string())?;
    // Only empty municipalities are filled: numbers, references and case numbers are
    // unique by construction only there. National leaves out those that hold data already
    // (the demo municipality after `demo`, say) and shares the totals among the others.
    let (taken, kods): (Vec<String>, Vec<String>) =
        kods.into_iter().partition(|k| occupied.contains(k));
    if kods.is_empty() || (args.preset == Preset::Municipality && !taken.is_empty()) {
        return Err(format!(
            "refusing to generate: {} already {} persons, cases or generated staff, and \
             `generate` only fills empty municipalities; use a fresh database{}",
            short_list(&taken),
            if taken.len() == 1 { "holds" } else { "hold" },
            if args.preset == Preset::Municipality {
                " or another --kommun"
            } else {
                ""
            }
        ));
    }
    if !taken.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "Leaving out {} that already {} persons, cases or generated staff: {}",
            plural(taken.len(), "municipality", "municipalities"),
            if taken.len() == 1 { "holds" } else { "hold" },
            short_list(&taken)
        );
    }

    let password_hash = tokio::task::spawn_blocking(|| {
        web::staff::auth::hash_password(web::staff::auth::HashCost::Standard, DEMO_PASSWORD)
            .map_err(|e| format!("password hash: {e:?}"))
    })
    .await
    .map_err(|e| e.to_string())??;

    let max = |t: &'static Table| {
        let db = db.clone();
        async move { bulk::max_id(&db, t).await.map_err(|e| e.to_string()) }
    };
    let bases = Bases {
        unit: max(&bulk::UNITS).await?,
        staff: max(&bulk::STAFF_USERS).await?,
        person: max(&bulk::PERSONS).await?,
        relation: max(&bulk::PERSON_RELATIONS).await?,
        request: max(&bulk::CONTACT_REQUESTS).await?,
        case: max(&bulk::CASES).await?,
        event: max(&bulk::CASE_EVENTS).await?,
        entry: max(&bulk::JOURNAL_ENTRIES).await?,
        mark: max(&bulk::JOURNAL_MARKS).await?,
    };
    let now = Utc::now().trunc_subsecs(6);
    let plan = plan(
        args.preset,
        kods,
        args.seed,
        args.scale,
        backend,
        now,
        bases,
        password_hash,
    )?;
    let municipalities = plan.kommuner.len();
    let sample_email = plan
        .kommuner
        .iter()
        .max_by_key(|k| k.carers)
        .map(|k| format!("kh{}.2@demo.example", k.kod))
        .unwrap_or_default();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "Generating fake demo data ({:?}, seed {}) for {} on {:?}",
        args.preset,
        args.seed,
        plural(municipalities, "municipality", "municipalities"),
        backend
    );
    drop(err);

    let lanes = match backend {
        Backend::Postgres => 2,
        Backend::Sqlite => 1,
    };
    let tty = std::io::stderr().is_terminal();
    let (tx, rx) = mpsc::channel::<Msg>(2);
    let generator = tokio::task::spawn_blocking(move || {
        let out = Out { tx, backend };
        generate(&plan, &out)
    });
    let written = write_all(&db, rx, lanes, tty).await;
    let generated = generator.await.map_err(|e| e.to_string())?;
    let written = match (written, generated) {
        (Err(e), _) => {
            return Err(format!(
                "{e}\nThe rows written before this stay; start again on a fresh database."
            ))
        }
        (Ok(_), Err(e)) => return Err(e),
        (Ok(w), Ok(())) => w,
    };

    let analyzing = Instant::now();
    if tty {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "sequences, analyze ...");
        let _ = err.flush();
    }
    bulk::finish(&db, bulk::TABLES)
        .await
        .map_err(|e| e.to_string())?;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{}sequences, analyze: done in {:.1} s",
        if tty { "\r" } else { "" },
        analyzing.elapsed().as_secs_f64()
    );
    drop(err);

    let count = |name: &str| {
        written
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, c)| *c)
            .sum::<u64>()
    };
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let summary = format!(
        "preset {:?}, seed {}, scale {}: {}, {} staff, {} persons, \
         {} contact requests, {} cases, {} journal entries (all fake, is_demo)",
        args.preset,
        args.seed,
        args.scale,
        plural(municipalities, "municipality", "municipalities"),
        count("staff"),
        count("persons"),
        count("contact requests"),
        count("cases"),
        count("journal entries"),
    )
    .to_lowercase();
    let event = store::audit::AuditEvent {
        actor: format!("cli:{user}"),
        role: "system".into(),
        kommunkod: written_kommun(&args),
        action: "data.generate".into(),
        object_kind: "database".into(),
        reason: Some(summary),
        ..Default::default()
    };
    store::audit::append_now(&db, Utc::now(), &event)
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;

    let mut lines = vec![format!(
        "Generated fake demo data in {} ({:?}, {}):",
        clock(started.elapsed()),
        backend,
        plural(municipalities, "municipality", "municipalities")
    )];
    for (name, n) in &written {
        lines.push(format!("  {name:<20} {:>11}", grouped(*n)));
    }
    lines.push(format!(
        "Staff e-mail kh{{kommunkod}}.{{n}}@demo.example, e.g. {sample_email}; password {DEMO_PASSWORD}; \
         second step: anhorigstod demo code --email {sample_email}"
    ));
    crate::say(&lines);
    Ok(ExitCode::SUCCESS)
}

/// At most five items, then how many more.
fn short_list(items: &[String]) -> String {
    let mut s = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        s.push_str(&format!(" and {} more", items.len() - 5));
    }
    s
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn written_kommun(args: &GenerateArgs) -> Option<String> {
    match args.preset {
        Preset::Municipality => Some(args.kommun.clone().unwrap_or_else(|| DEFAULT_KOMMUN.into())),
        Preset::National => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn numbers_are_valid_fake_and_unique() {
        let first = NaiveDate::from_ymd_opt(1925, 1, 1).unwrap();
        let last = today().checked_sub_days(Days::new(13 * 366)).unwrap();
        let numbers = Numbers::new(&mut Rng::new(7, TAG_NUMBERS, 0, 0), first, last);
        let mut seen = HashSet::new();
        for k in 0..50_000 {
            let coordination = k % 50 == 0;
            let n = numbers.number(k, coordination).unwrap();
            let p = domain::Personnummer::parse(&n, today()).unwrap();
            assert_eq!(p.canonical(), n);
            assert_eq!(
                p.kind() == domain::personnummer::IdKind::Samordningsnummer,
                coordination
            );
            let serial: u32 = n[9..12].parse().unwrap();
            assert!((980..=999).contains(&serial), "{n}");
            assert!(seen.insert((p.birth_date(), serial)), "{n} twice");
        }
    }

    #[test]
    fn allocation_sums_exactly() {
        let w = weights(1, &(0..290).map(|i| format!("{i:04}")).collect::<Vec<_>>());
        for total in [0, 17, 290, 1_300_000, 3_000_001] {
            let a = allocate(total, &w);
            assert_eq!(a.iter().sum::<u64>(), total);
            if total >= 290 {
                assert!(a.iter().all(|&n| n >= 1));
            }
        }
    }

    #[test]
    fn journal_counts_sum_to_the_total() {
        let now = Utc::now();
        let bases = Bases {
            unit: 0,
            staff: 0,
            person: 0,
            relation: 0,
            request: 0,
            case: 0,
            event: 0,
            entry: 0,
            mark: 0,
        };
        let p = plan(
            Preset::Municipality,
            vec!["0180".into()],
            3,
            0.05,
            Backend::Sqlite,
            now,
            bases,
            String::new(),
        )
        .unwrap();
        let k = &p.kommuner[0];
        let sum: u64 = (0..k.cases).map(|j| p.entries(k, j)).sum();
        assert_eq!(sum, k.journal);
        assert!((0..k.cases).all(|j| p.entries(k, j) >= 1));
        // Linked requests come before their case, and each is used once.
        for (j, r) in k.case_request.iter().enumerate() {
            if let Some(r) = r {
                assert_eq!(k.request_case[*r as usize], Some(j as u32));
                assert!(p.request_time(k, u64::from(*r)) <= p.case_time(k, j as u64));
            }
        }
    }

    #[test]
    fn references_are_well_formed_and_unique() {
        let mut seen = HashSet::new();
        for r in 0..20_000 {
            let s = reference(5, 1, r);
            assert_eq!(s.len(), 8);
            assert_eq!(&s[3..4], "-");
            assert!(seen.insert(s));
        }
    }

    #[test]
    fn staff_layout_has_every_role() {
        for n in [1, 4, 5, 6, 7, 40, 60] {
            let s = Staff::new(n);
            let roles: HashSet<Role> = (0..s.n).map(|i| s.role(i)).collect();
            assert_eq!(roles.len(), 4, "{n}");
            assert_eq!(s.n, n.max(4));
        }
    }
}
