//! The demo: one municipality seeded fully with clearly fake data, and demo staff whose
//! logins are printed. Nothing here is a real person; every generated row is marked demo.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use domain::catalogue::{shipped_municipal, Provenance};
use domain::contact::{
    validate, AgeGroup, Condition, PreferredTime, RawContactRequest, Relation, Want,
};
use domain::personnummer::luhn_check_digit;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use store::contact_requests::Origin;
use store::municipalities::{Contact, Settings};
use store::Db;

/// Uppsala's code; its demo data says on every page that it is a demo.
pub const DEMO_KOMMUNKOD: &str = "0380";

/// The shared password of the demo staff, printed at start. Demo only.
pub const DEMO_PASSWORD: &str = "demo-anhorigstod-2026";

pub struct DemoLogin {
    pub email: &'static str,
    pub role: &'static str,
    pub name: &'static str,
}

pub const DEMO_STAFF: &[DemoLogin] = &[
    DemoLogin {
        email: "konsulent@demo.example",
        role: "carer-support-officer",
        name: "Demo Konsulentsson",
    },
    DemoLogin {
        email: "handlaggare@demo.example",
        role: "case-officer",
        name: "Demo Handläggarsdotter",
    },
    DemoLogin {
        email: "enhetschef@demo.example",
        role: "unit-manager",
        name: "Demo Chefsson",
    },
    DemoLogin {
        email: "kommunadmin@demo.example",
        role: "municipal-admin",
        name: "Demo Adminsson",
    },
    DemoLogin {
        email: "sysadmin@demo.example",
        role: "system-admin",
        name: "Demo Driftsdotter",
    },
];

#[derive(Debug)]
pub struct DemoError(pub String);

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<store::StoreError> for DemoError {
    fn from(e: store::StoreError) -> Self {
        DemoError(e.to_string())
    }
}

/// The demo accounts' second-factor secret, so the demo can be clicked through without a
/// phone: `anhorigstod demo code --email ...` prints the current code. Demo accounts only.
pub const DEMO_TOTP_SECRET: &str = "DEMOANHORIGSTODDEMOANHORIGSTOD22";

/// The units of the demo municipality, and which demo account works in which.
pub const DEMO_UNITS: &[(&str, &[&str])] = &[
    (
        "Anhörigstödet",
        &["konsulent@demo.example", "enhetschef@demo.example"],
    ),
    (
        "Myndighetsutövning äldreomsorg",
        &["handlaggare@demo.example", "enhetschef@demo.example"],
    ),
];

fn demo_settings() -> (Settings, Vec<Contact>) {
    // Phone numbers from the range the Swedish telecom regulator keeps for fiction (070-1740605..699).
    let settings = Settings {
        switchboard_phone: Some("070-174 06 05".into()),
        email: Some("anhorigstod@demo.example".into()),
        visiting_address: Some("Demogatan 1, 999 99 Demostad (påhittad adress)".into()),
        opening_hours: Some("Vardagar 08.00–16.30".into()),
        board_name: "Socialnämnden (demo)".into(),
        website: None,
        is_demo: true,
        require_mfa: true,
    };
    let c = |kind: &str, name: &str, title: &str, phone: &str, email: &str, note: Option<&str>| {
        Contact {
            kind: kind.into(),
            name: name.into(),
            title: Some(title.into()),
            phone: Some(phone.into()),
            email: Some(email.into()),
            note: note.map(str::to_owned),
        }
    };
    let contacts = vec![
        c(
            "carer_support_officer",
            "Demo Konsulentsson",
            "anhörigkonsulent",
            "070-174 06 10",
            "konsulent@demo.example",
            Some("Telefontid måndag–torsdag 09.00–10.00"),
        ),
        c(
            "carer_support_officer",
            "Exempel Stödsdotter",
            "anhörigkonsulent för unga anhöriga",
            "070-174 06 11",
            "unga@demo.example",
            None,
        ),
        c(
            "case_officer_intake",
            "Demo Handläggarsdotter",
            "biståndshandläggare, mottagningen",
            "070-174 06 12",
            "handlaggare@demo.example",
            None,
        ),
        c(
            "administration",
            "Vård- och omsorgsförvaltningen (demo)",
            "förvaltningen",
            "070-174 06 13",
            "forvaltningen@demo.example",
            None,
        ),
        c(
            "board_politicians",
            "Socialnämndens ordförande (demo)",
            "ordförande",
            "070-174 06 14",
            "namnden@demo.example",
            None,
        ),
        c(
            "elderly_ombudsman",
            "Äldreombudsmannen (demo)",
            "äldreombudsman",
            "070-174 06 15",
            "aldreombud@demo.example",
            None,
        ),
        c(
            "patient_ombudsman",
            "Patientnämnden i regionen (demo)",
            "patientnämnd",
            "070-174 06 16",
            "patientnamnden@demo.example",
            None,
        ),
    ];
    (settings, contacts)
}

const FIRST: &[&str] = &[
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
];
const LAST: &[&str] = &[
    "Exempelsson",
    "Testdotter",
    "Påhittad",
    "Demosson",
    "Provberg",
];

/// A valid-looking number for a generated person: real check digit, serial 980–999.
pub fn fake_personnummer(rng: &mut impl Rng, today: NaiveDate) -> String {
    let year = rng.gen_range(1935..=today.year() - 12);
    let month = rng.gen_range(1..=12u32);
    let day = rng.gen_range(1..=28u32);
    let serial = rng.gen_range(980..=999u32);
    let nine = format!("{:02}{month:02}{day:02}{serial:03}", year % 100);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    format!(
        "{year}{month:02}{day:02}-{serial:03}{}",
        luhn_check_digit(&digits)
    )
}

/// Seeds the demo municipality. Safe to run again: settings and catalogue are refreshed,
/// staff and carers are only added once.
pub async fn seed(db: &Db) -> Result<(), DemoError> {
    // A demo prints its passwords: never on a database that real people sign in to. A
    // database the demo was seeded in before (it has demo accounts) may hold accounts made
    // for trying it out.
    let accounts = store::staff::list(db, None).await?;
    let real = accounts.iter().filter(|s| !s.is_demo).count();
    if real > 0 && !accounts.iter().any(|s| s.is_demo) {
        return Err(DemoError(format!(
            "this database holds {real} account(s) that are not demo accounts and was never \
             a demo database; the demo seeds only a database of its own"
        )));
    }
    let (settings, contacts) = demo_settings();
    store::municipalities::save_settings(db, DEMO_KOMMUNKOD, &settings, &contacts).await?;

    let mut catalogue = shipped_municipal().map_err(|e| DemoError(e.to_string()))?;
    let provenance = Provenance {
        updated_on: Utc::now().date_naive(),
        editor: "Demo Konsulentsson, anhörigkonsulent (demo)".into(),
        reviewer: "Demo Chefsson, enhetschef (demo)".into(),
    };
    for e in &mut catalogue.entries {
        e.provenance = provenance.clone();
    }
    for p in &mut catalogue.pages {
        p.provenance = provenance.clone();
    }
    let changed = match store::catalogue::current(db, DEMO_KOMMUNKOD).await? {
        Some((_, current)) => current.entries.len() != catalogue.entries.len(),
        None => true,
    };
    if changed {
        store::catalogue::save(db, DEMO_KOMMUNKOD, &catalogue, "demo").await?;
    }

    let existing = store::staff::list(db, Some(DEMO_KOMMUNKOD)).await?;
    if existing.is_empty() {
        let hash =
            web::staff::auth::hash_password(web::staff::auth::HashCost::Standard, DEMO_PASSWORD)
                .map_err(|e| DemoError(format!("{e:?}")))?;
        let origin = Origin {
            actor: "demo-seed".into(),
            role: "system".into(),
            ..Origin::default()
        };
        for s in DEMO_STAFF {
            // The system administrator runs the installation, not one municipality.
            let kommun = (s.role != "system-admin").then_some(DEMO_KOMMUNKOD);
            let created = store::staff::create(
                db,
                kommun,
                s.email,
                s.name,
                s.role,
                &hash,
                true,
                Utc::now(),
                &origin,
            )
            .await?;
            if let Some(id) = created {
                store::staff::set_totp(db, id, Some(DEMO_TOTP_SECRET), Utc::now(), &origin).await?;
            }
        }
        for (unit, members) in DEMO_UNITS {
            let unit_id = store::staff::ensure_unit(db, DEMO_KOMMUNKOD, unit).await?;
            for email in *members {
                if let Some(c) = store::staff::credentials(db, email).await? {
                    store::staff::add_to_unit(db, c.user.id, unit_id).await?;
                }
            }
        }
    }

    if store::contact_requests::count(db, DEMO_KOMMUNKOD).await? == 0 {
        let mut rng = StdRng::seed_from_u64(2026);
        let today = Utc::now().date_naive();
        let origin = Origin {
            actor: "demo-seed".into(),
            role: "system".into(),
            ..Origin::default()
        };
        for i in 0..24usize {
            let anonymous = i % 7 == 3;
            let raw = RawContactRequest {
                anonymous,
                name: format!("{} {}", FIRST[i % FIRST.len()], LAST[i % LAST.len()]),
                phone: format!("070-174 06 {}", 20 + i % 70),
                email: if i % 2 == 0 {
                    format!("anhorig{i}@demo.example")
                } else {
                    String::new()
                },
                personnummer: if i % 3 == 0 {
                    fake_personnummer(&mut rng, today)
                } else {
                    String::new()
                },
                relation: Relation::ALL[i % Relation::ALL.len()].as_str().into(),
                recipient_age_group: AgeGroup::ALL[(i + 2) % AgeGroup::ALL.len()].as_str().into(),
                recipient_conditions: vec![Condition::ALL[i % Condition::ALL.len()]
                    .as_str()
                    .into()],
                recipient_is_child: false,
                carer_age_group: AgeGroup::ALL[if i % 8 == 5 { 0 } else { 1 + i % 3 }]
                    .as_str()
                    .into(),
                wants: vec![Want::ALL[i % Want::ALL.len()].as_str().into()],
                message: "Demo: påhittad förfrågan för att visa hur kön ser ut.".into(),
                preferred_time: PreferredTime::ALL[i % PreferredTime::ALL.len()]
                    .as_str()
                    .into(),
                consent: true,
            };
            let req =
                validate(&raw, today).map_err(|e| DemoError(format!("demo request {i}: {e:?}")))?;
            let at = Utc::now() - Duration::hours((24 * 14 - i * 13) as i64);
            store::contact_requests::create(db, DEMO_KOMMUNKOD, &req, at, today, &origin, true)
                .await?;
        }
    }
    seed_cases(db).await?;
    seed_activities(db).await?;
    seed_conversations(db).await?;
    Ok(())
}

/// Demo times for conversations over the coming week (one already booked), and two
/// conversations staff registered after phone calls. Added once.
async fn seed_conversations(db: &Db) -> Result<(), DemoError> {
    use domain::conversation::{
        validate_booking, validate_held, ConversationMode, RawBooking, RawHeld, RecordingMode, Slot,
    };
    let Some(officer) = store::staff::credentials(db, "konsulent@demo.example").await? else {
        return Ok(());
    };
    let origin = Origin {
        actor: "demo-seed".into(),
        role: "system".into(),
        ..Origin::default()
    };
    let now = Utc::now();
    let local = domain::clock::stockholm_local(now);
    if !store::conversations::open_slots(db, DEMO_KOMMUNKOD, local)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let t = web::i18n::I18n::swedish().map_err(|e| DemoError(e.to_string()))?;
    let compose = web::mails::Mails::with(&t, "http://127.0.0.1:8080");
    let today = local.date();
    let mut first = None;
    for (day, hour, mode) in [
        (1, 10, "in_person"),
        (1, 14, "phone"),
        (2, 9, "video"),
        (3, 13, "phone"),
        (4, 10, "in_person"),
    ] {
        let d = today + Duration::days(day);
        let mode = ConversationMode::parse(mode).unwrap_or(ConversationMode::Phone);
        let slot = Slot {
            starts_at: d.and_hms_opt(hour, 0, 0).unwrap_or_default(),
            ends_at: d.and_hms_opt(hour, 45, 0).unwrap_or_default(),
            mode,
            place: (mode == ConversationMode::InPerson)
                .then(|| "Anhörigcenter (demo), Demogatan 12".to_owned()),
        };
        let id = store::conversations::publish_slot(
            db,
            DEMO_KOMMUNKOD,
            officer.user.id,
            &slot,
            now,
            &origin,
        )
        .await?;
        first.get_or_insert(id);
    }
    if let Some(slot) = first {
        let raw = RawBooking {
            name: "Demo-Karin Anhörigsson".into(),
            phone: "070-174 08 01".into(),
            topic: "Demo: min man har fått en demensdiagnos och jag vet inte var jag ska börja."
                .into(),
            age_group: "65-79".into(),
            gender: "woman".into(),
            consent: true,
            ..RawBooking::default()
        };
        let b = validate_booking(&raw, RecordingMode::Named, ConversationMode::InPerson)
            .map_err(|e| DemoError(format!("demo booking: {e:?}")))?;
        store::conversations::book(
            db,
            DEMO_KOMMUNKOD,
            slot,
            &b,
            RecordingMode::Named,
            &compose,
            now,
            local,
            &origin,
        )
        .await?
        .map_err(|r| DemoError(format!("demo booking: {r:?}")))?;
    }
    for (days_ago, age, gender) in [(3, "18-64", "man"), (9, "under-18", "woman")] {
        let raw = RawHeld {
            date: (today - Duration::days(days_ago)).to_string(),
            time: "11:00".into(),
            mode: "phone".into(),
            name: format!("Demo-Samtal {days_ago}"),
            age_group: age.into(),
            gender: gender.into(),
            topic: "Demo: registrerat efter ett telefonsamtal.".into(),
            ..RawHeld::default()
        };
        let h = validate_held(&raw, RecordingMode::Named, local)
            .map_err(|e| DemoError(format!("demo call: {e:?}")))?;
        store::conversations::register_held(
            db,
            DEMO_KOMMUNKOD,
            officer.user.id,
            &h,
            RecordingMode::Named,
            now,
            &origin,
        )
        .await?;
    }
    Ok(())
}

/// An activity, its occasions (day, start, end) and how many sign up.
type DemoActivity = (
    domain::activity::RawActivity,
    Vec<(NaiveDate, (u32, u32), (u32, u32))>,
    usize,
);

/// Demo activities of the open support: a dementia group with some signed up, a lecture, a
/// full group for young carers with a waitlist, and a digital meeting. Added once; the
/// occasions lie in the weeks after the day the demo is first seeded.
async fn seed_activities(db: &Db) -> Result<(), DemoError> {
    use domain::activity::{validate_activity, validate_signup, RawActivity, RawSignup};
    if !store::activities::list(db, DEMO_KOMMUNKOD)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let origin = Origin {
        actor: "demo-seed".into(),
        role: "system".into(),
        ..Origin::default()
    };
    let t = web::i18n::I18n::swedish().map_err(|e| DemoError(e.to_string()))?;
    let compose = web::mails::Mails::with(&t, "http://127.0.0.1:8080");
    let officer = store::staff::credentials(db, "konsulent@demo.example")
        .await?
        .map(|c| c.user.id);
    let now = Utc::now();
    let today = domain::clock::stockholm_date(now);
    // The next Tuesday, at least two days ahead, so reminders have a day to go out.
    let mut first = today + Duration::days(2);
    while first.weekday() != chrono::Weekday::Tue {
        first += Duration::days(1);
    }
    let at = |d: NaiveDate, h: u32, m: u32| d.and_hms_opt(h, m, 0).unwrap_or_default();
    let plans: [DemoActivity; 4] = [
        (
            RawActivity {
                kind: "support_group".into(),
                theme: "dementia".into(),
                title: "Samtalsgrupp för dig som är anhörig till någon med demens (demo)".into(),
                description: "Vi träffas fyra tisdagar och pratar om hur det är att vara anhörig när någon nära får en demenssjukdom. En anhörigkonsulent leder samtalen. Du behöver inte berätta mer än du vill.".into(),
                audience: "Vuxna anhöriga till någon med demenssjukdom".into(),
                place_name: "Anhörigcenter (demo)".into(),
                place_address: "Demogatan 12, Uppsala".into(),
                step_free: true,
                hearing_loop: true,
                capacity: "8".into(),
                cost: "Kostnadsfritt. Fika ingår.".into(),
                reminder_days: "2".into(),
                ..RawActivity::default()
            },
            (0..4).map(|w| (first + Duration::weeks(w), (17, 30), (19, 0))).collect(),
            3,
        ),
        (
            RawActivity {
                kind: "lecture".into(),
                theme: "general".into(),
                title: "Föreläsning: Att vara anhörig och orka (demo)".into(),
                description: "En kväll om att ta hand om sig själv när man stöttar någon annan. Efteråt finns anhörigkonsulenterna på plats för frågor.".into(),
                place_name: "Stadsbiblioteket, hörsalen (demo)".into(),
                place_address: "Demotorget 1, Uppsala".into(),
                step_free: true,
                hearing_loop: true,
                capacity: "60".into(),
                reminder_days: "1".into(),
                ..RawActivity::default()
            },
            vec![(first + Duration::days(8), (18, 0), (19, 30))],
            2,
        ),
        (
            RawActivity {
                kind: "support_group".into(),
                theme: "young_carers".into(),
                title: "Träff för unga anhöriga, 13–19 år (demo)".into(),
                description: "För dig som har en förälder eller ett syskon som är sjukt eller mår dåligt. Vi hittar på något tillsammans och pratar om det du vill.".into(),
                place_name: "Ungdomens hus (demo)".into(),
                step_free: false,
                capacity: "2".into(),
                reminder_days: "1".into(),
                ..RawActivity::default()
            },
            vec![(first + Duration::days(2), (16, 0), (18, 0))],
            3,
        ),
        (
            RawActivity {
                kind: "digital_meeting".into(),
                theme: "mental_illness".into(),
                title: "Digital anhörigträff: psykisk ohälsa (demo)".into(),
                description: "En träff på nätet för dig som är anhörig till någon med psykisk ohälsa. Länken får du i bekräftelsen.".into(),
                meeting_link: "https://mote.demo.example/anhorig".into(),
                capacity: "12".into(),
                reminder_days: "1".into(),
                ..RawActivity::default()
            },
            vec![(first + Duration::days(1), (19, 0), (20, 0))],
            0,
        ),
    ];
    let mut n = 0usize;
    for (raw, occasions, signups) in plans {
        let input =
            validate_activity(&raw, 0).map_err(|e| DemoError(format!("demo activity: {e:?}")))?;
        let id = store::activities::create(
            db,
            DEMO_KOMMUNKOD,
            &input,
            officer,
            now,
            &origin,
            None,
            true,
        )
        .await?;
        for (d, (h1, m1), (h2, m2)) in occasions {
            store::activities::add_occasion(
                db,
                DEMO_KOMMUNKOD,
                id,
                at(d, h1, m1),
                at(d, h2, m2),
                &compose,
                now,
                &origin,
            )
            .await?
            .map_err(|r| DemoError(format!("demo occasion: {r:?}")))?;
        }
        for _ in 0..signups {
            let raw = RawSignup {
                name: format!("{} {}", FIRST[n % FIRST.len()], LAST[(n + 3) % LAST.len()]),
                email: if n.is_multiple_of(2) {
                    format!("deltagare{n}@demo.example")
                } else {
                    String::new()
                },
                phone: format!("070-174 07 {}", 10 + n),
                needs: if n % 4 == 1 {
                    vec!["care_for_recipient".into()]
                } else {
                    Vec::new()
                },
                age_group: ["18-64", "65-79", "80-plus", "under-18"][n % 4].into(),
                gender: ["woman", "man"][n % 2].into(),
                consent: true,
                ..RawSignup::default()
            };
            let s = validate_signup(&raw).map_err(|e| DemoError(format!("demo sign-up: {e:?}")))?;
            store::activities::sign_up(
                db,
                Some(DEMO_KOMMUNKOD),
                id,
                &s,
                &compose,
                now,
                domain::clock::stockholm_local(now),
                &origin,
                true,
            )
            .await?
            .map_err(|r| DemoError(format!("demo sign-up: {r:?}")))?;
            n += 1;
        }
    }
    Ok(())
}

/// Demo persons, relations, cases and journal entries, so the workspace has something to
/// show: both units, a protected identity, a correction (felmarkering). Added once.
async fn seed_cases(db: &Db) -> Result<(), DemoError> {
    use domain::case::{
        validate_journal, validate_person, CaseKind, CaseStatus, PersonRole, RawPerson,
        RelationKind,
    };
    use store::cases::NewCase;
    let origin = Origin {
        actor: "demo-seed".into(),
        role: "system".into(),
        ..Origin::default()
    };
    let staff = store::staff::list(db, Some(DEMO_KOMMUNKOD)).await?;
    let id_of = |email: &str| staff.iter().find(|s| s.email == email).map(|s| s.id);
    let (Some(officer), Some(consultant)) = (
        id_of("handlaggare@demo.example"),
        id_of("konsulent@demo.example"),
    ) else {
        return Ok(());
    };
    let units = store::staff::units(db, DEMO_KOMMUNKOD).await?;
    let unit = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let case_unit = unit("Myndighetsutövning äldreomsorg");
    let support_unit = unit("Anhörigstödet");
    // Only once: the first demo case has number -00001 this year.
    let mut rng = StdRng::seed_from_u64(7);
    let today = Utc::now().date_naive();
    let mut person = |given: &str, family: &str, protection: &str, address: &str| RawPerson {
        id_number: fake_personnummer(&mut rng, today),
        given_name: given.into(),
        family_name: family.into(),
        phone: "070-174 06 90".into(),
        address_line: address.into(),
        city: "Demostad".into(),
        protection: protection.into(),
        ..RawPerson::default()
    };
    let people = [
        person("Demo-Karin", "Anhörigsson", "none", "Demogatan 3"),
        person("Demo-Gustav", "Anhörigsson", "none", "Demogatan 3"),
        person("Demo-Fatima", "Exempeldotter", "none", "Provvägen 12"),
        person(
            "Demo-Olle",
            "Exempelsson",
            "sekretessmarkering",
            "Provvägen 14",
        ),
        person(
            "Demo-Skyddad",
            "Person",
            "skyddad_folkbokforing",
            "Påhittad adress som aldrig visas",
        ),
    ];
    let now = Utc::now();
    let mut ids = Vec::new();
    for raw in &people {
        let Ok(new) = validate_person(raw, today) else {
            continue;
        };
        match store::persons::create(db, DEMO_KOMMUNKOD, &new, None, true, now, &origin).await? {
            Some(id) => ids.push(id),
            // Seeded before: the persons are there already, and so is the rest.
            None => return Ok(()),
        }
    }
    let [karin, gustav, fatima, olle, skyddad] = ids[..] else {
        return Ok(());
    };
    store::persons::add_relation(
        db,
        DEMO_KOMMUNKOD,
        karin,
        gustav,
        RelationKind::Partner,
        true,
        now,
        &origin,
    )
    .await?;
    store::persons::add_relation(
        db,
        DEMO_KOMMUNKOD,
        fatima,
        olle,
        RelationKind::Parent,
        false,
        now,
        &origin,
    )
    .await?;
    let cases = [
        (
            CaseKind::Application,
            case_unit,
            officer,
            vec![
                (karin, PersonRole::Carer),
                (gustav, PersonRole::CareRecipient),
            ],
            "investigating",
        ),
        (
            CaseKind::OpenSupport,
            support_unit,
            consultant,
            vec![
                (fatima, PersonRole::Carer),
                (olle, PersonRole::CareRecipient),
            ],
            "open",
        ),
        (
            CaseKind::OpenSupport,
            support_unit,
            consultant,
            vec![(skyddad, PersonRole::Carer)],
            "open",
        ),
        (
            CaseKind::Other,
            case_unit,
            officer,
            vec![(fatima, PersonRole::Carer)],
            "open",
        ),
    ];
    let notes = [
        ("phone_call", "Demo: Karin ringde och berättade att Gustav behöver tillsyn dygnet runt. Hon sover dåligt."),
        ("meeting", "Demo: Hembesök. Vi gick igenom vad avlösning i hemmet och växelvård innebär."),
        ("information_given", "Demo: Informerade om rätten att ansöka om stöd för egen del och om stödgrupperna."),
        ("note", "Demo: Anteckning som skrevs i fel ärende."),
    ];
    for (i, (kind, unit_id, assignee, persons, status)) in cases.into_iter().enumerate() {
        // The demo's officer opens and writes as anyone would: through the policy's grants.
        let Some(actor) = store::access::actor_of(db, assignee).await? else {
            continue;
        };
        let mut linked = Vec::new();
        for (person, role) in persons {
            // A person already in a colleague's case is linked with a stated reason, which
            // the log review then lists as emergency access.
            let reason = Some("Demo: personen finns redan i en kollegas ärende.");
            if let store::access::Verdict::Granted(grant) =
                store::access::link(db, &actor, person, reason).await?
            {
                linked.push((grant, role));
            }
        }
        let new = NewCase {
            kind,
            unit_id,
            assigned_to: Some(assignee),
            contact_request_reference: None,
            persons: linked,
            first_entry: None,
        };
        let Ok((case_id, _)) =
            store::cases::open(db, DEMO_KOMMUNKOD, &new, assignee, true, now, &origin).await?
        else {
            continue;
        };
        let verdict = store::access::case(
            db,
            &actor,
            domain::policy::Action::WriteCase,
            case_id,
            None,
            now,
            &origin,
        )
        .await?;
        let store::access::Verdict::Granted(grant) = verdict else {
            continue;
        };
        if status == "investigating" {
            store::cases::set_status(db, &grant, CaseStatus::Investigating, now, &origin).await?;
        }
        let count = if i == 0 { notes.len() } else { 2 };
        for (kind, text) in notes.iter().take(count) {
            let Ok((kind, text)) = validate_journal(kind, text) else {
                continue;
            };
            let entry = store::cases::add_entry(db, &grant, kind, &text, now, &origin).await?;
            if let (Some(entry), true) = (entry, text.contains("fel ärende")) {
                store::cases::mark_wrong(
                    db,
                    &grant,
                    entry,
                    "Demo: skrevs i fel ärende, hör till ett annat.",
                    now,
                    &origin,
                )
                .await?;
            }
        }
    }
    seed_assessed(db, officer, &mut rng, today).await
}

/// Assessed support in the demo: an application waiting in the inbox, and a decision granted
/// four months ago that has not started (it shows in the deadline watch and the IVO report).
async fn seed_assessed(
    db: &Db,
    officer: i64,
    rng: &mut StdRng,
    today: NaiveDate,
) -> Result<(), DemoError> {
    use domain::assessed::{ApplicantRole, Channel, Outcome, RawDecision};
    use domain::case::{validate_person, RawPerson};
    let origin = Origin {
        actor: "demo-seed".into(),
        role: "system".into(),
        ..Origin::default()
    };
    let now = Utc::now();
    let law = domain::law::LawTable::shipped().map_err(|e| DemoError(e.to_string()))?;
    let days_ago = |n: i64| today - chrono::Duration::days(n);
    let applicant = |given: &str, family: &str, rng: &mut StdRng| {
        validate_person(
            &RawPerson {
                id_number: fake_personnummer(rng, today),
                given_name: given.into(),
                family_name: family.into(),
                phone: "070-174 06 91".into(),
                ..RawPerson::default()
            },
            today,
        )
        .map_err(|e| DemoError(format!("demo person: {e:?}")))
    };
    let requested = |slug: &str, title: &str| store::assessed::Requested {
        catalogue_slug: Some(slug.into()),
        title: title.into(),
        track: "assessed_sol".into(),
        legal_ref: Some("sol-bistand".into()),
        consent_required: true,
    };
    let waiting = store::assessed::NewApplication {
        applicant: applicant("Demo-Maria", "Ansökansdotter", rng)?,
        applicant_role: ApplicantRole::Carer,
        recipient_name: Some("Demo-Erik Ansökansson".into()),
        requested: vec![
            requested("avlosning-i-hemmet", "Avlösning i hemmet"),
            requested("vaxelvard", "Växelvård"),
        ],
        received_on: days_ago(10),
        channel: Channel::Online,
        message: Some("Demo: Jag orkar inte längre vara vaken varje natt.".into()),
        consent: true,
    };
    store::assessed::submit(db, DEMO_KOMMUNKOD, &waiting, None, true, now, &origin).await?;

    let granted = store::assessed::NewApplication {
        applicant: applicant("Demo-Lars", "Beslutsson", rng)?,
        applicant_role: ApplicantRole::Carer,
        recipient_name: Some("Demo-Ingrid Beslutsson".into()),
        requested: vec![requested("dagverksamhet", "Dagverksamhet")],
        received_on: days_ago(160),
        channel: Channel::Phone,
        message: None,
        consent: true,
    };
    let s = store::assessed::submit(
        db,
        DEMO_KOMMUNKOD,
        &granted,
        Some(officer),
        true,
        now,
        &origin,
    )
    .await?;
    // The officer takes and decides as anyone would: through the policy.
    let actor = store::access::actor_of(db, officer)
        .await?
        .ok_or_else(|| DemoError("demo: the officer is gone".into()))?;
    store::assessed::take(db, &actor, s.case_id, None, now, &origin).await?;
    let verdict = store::access::case(
        db,
        &actor,
        domain::policy::Action::Decide,
        s.case_id,
        None,
        now,
        &origin,
    )
    .await?;
    let store::access::Verdict::Granted(grant) = verdict else {
        return Err(DemoError(
            "demo: the officer may not decide the case".into(),
        ));
    };
    let applied = store::assessed::of_case(db, &grant)
        .await?
        .applied
        .first()
        .map(|a| a.id);
    let decided_on = days_ago(125);
    store::assessed::add_consent(
        db,
        &grant,
        &store::assessed::NewConsent {
            person_id: None,
            given_by: "Demo-Ingrid Beslutsson".into(),
            scope: domain::assessed::ConsentScope::Respite,
            given_on: days_ago(150),
            note: Some("Demo: muntligt vid hembesök.".into()),
        },
        officer,
        now,
        &origin,
    )
    .await?
    .map_err(|r| DemoError(format!("demo: {r:?}")))?;
    let decision = domain::assessed::validate_decision(
        &RawDecision {
            outcome: Outcome::Granted.as_str().into(),
            days_per_week: "2".into(),
            reasons: "Demo: Ingrid behöver tillsyn dagtid och Lars behöver avlastning för att orka arbeta. Dagverksamhet två dagar i veckan tillgodoser behovet.".into(),
            decided_on: decided_on.to_string(),
            ..RawDecision::default()
        },
        granted.received_on,
        today,
    )
    .map_err(|e| DemoError(format!("demo decision: {e:?}")))?;
    let input = store::assessed::DecisionInput {
        applied_id: applied,
        insats: None,
        decision,
        legal_ref: None,
        communication_waiver: None,
    };
    let cite = |code: &str, on: NaiveDate| law.reference(code, on).map(|r| r.citation.clone());
    let follow_up = law
        .period("follow-up", decided_on)
        .map(|p| domain::calendar::add_period(decided_on, p));
    let Ok(id) = store::assessed::decide(
        db, &grant, &input, cite, follow_up, officer, true, now, &origin,
    )
    .await?
    else {
        return Ok(());
    };
    if let Some(p) = law.period("appeal", decided_on) {
        let notice = domain::assessed::NewNotice {
            method: domain::assessed::NoticeMethod::Post,
            sent_on: decided_on,
            received_on: decided_on + chrono::Duration::days(2),
            presumed: false,
        };
        let deadline = domain::assessed::appeal_deadline(notice.received_on, p);
        store::assessed::record_notice(db, &grant, id, &notice, deadline, officer, now, &origin)
            .await?
            .map_err(|r| DemoError(format!("demo: {r:?}")))?;
    }
    store::assessed::order_execution(
        db,
        &grant,
        id,
        "Demo: Dagverksamheten Solrosen",
        true,
        Some(decided_on + chrono::Duration::days(14)),
        officer,
        now,
        &origin,
    )
    .await?
    .map_err(|r| DemoError(format!("demo: {r:?}")))?;
    store::assessed::explain_delay(
        db,
        &grant,
        id,
        "Demo: Ingen ledig plats på dagverksamheten.",
        "Demo: Lars har fått gå ner i arbetstid.",
        "Demo: Avlösning i hemmet fyra timmar i veckan.",
        officer,
        now,
        &origin,
    )
    .await?
    .map_err(|r| DemoError(format!("demo: {r:?}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_numbers_pass_our_own_check() {
        let mut rng = StdRng::seed_from_u64(1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        for _ in 0..200 {
            let n = fake_personnummer(&mut rng, today);
            let p = domain::Personnummer::parse(&n, today).unwrap();
            assert!(p.canonical().ends_with(&n[9..]));
            let serial: u32 = n[9..12].parse().unwrap();
            assert!((980..=999).contains(&serial));
        }
    }
}
